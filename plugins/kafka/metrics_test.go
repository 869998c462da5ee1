package kafka

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/kafkastore/kafkastore/internal/kafkatest"
	_ "github.com/kafkastore/kafkastore/plugins/prometheus"
)

func TestTallyTopics(t *testing.T) {
	tests := []struct {
		name   string
		topics []string
		want   []topicCount
	}{
		{name: "empty", want: nil},
		{name: "one topic", topics: []string{"a", "a", "a"}, want: []topicCount{{"a", 3}}},
		{name: "first seen first", topics: []string{"b", "a", "b", ""}, want: []topicCount{{"b", 2}, {"a", 1}, {"", 1}}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			var got []topicCount
			for _, topic := range test.topics {
				got = tallyTopics(got, topic)
			}
			if fmt.Sprint(got) != fmt.Sprint(test.want) {
				t.Errorf("got %v, want %v", got, test.want)
			}
		})
	}
}

// TestWriterMetrics produces one batch of 10 through a registered kafka_franz
// output (2 with an invalid topic) to kfake and scrapes the prometheus
// exporter: delivered and rejected counts are per topic, retries start at 0
// and the produce latency timer has one observation per batch.
func TestWriterMetrics(t *testing.T) {
	skipShort(t)
	c := kafkatest.Start(t)
	sb := service.NewStreamBuilder()
	mux := http.NewServeMux()
	sb.SetHTTPMux(mux)
	err := sb.SetYAML(fmt.Sprintf(`
input:
  generate:
    count: 10
    batch_size: 10
    interval: ""
    mapping: |
      root = "v"
      let n = counter()
      meta kafka_topic = if $n %% 5 == 0 { "bad topic" } else if $n %% 2 == 0 { "a" } else { "b" }
output:
  fallback:
    - label: kafka
      kafka_franz:
        seed_brokers: [ %q ]
        topic: ${! @kafka_topic }
    - drop: {}
metrics:
  prometheus:
    use_histogram_timing: true
logger:
  level: none
`, c.Addrs()[0]))
	if err != nil {
		t.Fatal(err)
	}
	stream, err := sb.Build()
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/metrics", nil))
	body := rec.Body.String()

	const labels = `label="kafka",path="root.output.fallback.0"`
	tests := []struct {
		series string
		want   float64
	}{
		{`kafkastore_delivered_total{` + labels + `,topic="a"}`, 4},
		{`kafkastore_delivered_total{` + labels + `,topic="b"}`, 4},
		{`kafkastore_kafka_rejected_total{` + labels + `,topic="bad topic"}`, 2},
		{`kafkastore_kafka_retries_total{` + labels + `}`, 0},
		{`kafkastore_produce_latency_count{` + labels + `}`, 1},
	}
	for _, test := range tests {
		t.Run(test.series, func(t *testing.T) {
			m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(test.series) + ` (\S+)$`).FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("no series %s in:\n%s", test.series, body)
			}
			if got, _ := strconv.ParseFloat(m[1], 64); got != test.want {
				t.Errorf("%s = %v, want %v", test.series, got, test.want)
			}
		})
	}
	if strings.Contains(body, `kafkastore_delivered_total{`+labels+`,topic="bad topic"}`) {
		t.Errorf("rejected records counted as delivered:\n%s", body)
	}
}
