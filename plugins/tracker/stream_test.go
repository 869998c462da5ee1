package tracker

import (
	"context"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"

	_ "github.com/redpanda-data/benthos/v4/public/components/pure"
)

// TestStreamExample runs the registered processors in a real stream, with a
// mapping standing in for device_detect, the way the default config chains
// them.
func TestStreamExample(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()

	sb := service.NewStreamBuilder()
	if err := sb.SetLoggerYAML("level: none"); err != nil {
		t.Fatal(err)
	}
	produce, err := sb.AddProducerFunc()
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.AddProcessorYAML(`
try:
  - tracker_line: {}
  - mapping: |
      meta device = "smartphone"
      meta device_name = "iPhone"
      meta platform = "ios"
  - cgi_message:
      keep_original: tracker_line
`); err != nil {
		t.Fatal(err)
	}
	var (
		mu  sync.Mutex
		got []*service.Message
	)
	if err := sb.AddConsumerFunc(func(_ context.Context, m *service.Message) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, m)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	stream, err := sb.Build()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- stream.Run(ctx) }()

	for _, line := range []string{exampleLine, "127.0.0.1 abc clicks /t/click p"} {
		if err := produce(ctx, service.NewMessage([]byte(line))); err != nil {
			t.Fatal(err)
		}
	}
	if err := stream.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil && err != context.Canceled {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 {
		t.Fatalf("got %d messages, want 2", len(got))
	}
	b, _ := got[0].AsBytes()
	if s := regexp.MustCompile(`klag=[0-9]+`).ReplaceAllString(string(b), "klag=0"); s != exampleMessage {
		t.Errorf("content = %q, want %q (klag aside)", s, exampleMessage)
	}
	if topic, _ := got[0].MetaGet(MetaTopic); topic != "clicks" {
		t.Errorf("@kafka_topic = %q, want clicks", topic)
	}
	if orig, _ := got[0].MetaGet("tracker_line"); orig != exampleLine {
		t.Errorf("@tracker_line = %q, want the line", orig)
	}
	if b, _ := got[1].AsBytes(); string(b) != "127.0.0.1 abc clicks /t/click p" || got[1].GetError() == nil {
		t.Errorf("invalid line came out as %q with error %v; want it unchanged and errored", b, got[1].GetError())
	}
}
