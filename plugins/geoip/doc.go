// Package geoip holds kafkastore's geoip processor, which sets metadata
// country (and optionally city, subdivision, continent, latitude, longitude,
// asn and as_org) from a MaxMind DB file.
//
// The file is read into memory and its record layout is detected: the
// GeoIP2/GeoLite2 one (country.iso_code) or a flat one with a top-level
// country_code (DB-IP and ip-location-db builds, IPinfo lite). Lookups decode
// only the keys they need, once per distinct record: a lock-free cache keyed
// by record offset keeps the metadata values ready to set. A poller swaps in
// a new file without pausing lookups.
//
// The fixtures in testdata/ are written by testdata/gen (go generate).
package geoip
