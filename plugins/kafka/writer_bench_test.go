package kafka

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/kafkastore/kafkastore/internal/kafkatest"
)

// BenchmarkKafkaFranzWriteBatch produces batches of 500 200-byte values, keyed
// by one of 64 client IPs, to a kfake broker that discards record bytes.
func BenchmarkKafkaFranzWriteBatch(b *testing.B) {
	c := kafkatest.Start(b, kfake.BlackholeProduce())
	w := newTestWriter(b, fmt.Sprintf(`
seed_brokers: [ %q ]
topic: ${! @kafka_topic }
key: ${! @client_ip }
`, c.Addrs()[0]))

	const size = 500
	value := bytes.Repeat([]byte("x"), 200)
	batch := make(service.MessageBatch, size)
	for i := range batch {
		m := service.NewMessage(value)
		m.MetaSetMut("kafka_topic", "clicks")
		m.MetaSetMut("client_ip", fmt.Sprintf("10.0.0.%d", i%64))
		batch[i] = m
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := w.WriteBatch(b.Context(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "records/s")
}
