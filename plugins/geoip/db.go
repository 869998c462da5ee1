package geoip

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"

	"github.com/oschwald/maxminddb-golang/v2"
)

// schema names the record layout of a database.
type schema int

const (
	schemaAuto    schema = iota
	schemaMaxMind        // GeoIP2/GeoLite2 Country and City: country.iso_code
	schemaFlat           // a top-level country_code: DB-IP/ip-location-db builds, IPinfo lite
)

func (s schema) String() string {
	switch s {
	case schemaMaxMind:
		return "maxmind"
	case schemaFlat:
		return "flat"
	default:
		return "auto"
	}
}

func parseSchema(s string) (schema, error) {
	switch s {
	case "", "auto":
		return schemaAuto, nil
	case "maxmind":
		return schemaMaxMind, nil
	case "flat":
		return schemaFlat, nil
	}
	return schemaAuto, fmt.Errorf("unknown schema %q: use auto, maxmind or flat", s)
}

// extras selects, or reports, the optional outputs beside the country.
type extras struct {
	city, subdivision, continent, location, asn bool
}

func (e extras) any() bool {
	return e.city || e.subdivision || e.continent || e.location || e.asn
}

// missing lists the names of the extras switched on in e that have is false.
func (e extras) missing(have extras) []string {
	var out []string
	for _, x := range []struct {
		name      string
		want, has bool
	}{
		{"city", e.city, have.city},
		{"subdivision", e.subdivision, have.subdivision},
		{"continent", e.continent, have.continent},
		{"location", e.location, have.location},
		{"asn", e.asn, have.asn},
	} {
		if x.want && !x.has {
			out = append(out, x.name)
		}
	}
	return out
}

// Location is the answer for one address; empty strings are unknown.
type Location struct {
	Country     string // ISO 3166-1 alpha-2
	City        string
	Subdivision string // ISO 3166-2 subdivision code without the country (maxmind), or name (flat)
	Continent   string // two-letter continent code
	Latitude    float64
	Longitude   float64
	// LocationBits is 0 when the location is unknown, else the float width
	// the database stores it in (32 or 64).
	LocationBits int
	ASN          uint64 // 0: unknown
	ASOrg        string
}

// database is one loaded file. It is immutable once built, so lookups may run
// concurrently with a reload that replaces it.
type database struct {
	path       string
	reader     *maxminddb.Reader
	schema     schema
	dbType     string
	buildEpoch uint
	has        extras // the extras the probe saw in the file
	extras     extras // the extras lookups decode
	cache      *recordCache
}

// openDatabase reads the whole file into memory and checks that it is a
// database the processor can use. The stamp is taken before the read, so a
// file replaced during the read is noticed by the next check.
func openDatabase(path string, want schema, ex extras) (*database, fileStamp, error) {
	fi, err := os.Stat(path)
	if err == nil {
		var data []byte
		if data, err = os.ReadFile(path); err == nil {
			db, err := loadDatabase(path, data, want, ex)
			return db, stampOf(fi), err
		}
	}
	if errors.Is(err, os.ErrNotExist) {
		return nil, fileStamp{}, fmt.Errorf("opening geoip database %q: the file does not exist; set database to the path of a GeoIP2/GeoLite2 Country or City .mmdb file: %w", path, err)
	}
	return nil, fileStamp{}, fmt.Errorf("opening geoip database %q: %w", path, err)
}

// loadDatabase parses data, read from path, and detects or checks its schema.
func loadDatabase(path string, data []byte, want schema, ex extras) (*database, error) {
	reader, err := maxminddb.OpenBytes(data)
	if err != nil {
		return nil, fmt.Errorf("opening geoip database %q: the file is not a valid MaxMind DB (.mmdb) file; download it again: %w", path, err)
	}
	if err := reader.Verify(); err != nil {
		return nil, fmt.Errorf("verifying geoip database %q: the file is corrupt; download it again: %w", path, err)
	}
	d := &database{
		path:       path,
		reader:     reader,
		dbType:     reader.Metadata.DatabaseType,
		buildEpoch: reader.Metadata.BuildEpoch,
		extras:     ex,
		cache:      &recordCache{},
	}
	found, err := d.probe()
	if err != nil {
		return nil, err
	}
	if d.schema, err = chooseSchema(d, want, found); err != nil {
		return nil, err
	}
	return d, nil
}

// chooseSchema settles the schema from the configured one and the layouts the
// probe found, and explains what to change when they do not fit.
func chooseSchema(d *database, want, found schema) (schema, error) {
	if found == schemaAuto && strings.Contains(strings.ToUpper(d.dbType), "ASN") {
		return 0, fmt.Errorf("database %q is a %s database; the geoip processor needs a Country or City database (or a flat country_code database)", d.path, d.dbType)
	}
	switch {
	case want == schemaAuto && found == schemaAuto:
		return 0, fmt.Errorf("database %q (type %q) has no country data in the records probed; the geoip processor needs a Country or City database (or a flat country_code database); if it is one, set schema to maxmind or flat", d.path, d.dbType)
	case want == schemaAuto:
		return found, nil
	case found != schemaAuto && found != want:
		return 0, fmt.Errorf("database %q (type %q) has the %s layout, not the %s one; set schema to %s or auto", d.path, d.dbType, found, want, found)
	}
	return want, nil
}

// probeLimit bounds how many records the layout probe decodes at start.
const probeLimit = 2000

// probe decodes the first records of the file generically and reports which
// country layout they use and which extras they hold.
func (d *database) probe() (schema, error) {
	var seenMaxMind, seenFlat int
	var n int
	for res := range d.reader.Networks() {
		if n++; n > probeLimit {
			break
		}
		var rec map[string]any
		if err := res.Decode(&rec); err != nil {
			return 0, fmt.Errorf("decoding a record of geoip database %q: the file is corrupt; download it again: %w", d.path, err)
		}
		if hasKey(rec, "country", "iso_code") {
			seenMaxMind++
		}
		if s, ok := rec["country_code"].(string); ok && s != "" {
			seenFlat++
		}
		d.has.city = d.has.city || hasKey(rec, "city", "names") || isString(rec["city"])
		d.has.subdivision = d.has.subdivision || rec["subdivisions"] != nil || isString(rec["state1"]) || isString(rec["region"])
		d.has.continent = d.has.continent || hasKey(rec, "continent", "code") || isString(rec["continent_code"])
		d.has.location = d.has.location || hasKey(rec, "location", "latitude") || rec["latitude"] != nil
		d.has.asn = d.has.asn || hasKey(rec, "traits", "autonomous_system_number") ||
			rec["asn"] != nil || rec["autonomous_system_number"] != nil
	}
	switch {
	case seenMaxMind > 0 && seenMaxMind >= seenFlat:
		return schemaMaxMind, nil
	case seenFlat > 0:
		return schemaFlat, nil
	}
	return schemaAuto, nil
}

func hasKey(rec map[string]any, outer, inner string) bool {
	m, ok := rec[outer].(map[string]any)
	return ok && m[inner] != nil
}

func isString(v any) bool {
	s, ok := v.(string)
	return ok && s != ""
}

// skipAddr reports addresses no public database locates: private, loopback,
// link-local, multicast and unspecified ones.
func skipAddr(a netip.Addr) bool {
	return !a.IsValid() || a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() ||
		a.IsLinkLocalMulticast() || a.IsMulticast() || a.IsUnspecified()
}

// lookup returns the record for addr, or nil when the database has none. Only
// the fields the extras need are decoded, once per distinct record.
func (d *database) lookup(addr netip.Addr) (*record, error) {
	addr = addr.Unmap()
	if skipAddr(addr) {
		return nil, nil
	}
	res := d.reader.Lookup(addr)
	if !res.Found() {
		return nil, res.Err()
	}
	if rec := d.cache.get(res.Offset()); rec != nil {
		return rec, nil
	}
	var loc Location
	var err error
	switch {
	case d.schema == schemaFlat && d.extras.any():
		err = decodeFlatFull(res, d.extras, &loc)
	case d.schema == schemaFlat:
		err = decodeFlatCountry(res, &loc)
	case d.extras.any():
		err = decodeMaxMindFull(res, d.extras, &loc)
	default:
		err = decodeMaxMindCountry(res, &loc)
	}
	if err != nil {
		return nil, err
	}
	rec := newRecord(&loc, d.extras)
	d.cache.put(res.Offset(), rec)
	return rec, nil
}
