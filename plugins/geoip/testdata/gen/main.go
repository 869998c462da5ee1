// Command gen writes the small MaxMind DB fixtures that the geoip tests use.
// Run it from the repository root:
//
//	go run ./plugins/geoip/testdata/gen
//
// It writes plugins/geoip/testdata/{country,city,flat,flat_city,asn}.mmdb
// (or into the folder named by -out). The networks are real public
// allocations (no documentation or reserved ranges), so the tests read like
// production lookups, but the data is made up for the tests and fixed, so the
// files only change when this program does.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"path/filepath"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// buildEpoch is fixed so that regenerating gives byte-identical files.
const buildEpoch = 1700000000

// place is one fixture network and everything the fixtures say about it.
type place struct {
	network     string
	country     string // ISO 3166-1 alpha-2; empty: the record has none
	continent   string
	subdivision string
	city        string
	lat, lon    float64
	asn         uint32
	asOrg       string
	cityOnly    bool // only in the City layouts: lets the reload test tell files apart
}

var places = []place{
	{network: "81.2.69.0/24", country: "GB", continent: "EU", subdivision: "ENG", city: "London", lat: 51.5142, lon: -0.0931, asn: 20712, asOrg: "Andrews & Arnold Ltd"},
	{network: "89.160.20.0/24", country: "SE", continent: "EU", subdivision: "E", city: "Linköping", lat: 58.4167, lon: 15.6167, asn: 29518, asOrg: "Bredband2 AB"},
	{network: "8.8.8.0/24", country: "US", continent: "NA", subdivision: "CA", city: "Mountain View", lat: 37.386, lon: -122.0838, asn: 15169, asOrg: "Google LLC"},
	{network: "2001:4860::/32", country: "US", continent: "NA", asn: 15169, asOrg: "Google LLC"},
	{network: "2a01:4f8::/32", country: "DE", continent: "EU", subdivision: "SN", city: "Falkenstein", lat: 50.4779, lon: 12.3713, asn: 24940, asOrg: "Hetzner Online GmbH"},
	{network: "2a02:ec80::/32", country: "SE", continent: "EU", asn: 1299, asOrg: "Arelion Sweden AB"},
	// A satellite network: known to the database, but with no country.
	{network: "196.201.0.0/24", continent: "AF"},
	{network: "1.1.1.0/24", country: "AU", continent: "OC", asn: 13335, asOrg: "Cloudflare, Inc.", cityOnly: true},
}

func main() {
	out := flag.String("out", "plugins/geoip/testdata", "folder to write the .mmdb files into")
	flag.Parse()
	files := []struct {
		name, dbType string
		record       func(place) mmdbtype.Map
		withCityOnly bool
	}{
		{"country.mmdb", "GeoIP2-Country", maxmindRecord(false), false},
		{"city.mmdb", "GeoIP2-City", maxmindRecord(true), true},
		{"flat.mmdb", "dbip-country-lite", flatRecord(false), false},
		{"flat_city.mmdb", "ip-location-db-city-asn", flatRecord(true), true},
		{"asn.mmdb", "GeoLite2-ASN", asnRecord, false},
	}
	for _, f := range files {
		if err := write(filepath.Join(*out, f.name), f.dbType, f.record, f.withCityOnly); err != nil {
			log.Fatal(err)
		}
	}
}

func write(path, dbType string, record func(place) mmdbtype.Map, withCityOnly bool) error {
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		BuildEpoch:   buildEpoch,
		DatabaseType: dbType,
		Description:  map[string]string{"en": "kafkastore geoip test fixture"},
		Languages:    []string{"en"},
		RecordSize:   24,
	})
	if err != nil {
		return fmt.Errorf("creating %s: %w", path, err)
	}
	for _, p := range places {
		if p.cityOnly && !withCityOnly {
			continue
		}
		_, network, err := net.ParseCIDR(p.network)
		if err != nil {
			return fmt.Errorf("parsing %s: %w", p.network, err)
		}
		if err := tree.Insert(network, record(p)); err != nil {
			return fmt.Errorf("inserting %s into %s: %w", p.network, path, err)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("creating %s: %w", path, err)
	}
	if _, err := tree.WriteTo(f); err != nil {
		_ = f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}

func names(s string) mmdbtype.Map {
	return mmdbtype.Map{"en": mmdbtype.String(s)}
}

// maxmindRecord builds the GeoIP2-Country layout, or with city the
// GeoIP2-City layout plus the Enterprise/ISP traits.autonomous_system_* keys.
func maxmindRecord(city bool) func(place) mmdbtype.Map {
	return func(p place) mmdbtype.Map {
		r := mmdbtype.Map{}
		if p.continent != "" {
			r["continent"] = mmdbtype.Map{"code": mmdbtype.String(p.continent), "names": names(p.continent)}
		}
		if p.country != "" {
			c := mmdbtype.Map{"iso_code": mmdbtype.String(p.country), "names": names(p.country)}
			r["country"] = c
			r["registered_country"] = c
		}
		if !city {
			return r
		}
		if p.city != "" {
			r["city"] = mmdbtype.Map{"geoname_id": mmdbtype.Uint32(1), "names": names(p.city)}
			r["location"] = mmdbtype.Map{
				"latitude": mmdbtype.Float64(p.lat), "longitude": mmdbtype.Float64(p.lon),
				"accuracy_radius": mmdbtype.Uint16(100),
			}
		}
		if p.subdivision != "" {
			r["subdivisions"] = mmdbtype.Slice{mmdbtype.Map{
				"iso_code": mmdbtype.String(p.subdivision), "names": names(p.subdivision),
			}}
		}
		if p.asn != 0 {
			r["traits"] = mmdbtype.Map{
				"autonomous_system_number":       mmdbtype.Uint32(p.asn),
				"autonomous_system_organization": mmdbtype.String(p.asOrg),
			}
		}
		return r
	}
}

// flatRecord builds the flat country_code layout (DB-IP lite csv builds,
// ip-location-db); with city it adds ip-location-db's city keys and IPinfo
// lite's continent and AS keys, so one file covers every flat extra.
func flatRecord(city bool) func(place) mmdbtype.Map {
	return func(p place) mmdbtype.Map {
		r := mmdbtype.Map{}
		if p.country != "" {
			r["country_code"] = mmdbtype.String(p.country)
		}
		if !city {
			return r
		}
		if p.continent != "" {
			r["continent_code"] = mmdbtype.String(p.continent)
		}
		if p.city != "" {
			r["city"] = mmdbtype.String(p.city)
			r["latitude"] = mmdbtype.Float32(p.lat)
			r["longitude"] = mmdbtype.Float32(p.lon)
		}
		if p.subdivision != "" {
			r["state1"] = mmdbtype.String(p.subdivision)
		}
		if p.asn != 0 {
			r["asn"] = mmdbtype.String(fmt.Sprintf("AS%d", p.asn))
			r["as_name"] = mmdbtype.String(p.asOrg)
		}
		return r
	}
}

// asnRecord builds the GeoLite2-ASN layout, which the processor must refuse.
func asnRecord(p place) mmdbtype.Map {
	r := mmdbtype.Map{}
	if p.asn != 0 {
		r["autonomous_system_number"] = mmdbtype.Uint32(p.asn)
		r["autonomous_system_organization"] = mmdbtype.String(p.asOrg)
	}
	return r
}
