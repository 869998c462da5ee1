package geoip

import (
	"strconv"
	"strings"

	"github.com/oschwald/maxminddb-golang/v2"
	"github.com/oschwald/maxminddb-golang/v2/mmdbdata"
)

// The record structs below name only the keys the processor reads: the
// decoder skips every other key, and strings come from the reader's string
// cache, so a country-only lookup does not allocate.

type mmCountryRecord struct {
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
}

type mmFullRecord struct {
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	City struct {
		Names struct {
			En string `maxminddb:"en"`
		} `maxminddb:"names"`
	} `maxminddb:"city"`
	Continent struct {
		Code string `maxminddb:"code"`
	} `maxminddb:"continent"`
	Location struct {
		Latitude  float64 `maxminddb:"latitude"`
		Longitude float64 `maxminddb:"longitude"`
	} `maxminddb:"location"`
	// GeoIP2-Enterprise and GeoIP2-ISP carry the AS in traits.
	Traits struct {
		ASN   uint64 `maxminddb:"autonomous_system_number"`
		ASOrg string `maxminddb:"autonomous_system_organization"`
	} `maxminddb:"traits"`
}

type flatCountryRecord struct {
	CountryCode string `maxminddb:"country_code"`
}

type flatFullRecord struct {
	CountryCode   string   `maxminddb:"country_code"`
	City          string   `maxminddb:"city"`
	State1        string   `maxminddb:"state1"` // ip-location-db
	Region        string   `maxminddb:"region"` // IPinfo
	ContinentCode string   `maxminddb:"continent_code"`
	Latitude      optFloat `maxminddb:"latitude"`
	Longitude     optFloat `maxminddb:"longitude"`
	ASN           asnValue `maxminddb:"asn"` // IPinfo: "AS15169"
	ASName        string   `maxminddb:"as_name"`
	ASNumber      uint64   `maxminddb:"autonomous_system_number"` // ip-location-db
	ASOrg         string   `maxminddb:"autonomous_system_organization"`
}

func decodeMaxMindCountry(res maxminddb.Result, loc *Location) error {
	var rec mmCountryRecord
	err := res.Decode(&rec)
	loc.Country = rec.Country.ISOCode
	return err
}

func decodeMaxMindFull(res maxminddb.Result, ex extras, loc *Location) error {
	var rec mmFullRecord
	if err := res.Decode(&rec); err != nil {
		return err
	}
	loc.Country = rec.Country.ISOCode
	if ex.city {
		loc.City = rec.City.Names.En
	}
	if ex.subdivision {
		// The most general subdivision is the first; decoding the path
		// avoids allocating the slice.
		if err := res.DecodePath(&loc.Subdivision, "subdivisions", 0, "iso_code"); err != nil {
			return err
		}
	}
	if ex.continent {
		loc.Continent = rec.Continent.Code
	}
	if ex.location && (rec.Location.Latitude != 0 || rec.Location.Longitude != 0) {
		loc.Latitude, loc.Longitude, loc.LocationBits = rec.Location.Latitude, rec.Location.Longitude, 64
	}
	if ex.asn {
		loc.ASN, loc.ASOrg = rec.Traits.ASN, rec.Traits.ASOrg
	}
	return nil
}

func decodeFlatCountry(res maxminddb.Result, loc *Location) error {
	var rec flatCountryRecord
	err := res.Decode(&rec)
	loc.Country = rec.CountryCode
	return err
}

func decodeFlatFull(res maxminddb.Result, ex extras, loc *Location) error {
	var rec flatFullRecord
	if err := res.Decode(&rec); err != nil {
		return err
	}
	loc.Country = rec.CountryCode
	if ex.city {
		loc.City = rec.City
	}
	if ex.subdivision {
		loc.Subdivision = firstNonEmpty(rec.State1, rec.Region)
	}
	if ex.continent {
		loc.Continent = rec.ContinentCode
	}
	if ex.location && rec.Latitude.bits != 0 && rec.Longitude.bits != 0 {
		loc.Latitude, loc.Longitude = rec.Latitude.v, rec.Longitude.v
		loc.LocationBits = min(rec.Latitude.bits, rec.Longitude.bits)
	}
	if ex.asn {
		loc.ASN, loc.ASOrg = uint64(rec.ASN), firstNonEmpty(rec.ASName, rec.ASOrg)
		if loc.ASN == 0 {
			loc.ASN = rec.ASNumber
		}
	}
	return nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// asnValue decodes an AS number written either as an integer or as a string
// such as "AS15169" (IPinfo). A string that is not a number decodes as 0.
type asnValue uint64

// UnmarshalMaxMindDBCursor implements mmdbdata.CursorUnmarshaler.
func (a *asnValue) UnmarshalMaxMindDBCursor(c mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	kind, err := c.Kind()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	if kind == mmdbdata.KindString {
		s, next, err := c.ReadString()
		if err != nil {
			return mmdbdata.Cursor{}, mmdbdata.NormalizeUnmarshalError[asnValue](err)
		}
		s = strings.TrimPrefix(strings.TrimPrefix(s, "AS"), "as")
		n, _ := strconv.ParseUint(s, 10, 32)
		*a = asnValue(n)
		return next, nil
	}
	n, next, err := c.ReadUint()
	if err != nil {
		return mmdbdata.Cursor{}, mmdbdata.NormalizeUnmarshalError[asnValue](err)
	}
	*a = asnValue(n)
	return next, nil
}

// optFloat decodes a float of either width and remembers that it was present,
// without the allocation a *float64 field costs.
type optFloat struct {
	v    float64
	bits int // 32 or 64: the width stored, so formatting prints no noise digits
}

// UnmarshalMaxMindDBCursor implements mmdbdata.CursorUnmarshaler.
func (f *optFloat) UnmarshalMaxMindDBCursor(c mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	kind, err := c.Kind()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	v, next, err := c.ReadFloat()
	if err != nil {
		return mmdbdata.Cursor{}, mmdbdata.NormalizeUnmarshalError[optFloat](err)
	}
	f.v, f.bits = v, 64
	if kind == mmdbdata.KindFloat32 {
		f.bits = 32
	}
	return next, nil
}
