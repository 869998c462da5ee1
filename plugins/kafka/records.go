package kafka

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// errRecordInvalid marks messages that cannot become a record (a failed
// interpolation, a partition that is not a number): like a refusal by Kafka,
// retrying cannot help.
var errRecordInvalid = errors.New("message cannot be produced")

// metadataWalker is implemented by both service.MetadataFilter and
// service.MetadataExcludeFilter.
type metadataWalker interface {
	Walk(msg *service.Message, fn func(key, value string) error) error
}

// recordConfig turns a message into a kgo.Record.
type recordConfig struct {
	topic     *service.InterpolatedString
	key       *service.InterpolatedString // nil: no key
	partition *service.InterpolatedString // nil: the partitioner decides
	timestamp *service.InterpolatedString // nil: now
	tsUnit    time.Duration               // unit of timestamp: time.Second or time.Millisecond

	emptyKeyIsNil bool           // the kafka output sends an empty key as no key
	metadata      metadataWalker // nil: no metadata headers
	staticHeaders []kgo.RecordHeader

	staticTopic string // set when topic has no interpolation
	// topicMeta is the metadata key when topic is exactly one metadata
	// reference (`${! @kafka_topic }`): a string value is read directly,
	// without the interpolation's per-message allocations.
	topicMeta string
}

// topicMetaRe matches an interpolation that is nothing but one metadata
// reference: `${! @key }`, `${! meta("key") }` or `${! metadata("key") }`.
var topicMetaRe = regexp.MustCompile(`^\$\{!\s*(?:@([A-Za-z0-9_]+)|meta(?:data)?\("([A-Za-z0-9_]+)"\))\s*\}$`)

// setTopicSource records, from the topic field as written, whether the
// topic is one metadata reference.
func (c *recordConfig) setTopicSource(raw string) {
	if m := topicMetaRe.FindStringSubmatch(raw); m != nil {
		c.topicMeta = m[1] + m[2]
	}
}

// init validates a static topic so that a bad name fails at config time.
func (c *recordConfig) init() error {
	if s, ok := c.topic.Static(); ok {
		if err := validateTopic(s); err != nil {
			return err
		}
		c.staticTopic = s
	}
	return nil
}

func (c *recordConfig) build(r *kgo.Record, msg *service.Message) error {
	var err error
	if r.Value, err = msg.AsBytes(); err != nil {
		return invalid("reading message", err)
	}
	if r.Topic = c.staticTopic; r.Topic == "" {
		if r.Topic = c.metaTopic(msg); r.Topic == "" {
			if r.Topic, err = c.topic.TryString(msg); err != nil {
				return invalid("interpolating topic", err)
			}
		}
		if err := validateTopic(r.Topic); err != nil {
			return err
		}
	}
	if c.key != nil {
		if r.Key, err = c.key.TryBytes(msg); err != nil {
			return invalid("interpolating key", err)
		}
		if c.emptyKeyIsNil && len(r.Key) == 0 {
			r.Key = nil
		}
	}
	if c.partition != nil {
		s, err := c.partition.TryString(msg)
		if err != nil {
			return invalid("interpolating partition", err)
		}
		p, err := strconv.ParseInt(s, 10, 32)
		if err != nil || p < 0 {
			return invalid("parsing partition", fmt.Errorf("%q is not a partition number", s))
		}
		r.Partition = int32(p)
	}
	if c.timestamp != nil {
		s, err := c.timestamp.TryString(msg)
		if err != nil {
			return invalid("interpolating timestamp", err)
		}
		ts, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return invalid("parsing timestamp", err)
		}
		r.Timestamp = time.UnixMilli(ts * int64(c.tsUnit/time.Millisecond))
	}
	c.addHeaders(r, msg)
	return nil
}

// metaTopic returns the topic from metadata when the topic field is one
// metadata reference and the value is a non-empty string: exactly what the
// interpolation would give. Otherwise it returns "" and the caller
// interpolates.
func (c *recordConfig) metaTopic(msg *service.Message) string {
	if c.topicMeta == "" {
		return ""
	}
	v, _ := msg.MetaGetMut(c.topicMeta)
	s, _ := v.(string)
	return s
}

func (c *recordConfig) addHeaders(r *kgo.Record, msg *service.Message) {
	if len(c.staticHeaders) > 0 {
		r.Headers = append(r.Headers, c.staticHeaders...)
	}
	if c.metadata != nil {
		_ = c.metadata.Walk(msg, func(k, v string) error {
			r.Headers = append(r.Headers, kgo.RecordHeader{Key: k, Value: []byte(v)})
			return nil
		})
	}
}

func invalid(doing string, err error) error {
	return fmt.Errorf("%s: %w: %w", doing, errRecordInvalid, err)
}

// validateTopic applies Kafka's topic name rules: 1 to 249 characters of
// [a-zA-Z0-9._-], and neither "." nor "..".
func validateTopic(topic string) error {
	if topic == "" || topic == "." || topic == ".." || len(topic) > 249 {
		return fmt.Errorf("topic %q: %w", topic, kerr.InvalidTopicException)
	}
	for i := 0; i < len(topic); i++ {
		switch c := topic[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
		default:
			return fmt.Errorf("topic %q has character %q: %w", topic, c, kerr.InvalidTopicException)
		}
	}
	return nil
}
