package tracker

import (
	"context"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
)

const (
	cgiFieldFields       = "fields"
	cgiFieldKeepOriginal = "keep_original"

	// metricEventLag is the timer of now minus event_ts, one observation
	// per message turned into a CGI message. Benthos adds the processor's
	// `label` and `path` labels.
	metricEventLag = "kafkastore_event_lag"
	// maxLagSeconds keeps the lag in nanoseconds within an int64 whatever
	// event_ts says.
	maxLagSeconds = math.MaxInt64 / int64(time.Second)

	// metaValueEstimate is the room reserved per META value when sizing a
	// batch's output buffer; the buffer grows if values are longer.
	metaValueEstimate = 24
)

var cgiDefaultFields = []string{"bot_name", "country", "device", "device_name", "ip", "klag", "platform", "ts"}

func cgiMessageSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Categories("Utility").
		Summary("Replaces the content with the CGI message `PATH META QUERY` built from the metadata that `tracker_line`, `device_detect` and `geoip` set.").
		Description(`
PATH is `+"`@event_path`"+` and QUERY is `+"`@event_query`"+`, both as written. META is
`+"`key=value`"+` pairs joined by `+"`&`"+`, one per entry of `+"`fields`"+`, sorted by key.
A key whose metadata is not set is written bare (`+"`country`"+`); one set to the
empty string is written `+"`country=`"+`. Values are percent-encoded per RFC 3986:
`+"`A-Za-z0-9-._~`"+` kept, every other byte `+"`%XX`"+` in upper-case hex, a space `+"`%20`"+`.

| field | value |
|---|---|
| `+"`ip`"+` | `+"`@client_ip`"+` as a decimal integer: IPv4 as a 32-bit number (`+"`127.0.0.1`"+` is `+"`2130706433`"+`), IPv6 as a 128-bit number; an IPv4-mapped IPv6 address counts as its IPv4 address |
| `+"`ts`"+` | `+"`@event_ts`"+` in decimal |
| `+"`klag`"+` | seconds between `+"`@event_ts`"+` and the time the batch is processed (negative if the tracker's clock is ahead) |
| anything else | the metadata key of the same name, e.g. `+"`country`"+`, `+"`device`"+`, or `+"`city`"+` when `+"`geoip`"+` sets it |

A message whose `+"`event_path`"+`, `+"`event_query`"+`, `+"`client_ip`"+` or `+"`event_ts`"+` is
missing or invalid keeps its content and is flagged with an error. A message
already flagged by an earlier step is left as it is, content and error, so the
chain behaves as inside a `+"`try`"+` block without `+"`try`"+` splitting the batch.

The processor reads the clock once per batch and writes all of a batch's messages
into one buffer.

Metrics: the timer `+"`kafkastore_event_lag`"+` records `+"`klag`"+` (whole seconds, as nanoseconds in the Benthos timer convention) once per message it converts, whether or not `+"`fields`"+` writes `+"`klag`"+`. With the `+"`prometheus`"+` exporter's `+"`use_histogram_timing`"+` it is a histogram in seconds.`).
		Field(service.NewStringListField(cgiFieldFields).
			Description("The META keys to write. `ip`, `ts` and `klag` are computed as above; any other name reads the metadata key of that name. Names must be unique and made of `A-Za-z0-9-._~`; the order given does not matter, they are written sorted.").
			Default(cgiDefaultFields)).
		Field(service.NewStringField(cgiFieldKeepOriginal).
			Description("When set, the metadata key under which the original content (the tracker line) is stored before it is replaced, so that a later dead-letter step can write the line back unchanged. Empty keeps nothing.").
			Advanced().
			Default("")).
		Example("Tracker line to CGI message",
			"With `device_detect` setting `device: smartphone`, `device_name: iPhone` and `platform: ios`, the line `127.0.0.1 1700000000 clicks /t/click f=e&g=h iPhone Banana Phone` processed in the second it was tracked becomes `/t/click bot_name&country&device=smartphone&device_name=iPhone&ip=2130706433&klag=0&platform=ios&ts=1700000000 f=e&g=h`, with the line kept in `@tracker_line`.",
			`
pipeline:
  processors:
    - try:
        - tracker_line: {}
        - device_detect: {}
        - geoip:
            database: /var/lib/GeoIP/GeoLite2-Country.mmdb
        - cgi_message:
            keep_original: tracker_line
`)
}

func init() {
	service.MustRegisterBatchProcessor("cgi_message", cgiMessageSpec(),
		func(conf *service.ParsedConfig, mgr *service.Resources) (service.BatchProcessor, error) {
			c, err := newCGIMessageFromConfig(conf)
			if err != nil {
				return nil, err
			}
			c.lag = mgr.Metrics().NewTimer(metricEventLag)
			return c, nil
		})
}

// metaKind says where a META value comes from.
type metaKind uint8

const (
	kindMeta metaKind = iota // the metadata key of the same name
	kindIP                   // client_ip as a decimal integer
	kindTS                   // event_ts
	kindKlag                 // now - event_ts
)

type cgiMessage struct {
	meta         *MetaBuilder
	kinds        []metaKind // kinds[i] is the kind of meta.Keys()[i]
	metaEstimate int        // bytes reserved for META per message
	keepOriginal string
	now          func() time.Time
	lag          timing // nil: no event lag metric
}

// timing is the part of *service.MetricTimer the processor uses.
type timing interface {
	Timing(delta int64, labelValues ...string)
}

func newCGIMessageFromConfig(conf *service.ParsedConfig) (*cgiMessage, error) {
	fields, err := conf.FieldStringList(cgiFieldFields)
	if err != nil {
		return nil, err
	}
	keepOriginal, err := conf.FieldString(cgiFieldKeepOriginal)
	if err != nil {
		return nil, err
	}
	return newCGIMessage(fields, keepOriginal, time.Now)
}

// newCGIMessage builds the processor; now is read once per batch.
func newCGIMessage(fields []string, keepOriginal string, now func() time.Time) (*cgiMessage, error) {
	meta, err := NewMetaBuilder(fields)
	if err != nil {
		return nil, fmt.Errorf("checking %s: %w", cgiFieldFields, err)
	}
	c := &cgiMessage{meta: meta, keepOriginal: keepOriginal, now: now}
	for _, k := range meta.Keys() {
		kind := kindMeta
		switch k {
		case "ip":
			kind = kindIP
		case "ts":
			kind = kindTS
		case "klag":
			kind = kindKlag
		}
		c.kinds = append(c.kinds, kind)
		c.metaEstimate += len(k) + 2 + metaValueEstimate
	}
	return c, nil
}

// event is what a message's metadata says about it.
type event struct {
	path, query string
	addr        netip.Addr
	ts          int64
	ok          bool
}

// ProcessBatch replaces the content of every message whose metadata is valid.
// It reads the metadata of the whole batch first to size one output buffer,
// then writes each message's CGI string into it.
func (c *cgiMessage) ProcessBatch(_ context.Context, batch service.MessageBatch) ([]service.MessageBatch, error) {
	now := c.now().Unix()
	events := make([]event, len(batch))
	size, origSize := 0, 0
	for i, msg := range batch {
		if msg.GetError() != nil {
			continue // failed an earlier step: left as it is
		}
		ev, err := readEvent(msg)
		if err != nil {
			msg.SetError(err)
			continue
		}
		events[i] = ev
		size += len(ev.path) + len(ev.query) + 2 + c.metaEstimate
		if c.keepOriginal != "" {
			b, _ := msg.AsBytes()
			origSize += len(b)
		}
	}
	originals := c.originals(batch, events, origSize)
	next := 0

	buf := make([]byte, 0, size)
	for i, msg := range batch {
		ev := &events[i]
		if !ev.ok {
			continue
		}
		if c.lag != nil {
			c.lag.Timing(EventLag(now, ev.ts))
		}
		if originals != nil {
			msg.MetaSetMut(c.keepOriginal, originals[next].a)
			next++
		}
		start := len(buf)
		buf = append(buf, ev.path...)
		buf = append(buf, ' ')
		buf = c.meta.Append(buf, func(dst []byte, k int) ([]byte, bool) {
			return c.appendValue(dst, msg, k, ev, now)
		})
		buf = append(buf, ' ')
		buf = append(buf, ev.query...)
		msg.SetBytes(buf[start:len(buf):len(buf)])
	}
	return []service.MessageBatch{batch}, nil
}

// originals returns the contents of the valid messages, in order, as
// substrings of one string boxed in one allocation (see boxedString), or
// nil when keep_original is off.
func (c *cgiMessage) originals(batch service.MessageBatch, events []event, size int) []boxedString {
	if c.keepOriginal == "" {
		return nil
	}
	var sb strings.Builder
	sb.Grow(size)
	n := 0
	for i, msg := range batch {
		if events[i].ok {
			b, _ := msg.AsBytes()
			sb.Write(b)
			n++
		}
	}
	all := sb.String()
	boxes := make([]boxedString, n)
	start, j := 0, 0
	for i, msg := range batch {
		if events[i].ok {
			b, _ := msg.AsBytes()
			boxes[j].set(all[start : start+len(b)])
			start += len(b)
			j++
		}
	}
	return boxes
}

// appendValue appends the escaped value of META key k for msg.
func (c *cgiMessage) appendValue(dst []byte, msg *service.Message, k int, ev *event, now int64) ([]byte, bool) {
	switch c.kinds[k] {
	case kindIP:
		return AppendIPDecimal(dst, ev.addr), true
	case kindTS:
		return strconv.AppendInt(dst, ev.ts, 10), true
	case kindKlag:
		return strconv.AppendInt(dst, now-ev.ts, 10), true
	default:
		v, ok := msg.MetaGet(c.meta.Keys()[k])
		return AppendEscaped(dst, v), ok
	}
}

// readEvent reads and checks the metadata tracker_line sets.
func readEvent(msg *service.Message) (event, error) {
	var ev event
	var err error
	if ev.path, err = requireMeta(msg, MetaPath); err != nil {
		return ev, err
	}
	if ev.query, err = requireMeta(msg, MetaQuery); err != nil {
		return ev, err
	}
	ip, err := requireMeta(msg, MetaClientIP)
	if err != nil {
		return ev, err
	}
	if ev.addr, err = netip.ParseAddr(ip); err != nil {
		return ev, fmt.Errorf("metadata %s is not an IPv4 or IPv6 address: %s", MetaClientIP, quote(ip))
	}
	ts, err := requireMeta(msg, MetaTS)
	if err != nil {
		return ev, err
	}
	if ev.ts, err = strconv.ParseInt(ts, 10, 64); err != nil {
		return ev, fmt.Errorf("metadata %s is not an integer: %s", MetaTS, quote(ts))
	}
	ev.ok = true
	return ev, nil
}

func requireMeta(msg *service.Message, key string) (string, error) {
	v, ok := msg.MetaGet(key)
	if !ok {
		return "", fmt.Errorf("metadata %s is not set; run tracker_line before cgi_message", key)
	}
	if v == "" {
		return "", fmt.Errorf("metadata %s is empty", key)
	}
	return v, nil
}

// Close does nothing: the processor holds no resources.
func (*cgiMessage) Close(context.Context) error {
	return nil
}
