package geoip

import (
	"strconv"
	"sync/atomic"
)

// metaPair is one metadata key and its value, boxed once so that setting it
// on a message does not allocate.
type metaPair struct {
	key string
	val any
}

// record is what a database record means for the processor: whether it has a
// country, and the metadata to set. Records are shared and never modified.
type record struct {
	found bool
	meta  []metaPair
}

// newRecord turns a decoded location into the metadata the extras ask for.
func newRecord(loc *Location, ex extras) *record {
	r := &record{found: loc.Country != ""}
	add := func(key, val string) {
		if val != "" {
			r.meta = append(r.meta, metaPair{key, val})
		}
	}
	add("country", loc.Country)
	if ex.city {
		add("city", loc.City)
	}
	if ex.subdivision {
		add("subdivision", loc.Subdivision)
	}
	if ex.continent {
		add("continent", loc.Continent)
	}
	if ex.location && loc.LocationBits != 0 {
		add("latitude", strconv.FormatFloat(loc.Latitude, 'f', -1, loc.LocationBits))
		add("longitude", strconv.FormatFloat(loc.Longitude, 'f', -1, loc.LocationBits))
	}
	if ex.asn {
		if loc.ASN != 0 {
			add("asn", strconv.FormatUint(loc.ASN, 10))
		}
		add("as_org", loc.ASOrg)
	}
	return r
}

// recordCacheBits sets the size of the record cache: 2^13 slots, 64 KiB.
const recordCacheBits = 13

// recordCache maps record offsets in one database to their decoded record.
// It is direct-mapped and lock-free: a slot holds the last record stored in
// it, concurrent stores race harmlessly (last one wins), and a miss only costs
// a decode. Databases deduplicate records, so a Country database has a few
// hundred distinct ones and a City database's busy networks stay cached.
type recordCache struct {
	slots [1 << recordCacheBits]atomic.Pointer[cacheSlot]
}

type cacheSlot struct {
	offset uintptr
	rec    *record
}

func slotOf(offset uintptr) uint64 {
	return (uint64(offset) * 0x9e3779b97f4a7c15) >> (64 - recordCacheBits)
}

func (c *recordCache) get(offset uintptr) *record {
	if s := c.slots[slotOf(offset)].Load(); s != nil && s.offset == offset {
		return s.rec
	}
	return nil
}

func (c *recordCache) put(offset uintptr, rec *record) {
	c.slots[slotOf(offset)].Store(&cacheSlot{offset: offset, rec: rec})
}
