package redis

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"

	_ "github.com/redpanda-data/benthos/v4/public/components/pure"

	"github.com/kafkastore/kafkastore/internal/redistest"
	"github.com/kafkastore/kafkastore/internal/streamtest"
)

// collector records what a stream delivers.
type collector struct {
	mu   sync.Mutex
	seen map[string]int
	n    int
}

func (c *collector) consume(_ context.Context, b service.MessageBatch) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range b {
		v, _ := m.AsBytes()
		c.seen[string(v)]++
		c.n++
	}
	return nil
}

func (c *collector) distinct() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.seen)
}

// runStream runs an input YAML into a collector until want distinct lines
// arrived, calling during(received) on the way, then stops the stream.
func runStream(t *testing.T, inputYAML string, want int, during func(*collector)) (*collector, string) {
	t.Helper()
	sb := service.NewStreamBuilder()
	logs := &streamtest.LogBuffer{}
	sb.SetLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err := sb.AddInputYAML(inputYAML); err != nil {
		t.Fatal(err)
	}
	col := &collector{seen: map[string]int{}}
	if err := sb.AddBatchConsumerFunc(col.consume); err != nil {
		t.Fatal(err)
	}
	stream, err := sb.Build()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- stream.Run(context.Background()) }()
	if during != nil {
		during(col)
	}
	deadline := time.Now().Add(30 * time.Second)
	for col.distinct() < want && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if err := stream.StopWithin(20 * time.Second); err != nil {
		t.Fatalf("stopping stream: %v", err)
	}
	<-done
	if got := col.distinct(); got != want {
		t.Fatalf("received %d distinct lines, want %d; logs:\n%s", got, want, logs)
	}
	return col, logs.String()
}

func TestStreamStockConfig(t *testing.T) {
	srv := redistest.Start(t)
	c := srv.Client(t)
	push(t, c, "q", seq(0, 100))
	stock := fmt.Sprintf(`
redis_list:
  url: %s
  kind: simple
  master: ""
  client_name: redpanda-connect
  tls:
    enabled: false
  key: q
  auto_replay_nacks: true
  max_in_flight: 0
  timeout: 1s
  command: blpop
`, srv.URL())
	col, _ := runStream(t, stock, 100, nil)
	if col.n != 100 {
		t.Errorf("delivered %d lines, want 100 without duplicates", col.n)
	}
	if left := keysBut(t, c); len(left) != 0 {
		t.Errorf("keys left after the stream stopped: %v", left)
	}
}

func TestStreamSurvivesRedisRestart(t *testing.T) {
	srv := redistest.Start(t, redistest.WithAOF(), redistest.WithPassword("hunter2"))
	c := srv.Client(t)
	// Enough lines that the stream is still popping when redis is killed
	// after the first 1000 arrive.
	const total = 50000
	push(t, c, "q", seq(0, total))
	in := fmt.Sprintf(`
redis_list:
  url: %s
  key: q
  batch_size: 100
  timeout: 1s
`, srv.URL())
	col, logs := runStream(t, in, total, func(col *collector) {
		for col.distinct() < 1000 {
			time.Sleep(time.Millisecond)
		}
		srv.Kill()
		time.Sleep(3 * time.Second) // longer than go-redis retries
		srv.Restart()
	})
	t.Logf("delivered %d lines for %d distinct; logs:\n%s", col.n, total, logs)
	// Logged once, or not at all when go-redis's own retries or a pop that
	// had already drained the queue absorbed the outage: never per batch.
	if n := strings.Count(logs, "Lost connection"); n > 1 {
		t.Errorf("outage logged %d times, want at most once", n)
	}
	if strings.Contains(logs, "hunter2") {
		t.Error("logs leak the password")
	}
	if left := keysBut(t, c); len(left) != 0 {
		t.Errorf("keys left after the stream stopped: %v", left)
	}
}

func TestOutputSurvivesRedisRestart(t *testing.T) {
	srv := redistest.Start(t, redistest.WithAOF())
	c := srv.Client(t)
	sb := service.NewStreamBuilder()
	if err := sb.SetLoggerYAML("level: warn"); err != nil {
		t.Fatal(err)
	}
	send, err := sb.AddBatchProducerFunc()
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.AddOutputYAML(fmt.Sprintf("redis_list:\n  url: %s\n  key: out\n", srv.URL())); err != nil {
		t.Fatal(err)
	}
	stream, err := sb.Build()
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = stream.Run(context.Background()) }()
	defer stream.StopWithin(10 * time.Second) //nolint:errcheck
	for b := range 50 {
		if b == 10 {
			srv.Kill()
			go func() { time.Sleep(500 * time.Millisecond); srv.Restart() }()
		}
		batch := make(service.MessageBatch, 100)
		for i := range batch {
			batch[i] = service.NewMessage([]byte(strconv.Itoa(b*100 + i)))
		}
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		err := send(ctx, batch)
		cancel()
		if err != nil {
			t.Fatalf("sending batch %d: %v", b, err)
		}
	}
	got := map[string]bool{}
	for _, v := range lrange(t, c, "out") {
		got[v] = true
	}
	if len(got) != 5000 {
		t.Fatalf("list holds %d distinct lines, want 5000", len(got))
	}
}
