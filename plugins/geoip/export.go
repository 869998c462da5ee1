package geoip

import (
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
)

// Exports for processors that fuse the geoip lookup with other steps
// (plugins/event).

// MetaCountry is the metadata key the geoip processor sets.
const MetaCountry = "country"

// DefaultReloadInterval is the geoip processor's default reload_interval.
const DefaultReloadInterval = "10s"

// Countries looks up the country of an address exactly as the geoip
// processor with schema auto and no extras does: the same schema detection,
// the same refusal of ASN and country-less databases, the same skipped
// address ranges, record cache and hot reload. It is safe for concurrent use.
type Countries struct {
	db     atomic.Pointer[database]
	reload *reloader
}

// OpenCountries loads the database at path. When reloadInterval is
// positive the file is checked that often and a new version swapped in,
// as the geoip processor's reload_interval does; log receives the reload
// messages. onLoad, which may be nil, is called with the build time (Unix
// seconds) of the database loaded now and of every one reloaded later.
// Close stops the reloading.
func OpenCountries(path string, reloadInterval time.Duration, log *service.Logger, onLoad func(buildEpoch int64)) (*Countries, error) {
	db, stamp, err := openDatabase(path, schemaAuto, extras{})
	if err != nil {
		return nil, err
	}
	c := &Countries{}
	c.db.Store(db)
	loaded := func(d *database) {
		if onLoad != nil {
			onLoad(int64(d.buildEpoch))
		}
	}
	loaded(db)
	if reloadInterval > 0 {
		c.reload = newReloader(path, schemaAuto, extras{}, reloadInterval, &c.db, stamp, log, loaded)
	}
	return c, nil
}

// Country returns the ISO 3166-1 alpha-2 country of addr and the same
// string boxed once per database record (so setting it as metadata does
// not allocate), or "" and nil when the database has none, addr is in a
// range no public database locates, or addr is the zero Addr.
func (c *Countries) Country(addr netip.Addr) (string, any) {
	// A decode error is a miss, as in the processor.
	rec, _ := c.db.Load().lookup(addr)
	if rec == nil || !rec.found {
		return "", nil
	}
	kv := rec.meta[0] // the country comes first and is the only key without extras
	return kv.val.(string), kv.val
}

// Close stops the reloader, if any. It is safe to call more than once.
func (c *Countries) Close() {
	if c.reload != nil {
		c.reload.close()
	}
}
