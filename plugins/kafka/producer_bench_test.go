package kafka

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/kafkastore/kafkastore/internal/kafkatest"
	"github.com/kafkastore/kafkastore/internal/synth"
)

// BenchmarkKafkaFranzCompression produces batches of 500 synthetic CGI
// messages, as config/kafkastore.yaml does (topic from metadata, no key),
// with each codec, to an in-process kfake broker. cpu-ns/record is the
// whole process's CPU, broker included, so it shows what a codec saves or
// costs the machine, not the client alone.
func BenchmarkKafkaFranzCompression(b *testing.B) {
	const size = 500
	g := synth.New(synth.Options{Seed: 3, Now: time.Now().Unix()})
	batch := make(service.MessageBatch, size)
	for i := range batch {
		// A CGI message is about as long as its tracker line.
		m := service.NewMessage([]byte(g.Line()))
		m.MetaSetMut("kafka_topic", "clicks")
		batch[i] = m
	}
	for _, codec := range []string{"none", "snappy", "lz4", "zstd"} {
		b.Run(codec, func(b *testing.B) {
			c := kafkatest.Start(b)
			w := newTestWriter(b, fmt.Sprintf("seed_brokers: [ %q ]\ntopic: ${! @kafka_topic }\ncompression: %s\n", c.Addrs()[0], codec))
			b.ReportAllocs()
			cpu0 := processCPU()
			for b.Loop() {
				if err := w.WriteBatch(b.Context(), batch); err != nil {
					b.Fatal(err)
				}
			}
			records := float64(b.N * size)
			b.ReportMetric(records/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64((processCPU()-cpu0).Nanoseconds())/records, "cpu-ns/record")
		})
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
