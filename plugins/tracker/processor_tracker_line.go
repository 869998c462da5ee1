package tracker

import (
	"context"
	"fmt"
	"strings"

	"github.com/redpanda-data/benthos/v4/public/service"
)

const (
	tlFieldMaxLineBytes = "max_line_bytes"

	tlDefaultMaxLineBytes = 64 << 10

	// lineMetaKeys is the number of metadata keys set per line.
	lineMetaKeys = 6
)

func trackerLineSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Categories("Parsing").
		Summary("Parses a tracker line `IP UNIX_TS TOPIC PATH QUERY USER AGENT...` into metadata, leaving the content unchanged.").
		Description(`
Fields are separated by single spaces. The first five are fixed; the user agent
is everything after the space that follows QUERY, spaces included, and is empty
when the line has exactly five fields. One trailing `+"`\\n`"+` or `+"`\\r\\n`"+` is ignored.

| field | metadata key | notes |
|---|---|---|
| 1 IP | `+"`client_ip`"+` | IPv4 or IPv6 address, as written |
| 2 UNIX_TS | `+"`event_ts`"+` | base-10 integer seconds, as written |
| 3 TOPIC | `+"`kafka_topic`"+` | a legal Kafka topic name: 1-249 bytes of `+"`A-Za-z0-9._-`"+` |
| 4 PATH | `+"`event_path`"+` | as written |
| 5 QUERY | `+"`event_query`"+` | as written; trackers write `+"`p`"+` when the request had none |
| rest | `+"`user_agent`"+` | as written; set even when empty |

A line that cannot be parsed (fewer than five fields, an empty field made by two
spaces in a row, a bad address, timestamp or topic, or more than
`+"`max_line_bytes`"+` bytes) keeps its content, gets no metadata and is flagged
with an error naming the problem, so that a `+"`try`"+` block skips the rest of the
chain and the output can send it to the dead-letter list unchanged. Offending
values are quoted in the error cut to 64 bytes.

The processor works on whole batches: it copies a batch's lines into one string
and sets substrings of it as metadata, boxed for Benthos with one allocation per
batch rather than one per value.`).
		Field(service.NewIntField(tlFieldMaxLineBytes).
			Description("Lines longer than this many bytes (including any trailing newline) are flagged as errors without being parsed.").
			Advanced().
			Default(tlDefaultMaxLineBytes)).
		Example("Parse tracker lines",
			"The line `127.0.0.1 1700000000 clicks /t/click f=e&g=h iPhone Banana Phone` gets the metadata `client_ip: 127.0.0.1`, `event_ts: 1700000000`, `kafka_topic: clicks`, `event_path: /t/click`, `event_query: f=e&g=h` and `user_agent: iPhone Banana Phone`.",
			`
pipeline:
  processors:
    - try:
        - tracker_line: {}
        - cgi_message:
            keep_original: tracker_line
`)
}

func init() {
	service.MustRegisterBatchProcessor("tracker_line", trackerLineSpec(),
		func(conf *service.ParsedConfig, _ *service.Resources) (service.BatchProcessor, error) {
			return newTrackerLineFromConfig(conf)
		})
}

type trackerLine struct {
	maxLineBytes int
}

func newTrackerLineFromConfig(conf *service.ParsedConfig) (*trackerLine, error) {
	maxLineBytes, err := conf.FieldInt(tlFieldMaxLineBytes)
	if err != nil {
		return nil, err
	}
	return newTrackerLine(maxLineBytes)
}

func newTrackerLine(maxLineBytes int) (*trackerLine, error) {
	if maxLineBytes <= 0 {
		return nil, fmt.Errorf("%s is %d; it must be positive", tlFieldMaxLineBytes, maxLineBytes)
	}
	return &trackerLine{maxLineBytes: maxLineBytes}, nil
}

// ProcessBatch parses every message of the batch in place. All lines that
// fit max_line_bytes are copied into one string so that the metadata values
// are substrings of it instead of one allocation each.
func (t *trackerLine) ProcessBatch(_ context.Context, batch service.MessageBatch) ([]service.MessageBatch, error) {
	// lens[i] is the length of message i's line, or -1 when it was flagged
	// before parsing.
	lens := make([]int, len(batch))
	total := 0
	for i, msg := range batch {
		b, err := msg.AsBytes()
		switch {
		case err != nil:
			msg.SetError(fmt.Errorf("reading tracker line: %w", err))
			lens[i] = -1
		case len(b) > t.maxLineBytes:
			msg.SetError(CheckLineLength(len(b), t.maxLineBytes))
			lens[i] = -1
		default:
			lens[i] = len(b)
			total += len(b)
		}
	}

	var sb strings.Builder
	sb.Grow(total)
	for i, msg := range batch {
		if lens[i] >= 0 {
			b, _ := msg.AsBytes()
			sb.Write(b)
		}
	}
	all := sb.String()

	// Every value is a substring of all, and all of them are boxed in one
	// allocation (see boxedString) instead of one per MetaSetMut.
	boxes := make([]boxedString, lineMetaKeys*len(batch))
	off := 0
	for i, msg := range batch {
		if lens[i] < 0 {
			continue
		}
		s := all[off : off+lens[i]]
		off += lens[i]
		l, err := ParseLineString(s)
		if err != nil {
			msg.SetError(err)
			continue
		}
		v := boxes[i*lineMetaKeys : (i+1)*lineMetaKeys]
		msg.MetaSetMut(MetaClientIP, v[0].set(l.IPText))
		msg.MetaSetMut(MetaTS, v[1].set(l.TSText))
		msg.MetaSetMut(MetaTopic, v[2].set(l.Topic))
		msg.MetaSetMut(MetaPath, v[3].set(l.Path))
		msg.MetaSetMut(MetaQuery, v[4].set(l.Query))
		msg.MetaSetMut(MetaUserAgent, v[5].set(l.UserAgent))
	}
	return []service.MessageBatch{batch}, nil
}

// Close does nothing: the processor holds no resources.
func (*trackerLine) Close(context.Context) error {
	return nil
}
