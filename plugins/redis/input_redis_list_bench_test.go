package redis

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/kafkastore/kafkastore/internal/redistest"
	"github.com/kafkastore/kafkastore/internal/synth"
)

// BenchmarkInputPop pops 100k distinct synthetic tracker lines per
// iteration in batches of 500 and acknowledges every batch.
func BenchmarkInputPop(b *testing.B) {
	const lines, batch = 100_000, 500
	// Distinct synthetic lines: identical ones would flatter the server,
	// whose Lua interns strings.
	g := synth.New(synth.Options{Seed: 5, UniqueAgents: true, Now: 1700000000})
	values := make([]any, lines)
	for i := range values {
		values[i] = g.Line()
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
			// Built as registered, so the nack handling's cost counts.
			conf, err := redisListInputSpec().ParseYAML(fmt.Sprintf("url: %s\nkey: q\n%s", srv.URL(), mode.yaml), nil)
			if err != nil {
				b.Fatal(err)
			}
			in, err := newRedisListBatchInput(conf, service.MockResources())
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			if err := in.Connect(ctx); err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = in.Close(context.Background()) })
			b.ReportAllocs()
			var popped int
			var elapsed, serverCPU time.Duration
			for b.Loop() {
				b.StopTimer()
				for i := 0; i < len(values); i += 10_000 {
					c.RPush(ctx, "q", values[i:i+10_000]...)
				}
				b.StartTimer()
				start, cpu0 := time.Now(), redisCPU(b, c)
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
				serverCPU += redisCPU(b, c) - cpu0
				popped += lines
			}
			b.ReportMetric(float64(popped)/elapsed.Seconds(), "lines/s")
			// The server's CPU matters: it shares the machine with kafkastore.
			b.ReportMetric(float64(serverCPU.Nanoseconds())/float64(popped), "redis-cpu-ns/line")
		})
	}
}

// redisCPU returns the CPU time the server has used (INFO cpu).
func redisCPU(b *testing.B, c *redis.Client) time.Duration {
	info, err := c.Info(context.Background(), "cpu").Result()
	if err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	for _, line := range strings.Split(info, "\r\n") {
		k, v, _ := strings.Cut(line, ":")
		if k == "used_cpu_sys" || k == "used_cpu_user" {
			f, _ := strconv.ParseFloat(v, 64)
			total += time.Duration(f * float64(time.Second))
		}
	}
	return total
}
