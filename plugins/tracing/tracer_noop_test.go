package tracing

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"go.opentelemetry.io/otel/trace"

	_ "github.com/redpanda-data/benthos/v4/public/components/pure"
)

func TestNoopTracerAllocatesNothing(t *testing.T) {
	tr := provider{}.Tracer("benthos")
	ctx := context.Background()
	allocs := testing.AllocsPerRun(1000, func() {
		c, span := tr.Start(ctx, "processor")
		span.End()
		if c != ctx {
			t.Fatal("Start returned another context")
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per span, want 0", allocs)
	}
	if _, span := tr.Start(ctx, "x"); span.IsRecording() || span.SpanContext().IsValid() {
		t.Error("the span records or has a trace id")
	}
}

// TestNoopTracerInStream runs messages through a stream configured with the
// tracer, as users do, and checks they come out unchanged with a zero trace
// id (the stock none tracer's behaviour).
func TestNoopTracerInStream(t *testing.T) {
	builder := service.NewStreamBuilder()
	if err := builder.SetTracerYAML("noop: {}"); err != nil {
		t.Fatal(err)
	}
	if err := builder.SetLoggerYAML("level: OFF"); err != nil {
		t.Fatal(err)
	}
	if err := builder.AddProcessorYAML(`mapping: 'root = content().uppercase() + " " + tracing_id()'`); err != nil {
		t.Fatal(err)
	}
	produce, err := builder.AddBatchProducerFunc()
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []string
	if err := builder.AddBatchConsumerFunc(func(_ context.Context, b service.MessageBatch) error {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range b {
			c, _ := m.AsBytes()
			got = append(got, string(c))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	stream, err := builder.Build()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	runErr := make(chan error, 1)
	go func() { runErr <- stream.Run(ctx) }()
	select {
	case err := <-runErr:
		t.Fatalf("stream stopped: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	if err := produce(ctx, service.MessageBatch{service.NewMessage([]byte("a")), service.NewMessage([]byte("b"))}); err != nil {
		t.Fatal(err)
	}
	if err := stream.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	zero := trace.TraceID{}.String()
	if want := "A " + zero + "|B " + zero; strings.Join(got, "|") != want {
		t.Errorf("got %q, want %q", strings.Join(got, "|"), want)
	}
}
