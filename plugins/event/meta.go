package event

import (
	"strconv"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/kafkastore/kafkastore/plugins/device"
	"github.com/kafkastore/kafkastore/plugins/geoip"
	"github.com/kafkastore/kafkastore/plugins/tracker"
)

// stepKind says where the value of one META key comes from, mirroring what
// cgi_message would read after tracker_line, device_detect and geoip.
type stepKind uint8

const (
	stepIP       stepKind = iota // client address as a decimal integer
	stepTS                       // the event time
	stepKlag                     // now minus the event time
	stepDevice                   // a device_detect value, pre-encoded per user agent
	stepCountry                  // geoip's country; the message's own metadata when none
	stepLine                     // a value tracker_line sets
	stepOriginal                 // the keep_original key: the original line
	stepMeta                     // a key no step of the chain sets: the message's metadata
)

// lineField selects a value tracker_line sets.
type lineField uint8

const (
	lineTopic lineField = iota
	linePath
	lineQuery
	lineClientIP
	lineTS
	lineUserAgent
)

var lineKeys = map[string]lineField{
	tracker.MetaTopic: lineTopic, tracker.MetaPath: linePath, tracker.MetaQuery: lineQuery,
	tracker.MetaClientIP: lineClientIP, tracker.MetaTS: lineTS, tracker.MetaUserAgent: lineUserAgent,
}

func (f lineField) of(l *tracker.Line) string {
	switch f {
	case lineTopic:
		return l.Topic
	case linePath:
		return l.Path
	case lineQuery:
		return l.Query
	case lineClientIP:
		return l.IPText
	case lineTS:
		return l.TSText
	default:
		return l.UserAgent
	}
}

// step writes one META key.
type step struct {
	kind   stepKind
	key    string
	sep    string // "&" before every key but the first
	eq     string // the separator, the key and "="
	bare   string // the separator and the key
	field  device.Field
	lfield lineField
}

// plan writes META for a fields list in the order cgi_message does.
type plan struct {
	steps    []step
	devices  bool // some step writes a device value
	estimate int  // bytes reserved per message for META
}

// newPlan plans META for fields (checked as cgi_message checks them) with
// the original line kept under keepOriginal ("" keeps nothing).
func newPlan(fields []string, keepOriginal string) (*plan, error) {
	mb, err := tracker.NewMetaBuilder(fields)
	if err != nil {
		return nil, err
	}
	p := &plan{}
	for i, k := range mb.Keys() {
		sep := ""
		if i > 0 {
			sep = "&"
		}
		s := step{key: k, sep: sep, eq: sep + k + "=", bare: sep + k, kind: stepMeta}
		// cgi_message reads path, query, ip and ts before it stores the
		// original line, every other key after.
		switch lf, isLine := lineKeys[k]; {
		case k == "ip":
			s.kind = stepIP
		case k == "ts":
			s.kind = stepTS
		case k == "klag":
			s.kind = stepKlag
		case k == keepOriginal:
			s.kind = stepOriginal
		case k == geoip.MetaCountry:
			s.kind = stepCountry
		case isLine:
			s.kind, s.lfield = stepLine, lf
		default:
			if f, ok := device.FieldOf(k); ok {
				s.kind, s.field = stepDevice, f
				p.devices = true
			}
		}
		p.steps = append(p.steps, s)
		p.estimate += len(k) + 2 + metaValueEstimate
	}
	return p, nil
}

// metaValueEstimate is the room reserved per META value when sizing a
// batch's output buffer, as in cgi_message.
const metaValueEstimate = 24

// event is what one valid line says, with its classification and country.
type event struct {
	line       tracker.Line
	orig       string // the message's content as it came
	cls        device.Classified
	frags      *device.CGIFragments // cls.CGI(), loaded once when META needs it
	country    string               // "": none found
	countryVal any                  // country boxed, nil when none found
}

// appendMeta appends META for ev to dst; now is the batch's Unix time and
// msg supplies the keys no step of the chain sets.
func (p *plan) appendMeta(dst []byte, ev *event, now int64, msg *service.Message) []byte {
	for i := range p.steps {
		s := &p.steps[i]
		switch s.kind {
		case stepIP:
			dst = tracker.AppendIPDecimal(append(dst, s.eq...), ev.line.IP)
		case stepTS:
			dst = strconv.AppendInt(append(dst, s.eq...), ev.line.TS, 10)
		case stepKlag:
			dst = strconv.AppendInt(append(dst, s.eq...), now-ev.line.TS, 10)
		case stepDevice:
			dst = append(append(dst, s.sep...), ev.frags[s.field]...)
		case stepCountry:
			if ev.country != "" {
				dst = tracker.AppendEscaped(append(dst, s.eq...), ev.country)
			} else {
				dst = appendFromMeta(dst, s, msg)
			}
		case stepLine:
			dst = tracker.AppendEscaped(append(dst, s.eq...), s.lfield.of(&ev.line))
		case stepOriginal:
			dst = tracker.AppendEscaped(append(dst, s.eq...), ev.orig)
		default:
			dst = appendFromMeta(dst, s, msg)
		}
	}
	return dst
}

// appendFromMeta writes s from the message's metadata: `key=value` when
// set, the bare key when not.
func appendFromMeta(dst []byte, s *step, msg *service.Message) []byte {
	if v, ok := msg.MetaGet(s.key); ok {
		return tracker.AppendEscaped(append(dst, s.eq...), v)
	}
	return append(dst, s.bare...)
}
