package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/kafkastore/kafkastore/internal/redistest"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// statusTestConfig is the default config's shape without Kafka: bad lines
// go to the dead-letter list, good ones to a drop output labelled kafka.
const statusTestConfig = `
http:
  address: %s
logger:
  level: INFO
input:
  redis_list:
    url: ${REDIS_URL}
    key: ${QUEUE_KEY}
    batch_size: 100
pipeline:
  processors:
    - try:
        - tracker_line: {}
output:
  switch:
    cases:
      - check: errored()
        output:
          label: dead_letter
          redis_list:
            url: ${REDIS_URL}
            key: ${INVALID_KEY}
      - output:
          label: kafka
          drop: {}
`

// TestStatusPageWithRunningStream runs `kafkastore run` in-process with the
// status hooks against a real redis-server and reads the page: depths from
// Redis, throughput from the process's own /metrics, escaped dead letters.
func TestStatusPageWithRunningStream(t *testing.T) {
	s := redistest.Start(t)
	c := s.Client(t)
	t.Setenv("REDIS_URL", s.URL())
	t.Setenv("QUEUE_KEY", "q")
	t.Setenv("INVALID_KEY", "dead")
	t.Setenv("STATUS_ADDRESS", "127.0.0.1:0")
	t.Setenv("STATUS_TOKEN", "s3cret-token")
	cfgPath := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(fmt.Sprintf(statusTestConfig, freeAddr(t))), 0o600); err != nil {
		t.Fatal(err)
	}
	lines := []any{"<b>bad</b>", "127.0.0.1 1700000000 clicks /t p UA", "\x01 2 x /p q"}
	if err := c.RPush(t.Context(), "q", lines...).Err(); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	h := &statusHooks{ctx: ctx}
	done := make(chan int, 1)
	go func() {
		code, _ := service.RunCLIToCode(ctx,
			service.CLIOptSetArgs("kafkastore", "run", cfgPath),
			service.CLIOptOnLoggerInit(h.onLoggerInit),
			service.CLIOptOnConfigParse(h.onConfigParse),
			service.CLIOptOnStreamStart(h.onStreamStart),
		)
		done <- code
	}()
	t.Cleanup(func() { cancel(); <-done })

	var body string
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(300 * time.Millisecond)
		url := h.url.Load()
		if url == nil {
			continue
		}
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, *url, nil)
		req.Header.Set("Authorization", "Bearer s3cret-token")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		body = string(b)
		if strings.Contains(body, `id="total-dead">2<`) && strings.Contains(body, `id="depth-dead">2<`) {
			break
		}
	}
	for _, want := range []string{
		`id="total-dead">2<`, `id="total-delivered">1<`, `id="depth-queue">0<`, `id="depth-dead">2<`,
		`&#34;&lt;b&gt;bad&lt;/b&gt;&#34;`, `&#34;\x01 2 x /p q&#34;`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("status page lacks %q:\n%s", want, body)
		}
	}
}

func TestStatusRefusesPublicWithoutCredentials(t *testing.T) {
	t.Setenv("STATUS_ADDRESS", "0.0.0.0:4196")
	t.Setenv("STATUS_TOKEN", "")
	t.Setenv("STATUS_USER", "")
	t.Setenv("STATUS_PASSWORD", "")
	h := &statusHooks{}
	err := h.onConfigParse(nil)
	if err == nil || !strings.Contains(err.Error(), "no credentials") {
		t.Fatalf("err = %v, want a refusal", err)
	}
	t.Setenv("STATUS_ADDRESS", "off")
	if err := h.onConfigParse(nil); err != nil || h.page != nil {
		t.Fatalf("off: err = %v, page = %v", err, h.page)
	}
}
