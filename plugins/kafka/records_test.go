package kafka

import (
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestTopicFromMetadata checks that the direct metadata read for topics
// like `${! @kafka_topic }` gives what the interpolation gives.
func TestTopicFromMetadata(t *testing.T) {
	tests := []struct {
		name      string
		topic     string
		meta      map[string]any
		wantFast  bool
		wantTopic string
	}{
		{name: "at reference", topic: `${! @kafka_topic }`, meta: map[string]any{"kafka_topic": "clicks"}, wantFast: true, wantTopic: "clicks"},
		{name: "meta function", topic: `${!meta("kafka_topic")}`, meta: map[string]any{"kafka_topic": "clicks"}, wantFast: true, wantTopic: "clicks"},
		{name: "metadata function", topic: `${! metadata("t") }`, meta: map[string]any{"t": "a.b"}, wantFast: true, wantTopic: "a.b"},
		{name: "a number takes the interpolation", topic: `${! @t }`, meta: map[string]any{"t": 42}, wantFast: true, wantTopic: "42"},
		{name: "missing takes the interpolation", topic: `${! @t }`, meta: map[string]any{}, wantFast: true, wantTopic: "null"},
		{name: "more than a reference", topic: `events_${! @t }`, meta: map[string]any{"t": "x"}, wantTopic: "events_x"},
		{name: "an expression", topic: `${! @t.uppercase() }`, meta: map[string]any{"t": "x"}, wantTopic: "X"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			interp, err := service.NewInterpolatedString(test.topic)
			if err != nil {
				t.Fatal(err)
			}
			c := recordConfig{topic: interp}
			c.setTopicSource(test.topic)
			if got := c.topicMeta != ""; got != test.wantFast {
				t.Fatalf("fast path %v, want %v", got, test.wantFast)
			}
			msg := service.NewMessage([]byte("v"))
			for k, v := range test.meta {
				msg.MetaSetMut(k, v)
			}
			var r kgo.Record
			if err := c.build(&r, msg); err != nil {
				t.Fatal(err)
			}
			if r.Topic != test.wantTopic {
				t.Errorf("topic %q, want %q", r.Topic, test.wantTopic)
			}
			if want, _ := interp.TryString(msg); r.Topic != want {
				t.Errorf("topic %q, interpolation gives %q", r.Topic, want)
			}
		})
	}
}
