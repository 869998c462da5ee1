package kafka

import (
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Metric names of the kafka outputs. Benthos adds the output's `label` and
// `path` labels to each.
const (
	metricDelivered      = "kafkastore_delivered_total"
	metricRejected       = "kafkastore_kafka_rejected_total"
	metricRetries        = "kafkastore_kafka_retries_total"
	metricProduceLatency = "kafkastore_produce_latency"
	metricLabelTopic     = "topic"
)

// writerMetrics counts what a franzWriter delivers. Every method is safe on a
// nil receiver and on a writerMetrics built from nil service.Metrics, so
// tests and benchmarks can leave metrics out.
type writerMetrics struct {
	delivered *service.MetricCounter // records Kafka acknowledged, by topic
	rejected  *service.MetricCounter // records refused for good, by topic
	retries   *service.MetricCounter // records re-produced after a transient failure
	latency   *service.MetricTimer   // WriteBatch start to all records settled
}

func newWriterMetrics(m *service.Metrics) *writerMetrics {
	wm := &writerMetrics{
		delivered: m.NewCounter(metricDelivered, metricLabelTopic),
		rejected:  m.NewCounter(metricRejected, metricLabelTopic),
		retries:   m.NewCounter(metricRetries),
		latency:   m.NewTimer(metricProduceLatency),
	}
	// Exported at 0 from the start, so a dashboard sees the series before
	// the first retry.
	wm.retries.Incr(0)
	return wm
}

// topicCount is one entry of a batch's per-topic tally.
type topicCount struct {
	topic string
	n     int64
}

// tallyTopics adds one to the count of each record's topic in counts and
// returns it. A batch spans a handful of topics, so a linear scan of a slice
// beats a map and, with a caller-provided array, does not allocate.
func tallyTopics(counts []topicCount, topic string) []topicCount {
	for i := range counts {
		if counts[i].topic == topic {
			counts[i].n++
			return counts
		}
	}
	return append(counts, topicCount{topic: topic, n: 1})
}

// batchDone records the outcome of one WriteBatch that settled every record:
// errs[i] nil means recs[i] was delivered, otherwise it was refused for good.
// Counters are incremented once per topic, not per record.
func (m *writerMetrics) batchDone(recs []kgo.Record, errs []error, started time.Time) {
	if m == nil {
		return
	}
	var okArr, badArr [8]topicCount
	ok, bad := okArr[:0], badArr[:0]
	for i := range recs {
		if errs[i] == nil {
			ok = tallyTopics(ok, recs[i].Topic)
		} else {
			bad = tallyTopics(bad, recs[i].Topic)
		}
	}
	for _, c := range ok {
		m.delivered.Incr(c.n, c.topic)
	}
	for _, c := range bad {
		m.rejected.Incr(c.n, c.topic)
	}
	m.latency.Timing(time.Since(started).Nanoseconds())
}

// retried records n records about to be produced again.
func (m *writerMetrics) retried(n int) {
	if m == nil || n == 0 {
		return
	}
	m.retries.Incr(int64(n))
}
