package geoip

//go:generate go run ./testdata/gen -out testdata

import (
	"context"
	"net/netip"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
)

const (
	gipFieldIP             = "ip"
	gipFieldDatabase       = "database"
	gipFieldSchema         = "schema"
	gipFieldExtras         = "extras"
	gipFieldReloadInterval = "reload_interval"
)

// The extras, each both a config field under extras and the metadata key (or
// key prefix) it switches on.
const (
	gipExtraCity        = "city"
	gipExtraSubdivision = "subdivision"
	gipExtraContinent   = "continent"
	gipExtraLocation    = "location"
	gipExtraASN         = "asn"
)

func geoipProcessorSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Categories("Parsing").
		Summary("Looks up the country of each message's client IP address in a MaxMind DB (.mmdb) file and writes it to metadata `country`.").
		Description(`
Sets metadata `+"`country`"+` (ISO 3166-1 alpha-2) when the database knows the
address. Private, loopback, link-local, multicast, unspecified and unknown
addresses, and values that are not an IP address, leave it unset; none of them
is an error and nothing is logged per message. A message already flagged with
an error by an earlier step is left as it is, as inside a `+"`try`"+` block. The extras add `+"`city`, `subdivision`, `continent`, `latitude`, `longitude`, `asn` and `as_org`"+`,
each only when the database has it.

The whole file is read into memory. Every `+"`reload_interval`"+` the file's
modification time and size are checked; when they change the file is loaded
and swapped in without pausing lookups. A new file that cannot be used is
logged once and the loaded database stays in use. Replace the file atomically
(write a temporary file, then rename it over the old one).

Metrics: counters `+"`geoip_lookups`"+` (messages with an IP address) and
`+"`geoip_misses`"+` (of those, the ones with no country), gauge
`+"`geoip_database_build_timestamp`"+` (the database's build time, Unix seconds).`).
		Field(service.NewInterpolatedStringField(gipFieldIP).
			Description("The IP address to look up. The default reads the metadata that `tracker_line` sets.").
			Default("${! @client_ip }")).
		Field(service.NewStringField(gipFieldDatabase).
			Description("Path of the .mmdb file: GeoIP2/GeoLite2 Country or City, or a database with a top-level `country_code` (DB-IP lite, IPinfo lite, ip-location-db). Empty switches lookups off, with one warning at start.").
			Default("").
			Example("/var/lib/GeoIP/GeoLite2-Country.mmdb")).
		Field(service.NewStringAnnotatedEnumField(gipFieldSchema, map[string]string{
			"auto":    "Detect the layout from the records of the file.",
			"maxmind": "GeoIP2/GeoLite2 layout: `country.iso_code`, `city.names.en`, `subdivisions[0].iso_code`, `continent.code`, `location`, `traits.autonomous_system_*`.",
			"flat":    "Top-level keys: `country_code`, `city`, `state1` or `region`, `continent_code`, `latitude`, `longitude`, `asn` (number or `AS123`) and `as_name`, or `autonomous_system_number` and `autonomous_system_organization`.",
		}).
			Description("The record layout of the database.").
			Default("auto").
			Advanced()).
		Field(service.NewObjectField(gipFieldExtras,
			service.NewBoolField(gipExtraCity).Description("Set metadata `city` (English name).").Default(false),
			service.NewBoolField(gipExtraSubdivision).Description("Set metadata `subdivision` (the ISO 3166-2 code without the country, such as `CA`; the name in flat databases).").Default(false),
			service.NewBoolField(gipExtraContinent).Description("Set metadata `continent` (two-letter code such as `EU`).").Default(false),
			service.NewBoolField(gipExtraLocation).Description("Set metadata `latitude` and `longitude` (decimal degrees).").Default(false),
			service.NewBoolField(gipExtraASN).Description("Set metadata `asn` (decimal) and `as_org`, from an Enterprise/ISP or flat database that has them.").Default(false),
		).
			Description("Optional outputs beside the country, each off by default. A switched-on output the database lacks is warned about once at start.")).
		Field(service.NewDurationField(gipFieldReloadInterval).
			Description("How often the database file is checked for a new version. `0s` disables reloading.").
			Default(DefaultReloadInterval).
			Advanced()).
		Example("Country and city", "Adds `country` and `city` from a GeoLite2 City file whose path comes from the environment.", `
pipeline:
  processors:
    - geoip:
        database: ${GEOIP_DB:}
        extras:
          city: true
`)
}

func init() {
	service.MustRegisterBatchProcessor("geoip", geoipProcessorSpec(),
		func(conf *service.ParsedConfig, mgr *service.Resources) (service.BatchProcessor, error) {
			return newGeoIPProcessorFromConfig(conf, mgr)
		})
}

// geoipConfig holds the plain settings of a geoip processor.
type geoipConfig struct {
	database       string
	schema         schema
	extras         extras
	reloadInterval time.Duration
}

type geoipProcessor struct {
	ip        *service.InterpolatedString
	ipMetaKey string                   // set when ip is exactly ${! @key }: read it directly
	db        atomic.Pointer[database] // nil: lookups are off
	reload    *reloader
	lookups   *service.MetricCounter
	misses    *service.MetricCounter
	build     *service.MetricGauge
}

func newGeoIPProcessorFromConfig(conf *service.ParsedConfig, mgr *service.Resources) (*geoipProcessor, error) {
	ip, err := conf.FieldInterpolatedString(gipFieldIP)
	if err != nil {
		return nil, err
	}
	rawIP, _ := conf.FieldString(gipFieldIP)
	var c geoipConfig
	if c.database, err = conf.FieldString(gipFieldDatabase); err != nil {
		return nil, err
	}
	s, err := conf.FieldString(gipFieldSchema)
	if err != nil {
		return nil, err
	}
	if c.schema, err = parseSchema(s); err != nil {
		return nil, err
	}
	if c.extras, err = extrasFromConfig(conf.Namespace(gipFieldExtras)); err != nil {
		return nil, err
	}
	if c.reloadInterval, err = conf.FieldDuration(gipFieldReloadInterval); err != nil {
		return nil, err
	}
	return newGeoIPProcessor(ip, metaKeyOf(rawIP), c, mgr)
}

func extrasFromConfig(conf *service.ParsedConfig) (extras, error) {
	var e extras
	for _, f := range []struct {
		name string
		dst  *bool
	}{
		{gipExtraCity, &e.city}, {gipExtraSubdivision, &e.subdivision}, {gipExtraContinent, &e.continent},
		{gipExtraLocation, &e.location}, {gipExtraASN, &e.asn},
	} {
		v, err := conf.FieldBool(f.name)
		if err != nil {
			return e, err
		}
		*f.dst = v
	}
	return e, nil
}

var metaRefRe = regexp.MustCompile(`^\$\{!\s*@([A-Za-z0-9_\-.]+)\s*\}$`)

// metaKeyOf returns key when raw is the plain metadata reference ${! @key }.
func metaKeyOf(raw string) string {
	if m := metaRefRe.FindStringSubmatch(raw); m != nil {
		return m[1]
	}
	return ""
}

func newGeoIPProcessor(ip *service.InterpolatedString, ipMetaKey string, c geoipConfig, mgr *service.Resources) (*geoipProcessor, error) {
	p := &geoipProcessor{
		ip: ip, ipMetaKey: ipMetaKey,
		lookups: mgr.Metrics().NewCounter("geoip_lookups"),
		misses:  mgr.Metrics().NewCounter("geoip_misses"),
		build:   mgr.Metrics().NewGauge("geoip_database_build_timestamp"),
	}
	log := mgr.Logger()
	if c.database == "" {
		log.Warn("The geoip processor has no database: metadata country stays unset. Set database (GEOIP_DB in the default config) to a GeoIP2/GeoLite2 Country or City .mmdb file.")
		return p, nil
	}
	db, stamp, err := openDatabase(c.database, c.schema, c.extras)
	if err != nil {
		return nil, err
	}
	if missing := c.extras.missing(db.has); len(missing) > 0 {
		log.Warnf("Geoip database %q (%s) shows no %v data: those metadata keys will stay unset", c.database, db.dbType, missing)
	}
	p.db.Store(db)
	p.build.Set(int64(db.buildEpoch))
	if c.reloadInterval > 0 {
		p.reload = newReloader(c.database, c.schema, c.extras, c.reloadInterval, &p.db, stamp, log,
			func(d *database) { p.build.Set(int64(d.buildEpoch)) })
	}
	return p, nil
}

// ProcessBatch sets the geoip metadata of every message it can locate. It
// never fails a message.
func (p *geoipProcessor) ProcessBatch(_ context.Context, batch service.MessageBatch) ([]service.MessageBatch, error) {
	db := p.db.Load()
	if db == nil {
		return []service.MessageBatch{batch}, nil
	}
	var exec *service.MessageBatchInterpolationExecutor
	if p.ipMetaKey == "" {
		exec = batch.InterpolationExecutor(p.ip)
	}
	var lookups, misses int64
	for i, msg := range batch {
		if msg.GetError() != nil {
			continue // failed an earlier step: left as it is
		}
		addr, ok := p.addrOf(exec, i, msg)
		if !ok {
			continue
		}
		lookups++
		// A decode error is treated as a miss: the file was verified at
		// load, so it would mean a bug, not a reason to fail the message.
		rec, _ := db.lookup(addr)
		if rec == nil {
			misses++
			continue
		}
		if !rec.found {
			misses++
		}
		for _, kv := range rec.meta {
			msg.MetaSetMut(kv.key, kv.val)
		}
	}
	// Inside a try block every batch is one message: a zero increment
	// would still cost a label lookup in the metrics exporter.
	if lookups > 0 {
		p.lookups.Incr(lookups)
	}
	if misses > 0 {
		p.misses.Incr(misses)
	}
	return []service.MessageBatch{batch}, nil
}

// addrOf reads the address of message i, from metadata directly when ip is a
// plain metadata reference, else through the batch's interpolation executor.
func (p *geoipProcessor) addrOf(exec *service.MessageBatchInterpolationExecutor, i int, msg *service.Message) (netip.Addr, bool) {
	var s string
	var ok bool
	if exec == nil {
		s, ok = msg.MetaGet(p.ipMetaKey)
	} else {
		var err error
		s, err = exec.TryString(i)
		ok = err == nil
	}
	if !ok || s == "" {
		return netip.Addr{}, false
	}
	addr, err := netip.ParseAddr(s)
	return addr, err == nil
}

// Close stops the reloader.
func (p *geoipProcessor) Close(context.Context) error {
	if p.reload != nil {
		p.reload.close()
	}
	return nil
}
