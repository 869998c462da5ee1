package geoip

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
)

// benchIPs returns n public addresses, IPv4 and IPv6, mostly inside the
// fixture networks, with one in ten unknown to the database.
func benchIPs(n int) []string {
	ips := make([]string, n)
	for i := range ips {
		switch i % 10 {
		case 0, 1:
			ips[i] = fmt.Sprintf("81.2.69.%d", i%250+1)
		case 2, 3:
			ips[i] = fmt.Sprintf("89.160.20.%d", i%250+1)
		case 4, 5:
			ips[i] = fmt.Sprintf("8.8.8.%d", i%250+1)
		case 6:
			ips[i] = fmt.Sprintf("2001:4860:%x::%x", i, i)
		case 7:
			ips[i] = fmt.Sprintf("2a01:4f8:%x::%x", i, i)
		case 8:
			ips[i] = fmt.Sprintf("2a02:ec80:%x::1", i)
		default:
			ips[i] = fmt.Sprintf("9.9.%d.%d", i%250, i%200) // not in the database
		}
	}
	return ips
}

func BenchmarkGeoIPProcessor(b *testing.B) {
	const batchSize = 500
	ips := benchIPs(batchSize)
	for _, bench := range []struct{ name, yaml string }{
		{"maxmind country", "database: " + fixture("country.mmdb")},
		{"flat country", "database: " + fixture("flat.mmdb")},
		{"maxmind city all extras", "database: " + fixture("city.mmdb") + allExtras},
		{"flat city all extras", "database: " + fixture("flat_city.mmdb") + allExtras},
		{"maxmind country interpolated ip", "database: " + fixture("country.mmdb") + "\nip: '${! @client_ip.or(\"\") }'"},
	} {
		b.Run(bench.name, func(b *testing.B) {
			p, _, err := newTestProcessor(b, bench.yaml)
			if err != nil {
				b.Fatal(err)
			}
			batch := make(service.MessageBatch, batchSize)
			for i, ip := range ips {
				batch[i] = service.NewMessage([]byte("line"))
				batch[i].MetaSetMut("client_ip", ip)
			}
			b.ReportAllocs()
			start := time.Now()
			for b.Loop() {
				if _, err := p.ProcessBatch(b.Context(), batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N*batchSize), "ns/lookup")
		})
	}
}

// BenchmarkDatabaseLookup measures the lookup alone, without Benthos messages.
func BenchmarkDatabaseLookup(b *testing.B) {
	ips := benchIPs(500)
	addrs := make([]netip.Addr, len(ips))
	for i, ip := range ips {
		addrs[i] = netip.MustParseAddr(ip)
	}
	for _, file := range []string{"country.mmdb", "city.mmdb"} {
		b.Run(file, func(b *testing.B) {
			db, _, err := openDatabase(fixture(file), schemaAuto, extras{})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			start := time.Now()
			for b.Loop() {
				for _, a := range addrs {
					if _, err := db.lookup(a); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N*len(addrs)), "ns/lookup")
		})
	}
}
