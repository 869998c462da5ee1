package event

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/kafkastore/kafkastore/plugins/device"
	"github.com/kafkastore/kafkastore/plugins/geoip"
	"github.com/kafkastore/kafkastore/plugins/tracker"
)

const (
	teFieldGeoIPDatabase       = "geoip_database"
	teFieldGeoIPReloadInterval = "geoip_reload_interval"
	teFieldCacheSize           = "cache_size"
	teFieldRegexesFile         = "regexes_file"
	teFieldFields              = "fields"
	teFieldKeepOriginal        = "keep_original"
	teFieldMetadata            = "metadata"
	teFieldMaxLineBytes        = "max_line_bytes"
	teFieldClassifyWorkers     = "classify_workers"

	teMetadataRouting = "routing"
	teMetadataAll     = "all"

	// maxTopicBoxes is how many distinct topics per batch get their
	// kafka_topic value boxed once; further ones are boxed per message.
	maxTopicBoxes = 16
)

func trackerEventSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Categories("Parsing").
		Summary("Turns a tracker line into the CGI message in one step: `tracker_line`, `device_detect`, `geoip` and `cgi_message` fused, with the same results at a fraction of the CPU.").
		Description(`
Gives exactly what the chain `+"`tracker_line`, `device_detect`, `geoip`, `cgi_message`"+`
with their default settings gives: each valid line's content becomes the CGI
message `+"`PATH META QUERY`"+` (see `+"`cgi_message`"+`), each invalid line keeps its
content and is flagged with the same error text, and a message already flagged
by an earlier step is left exactly as it is.

Benthos charges a fixed cost per message for every processor of a chain; this
processor pays it once. By default it also sets only the metadata the outputs
route on (`+"`metadata: routing`"+`): `+"`kafka_topic`"+` and, when `+"`keep_original`"+`
is set, the original line. `+"`metadata: all`"+` sets every key the chain sets
(`+"`client_ip`, `event_ts`, `kafka_topic`, `event_path`, `event_query`, `user_agent`, `device`, `platform`, `device_name`, `bot_name`, `country`"+`), for configs that route on them.

The device classification shares its matcher and cache with `+"`device_detect`"+`
processors of the same `+"`regexes_file`"+` and `+"`cache_size`"+`. The country lookup
behaves as the `+"`geoip`"+` processor with only `+"`database`"+` and `+"`reload_interval`"+` set.

Metrics, as the four processors emit them: `+"`device_cache_hits`, `device_cache_misses`, `geoip_lookups`, `geoip_misses`, `geoip_database_build_timestamp`"+` and the timer `+"`kafkastore_event_lag`"+`. One difference: a small lock-free memo answers frequent user agents in front of the shared cache, and a memo answer counts as a cache hit even when the shared cache has since evicted that agent, so when the cache is too small for the traffic `+"`device_cache_hits`"+` reads a little higher than `+"`device_detect`"+`'s would (the classifications are the same).`).
		Field(service.NewStringField(teFieldGeoIPDatabase).
			Description("Path of the GeoIP .mmdb file, as the `geoip` processor's `database`: GeoIP2/GeoLite2 Country or City, or a flat `country_code` database. Empty switches the country lookup off, with one warning at start.").
			Default("").
			Example("/var/lib/GeoIP/GeoLite2-Country.mmdb")).
		Field(service.NewDurationField(teFieldGeoIPReloadInterval).
			Description("How often the GeoIP file is checked for a new version, as the `geoip` processor's `reload_interval`. `0s` disables reloading.").
			Default(geoip.DefaultReloadInterval).
			Advanced()).
		Field(service.NewIntField(teFieldCacheSize).
			Description("How many user agents to remember with their classification, as `device_detect`'s `cache_size`. 0 disables the cache.").
			Default(device.DefaultCacheSize).
			Advanced().
			LintRule(`root = if this < 0 { ["cache_size must not be negative"] }`)).
		Field(service.NewStringField(teFieldRegexesFile).
			Description("Path of a uap-core `regexes.yaml` to use instead of the embedded copy, as `device_detect`'s `regexes_file`. Empty uses the embedded rules.").
			Default("").
			Advanced()).
		Field(service.NewStringListField(teFieldFields).
			Description("The META keys to write, as `cgi_message`'s `fields`: `ip`, `ts` and `klag` are computed, any other name is the value the chain would have in that metadata key. Names must be unique and made of `A-Za-z0-9-._~`; they are written sorted.").
			Default(tracker.DefaultFields())).
		Field(service.NewStringField(teFieldKeepOriginal).
			Description("When set, the metadata key under which the original line is stored, as `cgi_message`'s `keep_original`, so a later dead-letter step can write the line back unchanged. Empty keeps nothing.").
			Advanced().
			Default("")).
		Field(service.NewStringAnnotatedEnumField(teFieldMetadata, map[string]string{
			teMetadataRouting: "Set only `kafka_topic` and the `keep_original` key.",
			teMetadataAll:     "Set every key the four-processor chain sets, so later steps can route on `device`, `country` and the rest.",
		}).
			Description("Which metadata to set on a converted message. Invalid lines get none, as in the chain.").
			Default(teMetadataRouting)).
		Field(service.NewIntField(teFieldMaxLineBytes).
			Description("Lines longer than this many bytes (including any trailing newline) are flagged as errors without being parsed, as `tracker_line`'s `max_line_bytes`.").
			Advanced().
			Default(tracker.DefaultMaxLineBytes)).
		Field(service.NewIntField(teFieldClassifyWorkers).
			Description("How many goroutines classify the user agents of a batch that are not cached yet. Classifying a new user agent costs tens of microseconds, most of a line's cost when user agents rarely repeat, so when a batch has at least 32 of them (and the previous batch had at least 32 misses) they are classified side by side before the batch is converted, in order, on the pipeline thread. Results, their order and the cache hit and miss counts are the same either way (a full cache may evict slightly different entries). 0 uses as many as Go may run at once (GOMAXPROCS); 1 classifies one after the other on the pipeline thread. Has no effect when `cache_size` is 0.").
			Default(0).
			Advanced().
			LintRule(`root = if this < 0 { ["classify_workers must not be negative"] }`)).
		Example("The default chain in one step",
			"Produces what `tracker_line`, `device_detect`, `geoip` and `cgi_message` (with `keep_original: tracker_line`) produce, setting only the metadata the outputs use.",
			`
pipeline:
  processors:
    - tracker_event:
        geoip_database: ${GEOIP_DB:}
        keep_original: tracker_line
`)
}

func init() {
	service.MustRegisterBatchProcessor("tracker_event", trackerEventSpec(),
		func(conf *service.ParsedConfig, mgr *service.Resources) (service.BatchProcessor, error) {
			return newTrackerEventFromConfig(conf, mgr)
		})
}

// config holds the plain settings of a tracker_event processor.
type config struct {
	geoipDatabase       string
	geoipReloadInterval time.Duration
	cacheSize           int
	regexesFile         string
	fields              []string
	keepOriginal        string
	allMetadata         bool
	maxLineBytes        int
	classifyWorkers     int
}

type trackerEvent struct {
	plan         *plan
	keepOriginal string
	allMetadata  bool
	maxLineBytes int
	det          *device.Detector
	memo         *uaMemo          // in front of det; nil when cache_size is 0
	geo          *geoip.Countries // nil: country lookup off
	now          func() time.Time
	workers      int // classify_workers: 0 is GOMAXPROCS

	// lastMisses is the device cache misses of the last batch; the next
	// batch prefetches only after a batch with many (see prefetch).
	lastMisses atomic.Int64

	hits, misses     *service.MetricCounter
	lookups, geoMiss *service.MetricCounter
	lag              *service.MetricTimer

	// perLine is the output bytes per message of the last batch.
	perLine atomic.Int64
}

func newTrackerEventFromConfig(conf *service.ParsedConfig, mgr *service.Resources) (*trackerEvent, error) {
	var c config
	var err error
	if c.geoipDatabase, err = conf.FieldString(teFieldGeoIPDatabase); err != nil {
		return nil, err
	}
	if c.geoipReloadInterval, err = conf.FieldDuration(teFieldGeoIPReloadInterval); err != nil {
		return nil, err
	}
	if c.cacheSize, err = conf.FieldInt(teFieldCacheSize); err != nil {
		return nil, err
	}
	if c.regexesFile, err = conf.FieldString(teFieldRegexesFile); err != nil {
		return nil, err
	}
	if c.fields, err = conf.FieldStringList(teFieldFields); err != nil {
		return nil, err
	}
	if c.keepOriginal, err = conf.FieldString(teFieldKeepOriginal); err != nil {
		return nil, err
	}
	mode, err := conf.FieldString(teFieldMetadata)
	if err != nil {
		return nil, err
	}
	if c.allMetadata, err = parseMetadataMode(mode); err != nil {
		return nil, err
	}
	if c.maxLineBytes, err = conf.FieldInt(teFieldMaxLineBytes); err != nil {
		return nil, err
	}
	if c.classifyWorkers, err = conf.FieldInt(teFieldClassifyWorkers); err != nil {
		return nil, err
	}
	return newTrackerEvent(c, mgr, time.Now)
}

func parseMetadataMode(mode string) (bool, error) {
	switch mode {
	case teMetadataRouting:
		return false, nil
	case teMetadataAll:
		return true, nil
	}
	return false, fmt.Errorf("%s %q is unknown: use %s or %s", teFieldMetadata, mode, teMetadataRouting, teMetadataAll)
}

// newTrackerEvent builds the processor; now is read once per batch.
func newTrackerEvent(c config, mgr *service.Resources, now func() time.Time) (*trackerEvent, error) {
	if c.maxLineBytes <= 0 {
		return nil, fmt.Errorf("%s is %d; it must be positive", teFieldMaxLineBytes, c.maxLineBytes)
	}
	if c.classifyWorkers < 0 {
		return nil, fmt.Errorf("%s is %d; use 0 for GOMAXPROCS or 1 to classify on the pipeline thread only", teFieldClassifyWorkers, c.classifyWorkers)
	}
	pl, err := newPlan(c.fields, c.keepOriginal)
	if err != nil {
		return nil, fmt.Errorf("checking %s: %w", teFieldFields, err)
	}
	m := mgr.Metrics()
	t := &trackerEvent{
		plan: pl, keepOriginal: c.keepOriginal, allMetadata: c.allMetadata, maxLineBytes: c.maxLineBytes, now: now, workers: c.classifyWorkers,
		hits: m.NewCounter("device_cache_hits"), misses: m.NewCounter("device_cache_misses"),
		lookups: m.NewCounter("geoip_lookups"), geoMiss: m.NewCounter("geoip_misses"),
		lag: m.NewTimer(tracker.MetricEventLag),
	}
	if c.geoipDatabase == "" {
		mgr.Logger().Warn("The tracker_event processor has no geoip_database: META country stays unset. Set geoip_database (GEOIP_DB in the default config) to a GeoIP2/GeoLite2 Country or City .mmdb file.")
	} else {
		build := m.NewGauge("geoip_database_build_timestamp")
		t.geo, err = geoip.OpenCountries(c.geoipDatabase, c.geoipReloadInterval, mgr.Logger(), func(epoch int64) { build.Set(epoch) })
		if err != nil {
			return nil, fmt.Errorf("loading %s: %w", teFieldGeoIPDatabase, err)
		}
	}
	if t.det, err = device.NewDetector(c.regexesFile, c.cacheSize); err != nil {
		_ = t.Close(context.Background())
		return nil, err
	}
	if c.cacheSize > 0 {
		t.memo = newUAMemo(t.det)
	}
	t.lastMisses.Store(minPrefetch) // the first batch looks for misses
	return t, nil
}

// batchState is the per-batch working memory of ProcessBatch.
type batchState struct {
	now    int64
	all    string // every line to convert, copied end to end
	lens   []int  // the length of each message's line in all; -1: skip
	boxes  []tracker.BoxedString
	nbox   int
	topics [maxTopicBoxes]struct {
		name string
		val  any
	}
	ntopic int
	counts struct{ hits, misses, lookups, geoMiss int64 }
	// pre classifies the batch's new user agents beside the main pass; nil
	// when the main pass classifies them all.
	pre *prefetcher
}

// box returns s boxed in the batch's shared allocation.
func (b *batchState) box(s string) any {
	v := b.boxes[b.nbox].Set(s)
	b.nbox++
	return v
}

// topic returns the kafka_topic value for name, boxed once per distinct
// topic of the batch (up to maxTopicBoxes of them).
func (b *batchState) topic(name string) any {
	for i := range b.ntopic {
		if b.topics[i].name == name {
			return b.topics[i].val
		}
	}
	if b.ntopic == maxTopicBoxes {
		return name
	}
	t := &b.topics[b.ntopic]
	t.name, t.val = name, b.box(name)
	b.ntopic++
	return t.val
}

// ProcessBatch converts every message of the batch that no earlier step
// failed. The lines are copied into one string, whose substrings the
// metadata values are, and the new contents are written into one buffer.
func (t *trackerEvent) ProcessBatch(_ context.Context, batch service.MessageBatch) ([]service.MessageBatch, error) {
	t.count(t.convert(batch))
	return []service.MessageBatch{batch}, nil
}

// convert does ProcessBatch's work and returns the batch's state, with the
// counts the metrics are to get.
func (t *trackerEvent) convert(batch service.MessageBatch) *batchState {
	b := t.gather(batch)
	b.pre = t.prefetch(b)
	defer b.pre.wait()
	perLine := 0
	if t.allMetadata {
		perLine = 5 // the tracker_line values but the topic
	}
	if t.keepOriginal != "" {
		perLine++
	}
	b.boxes = make([]tracker.BoxedString, perLine*len(batch)+maxTopicBoxes)
	buf := make([]byte, 0, t.outputEstimate(b, len(batch)))
	off := 0
	var ev event
	for i, msg := range batch {
		if b.lens[i] < 0 {
			continue
		}
		ev.orig = b.all[off : off+b.lens[i]]
		off += b.lens[i]
		var err error
		if ev.line, err = tracker.ParseLineString(ev.orig); err != nil {
			msg.SetError(err)
			continue
		}
		t.classify(b, i, &ev)
		t.lag.Timing(tracker.EventLag(b.now, ev.line.TS))
		t.setMeta(b, msg, &ev)
		start := len(buf)
		buf = append(buf, ev.line.Path...)
		buf = append(buf, ' ')
		buf = t.plan.appendMeta(buf, &ev, b.now, msg)
		buf = append(buf, ' ')
		buf = append(buf, ev.line.Query...)
		msg.SetBytes(buf[start:len(buf):len(buf)])
	}
	if n := len(batch); n > 0 {
		t.perLine.Store(int64(len(buf) / n))
	}
	return b
}

// outputEstimate sizes the buffer for a batch of n messages: from the
// bytes per message of the previous batch, with an eighth more, or, for a
// first batch, from the lines and the META plan. The buffer grows if it is
// short.
func (t *trackerEvent) outputEstimate(b *batchState, n int) int {
	if per := t.perLine.Load(); per > 0 {
		return n*int(per+per/8) + 256
	}
	return len(b.all) + n*(t.plan.estimate+2)
}

// gather reads the clock and copies the lines of the messages to convert
// into one string, flagging those longer than max_line_bytes.
func (t *trackerEvent) gather(batch service.MessageBatch) *batchState {
	b := &batchState{now: t.now().Unix(), lens: make([]int, len(batch))}
	total := 0
	for i, msg := range batch {
		b.lens[i] = -1
		if msg.GetError() != nil {
			continue // failed an earlier step: left as it is
		}
		c, _ := msg.AsBytes()
		if err := tracker.CheckLineLength(len(c), t.maxLineBytes); err != nil {
			msg.SetError(err)
			continue
		}
		b.lens[i] = len(c)
		total += len(c)
	}
	var sb strings.Builder
	sb.Grow(total)
	for i, msg := range batch {
		if b.lens[i] >= 0 {
			c, _ := msg.AsBytes()
			sb.Write(c)
		}
	}
	b.all = sb.String()
	return b
}

// classify looks up the device and the country of ev's line, the batch's
// message i.
func (t *trackerEvent) classify(b *batchState, i int, ev *event) {
	var hit bool
	if cls, ok := b.pre.take(i); ok {
		ev.cls = cls // a miss a helper classified
	} else if t.memo != nil {
		ev.cls, hit = t.memo.lookup(ev.line.UserAgent)
	} else {
		ev.cls, hit = t.det.Lookup(ev.line.UserAgent)
	}
	if hit {
		b.counts.hits++
	} else {
		b.counts.misses++
	}
	if t.plan.devices {
		ev.frags = ev.cls.CGI()
	}
	ev.country, ev.countryVal = "", nil
	if t.geo != nil {
		b.counts.lookups++
		if ev.country, ev.countryVal = t.geo.Country(ev.line.IP); ev.countryVal == nil {
			b.counts.geoMiss++
		}
	}
}

// deviceFields are the values device_detect sets, in its order.
var deviceFields = [...]device.Field{device.FieldDevice, device.FieldPlatform, device.FieldDeviceName, device.FieldBotName}

// setMeta sets the metadata of a converted message, in the order the chain
// sets it, so a keep_original key that collides with another wins as there.
func (t *trackerEvent) setMeta(b *batchState, msg *service.Message, ev *event) {
	msg.MetaSetMut(tracker.MetaTopic, b.topic(ev.line.Topic))
	if t.allMetadata {
		l := &ev.line
		msg.MetaSetMut(tracker.MetaClientIP, b.box(l.IPText))
		msg.MetaSetMut(tracker.MetaTS, b.box(l.TSText))
		msg.MetaSetMut(tracker.MetaPath, b.box(l.Path))
		msg.MetaSetMut(tracker.MetaQuery, b.box(l.Query))
		msg.MetaSetMut(tracker.MetaUserAgent, b.box(l.UserAgent))
		for _, f := range deviceFields {
			if v := ev.cls.Value(f); v != nil {
				msg.MetaSetMut(f.Key(), v)
			} else {
				msg.MetaDelete(f.Key())
			}
		}
		if ev.countryVal != nil {
			msg.MetaSetMut(geoip.MetaCountry, ev.countryVal)
		}
	}
	if t.keepOriginal != "" {
		msg.MetaSetMut(t.keepOriginal, b.box(ev.orig))
	}
}

// count adds the batch's counts to the metrics; zero increments are
// skipped, as the four processors do.
func (t *trackerEvent) count(b *batchState) {
	t.lastMisses.Store(b.counts.misses)
	for _, c := range []struct {
		m *service.MetricCounter
		n int64
	}{{t.hits, b.counts.hits}, {t.misses, b.counts.misses}, {t.lookups, b.counts.lookups}, {t.geoMiss, b.counts.geoMiss}} {
		if c.n > 0 {
			c.m.Incr(c.n)
		}
	}
}

// Close releases the shared device detector and stops the GeoIP reloader.
func (t *trackerEvent) Close(context.Context) error {
	if t.det != nil {
		t.det.Close()
	}
	if t.geo != nil {
		t.geo.Close()
	}
	return nil
}
