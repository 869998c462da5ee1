package tracker

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
)

const benchBatch = 500

var benchUAs = []string{
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
	"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
	"Mozilla/5.0 (Linux; Android 12; SM-T510) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
	"",
}

// benchLines returns benchBatch realistic tracker lines: mostly IPv4, some
// IPv6, four topics, queries with and without parameters, real user agents.
func benchLines() []string {
	r := rand.New(rand.NewPCG(7, 7))
	topics := []string{"clicks", "impressions", "views", "conversions"}
	lines := make([]string, benchBatch)
	for i := range lines {
		var ip netip.Addr
		if r.IntN(5) == 0 {
			var b [16]byte
			b[0], b[1] = 0x20, 0x01
			for j := 2; j < 16; j++ {
				b[j] = byte(r.Uint32())
			}
			ip = netip.AddrFrom16(b)
		} else {
			ip = netip.AddrFrom4([4]byte{byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())})
		}
		query := "p"
		if r.IntN(3) > 0 {
			query = fmt.Sprintf("cid=%d&sid=%x&u=https%%3A%%2F%%2Fshop.example.com%%2Fp%%2F%d", r.IntN(100000), r.Uint32(), r.IntN(1000))
		}
		topic := topics[r.IntN(len(topics))]
		lines[i] = fmt.Sprintf("%s %d %s /t/%s %s %s", ip, 1700000000+r.IntN(60), topic, topic, query, benchUAs[r.IntN(len(benchUAs))])
	}
	return lines
}

// reportPerLine adds ns/line to a benchmark that processed n lines.
func reportPerLine(b *testing.B, n int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/line")
}

func BenchmarkParseLine(b *testing.B) {
	lines := benchLines()
	raw := make([][]byte, len(lines))
	for i, l := range lines {
		raw[i] = []byte(l)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for _, l := range raw {
			if _, err := ParseLine(l); err != nil {
				b.Fatal(err)
			}
		}
		n += len(raw)
	}
	reportPerLine(b, n)
}

// BenchmarkParseLineString is ParseLine without the copy into a string, the
// path tracker_line takes.
func BenchmarkParseLineString(b *testing.B) {
	lines := benchLines()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for _, l := range lines {
			if _, err := ParseLineString(l); err != nil {
				b.Fatal(err)
			}
		}
		n += len(lines)
	}
	reportPerLine(b, n)
}

func BenchmarkTrackerLineProcessor(b *testing.B) {
	lines := benchLines()
	p := newTrackerLineFromYAML(b, "")
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		b.StopTimer()
		batch := make(service.MessageBatch, len(lines))
		for i, l := range lines {
			batch[i] = service.NewMessage([]byte(l))
		}
		b.StartTimer()
		if _, err := p.ProcessBatch(b.Context(), batch); err != nil {
			b.Fatal(err)
		}
		n += len(batch)
	}
	reportPerLine(b, n)
}

func BenchmarkCGIMessageProcessor(b *testing.B) {
	lines := benchLines()
	p := newCGIMessageFromYAML(b, "keep_original: tracker_line", time.Unix(1700000030, 0))
	extra := map[string]string{"device": "smartphone", "device_name": "iPhone", "platform": "ios", "country": "GB"}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		b.StopTimer()
		batch := make(service.MessageBatch, len(lines))
		for i, l := range lines {
			batch[i] = trackedMessage(b, l, extra)
		}
		b.StartTimer()
		if _, err := p.ProcessBatch(b.Context(), batch); err != nil {
			b.Fatal(err)
		}
		for _, msg := range batch {
			if err := msg.GetError(); err != nil {
				b.Fatal(err)
			}
		}
		n += len(batch)
	}
	reportPerLine(b, n)
}
