package redis

import (
	"context"
	"testing"
	"time"

	"github.com/kafkastore/kafkastore/internal/redistest"
)

// BenchmarkInputPop pops 100k tracker-sized lines per iteration in batches
// of 500 and acknowledges every batch.
func BenchmarkInputPop(b *testing.B) {
	const lines, batch = 100_000, 500
	line := "127.0.0.1 1700000000 clicks /t/click f=e&g=h Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15"
	values := make([]any, 10_000)
	for i := range values {
		values[i] = line
	}
	for _, mode := range []struct {
		name string
		yaml string
	}{
		{name: "reliable", yaml: "batch_size: 500\n"},
		{name: "plain", yaml: "batch_size: 500\nreliable: false\n"},
	} {
		b.Run(mode.name, func(b *testing.B) {
			srv := redistest.Start(b)
			c := srv.Client(b)
			in := startInput(b, srv, "key: q\n"+mode.yaml)
			ctx := context.Background()
			b.ReportAllocs()
			var popped int
			var elapsed time.Duration
			for b.Loop() {
				b.StopTimer()
				for range lines / len(values) {
					c.RPush(ctx, "q", values...)
				}
				b.StartTimer()
				start := time.Now()
				for n := 0; n < lines; {
					msgs, ack, err := in.ReadBatch(ctx)
					if err != nil {
						b.Fatal(err)
					}
					if len(msgs) != batch {
						b.Fatalf("batch of %d, want %d", len(msgs), batch)
					}
					if err := ack(ctx, nil); err != nil {
						b.Fatal(err)
					}
					n += len(msgs)
				}
				elapsed += time.Since(start)
				popped += lines
			}
			b.ReportMetric(float64(popped)/elapsed.Seconds(), "lines/s")
		})
	}
}
