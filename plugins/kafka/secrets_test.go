package kafka

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/kafkastore/kafkastore/internal/kafkatest"
	"github.com/kafkastore/kafkastore/internal/testcerts"
)

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestSASLPasswordStaysOutOfLogs runs both outputs with a wrong SASL
// password over TLS, and with the right one against a broker that goes
// away, at trace level, and checks that the password never appears.
func TestSASLPasswordStaysOutOfLogs(t *testing.T) {
	skipShort(t)
	const pass = "hunter2-sasl"
	certs := testcerts.New(t)
	tests := []struct {
		name, password string
		closeBroker    bool
	}{
		{name: "wrong password", password: "wrong-" + pass},
		{name: "broker gone", password: pass, closeBroker: true},
	}
	for _, kind := range []string{"kafka_franz", "kafka"} {
		for _, test := range tests {
			t.Run(kind+"/"+test.name, func(t *testing.T) {
				c := kafkatest.StartTLSSASL(t, certs, "SCRAM-SHA-256", "alice", pass)
				brokers := "seed_brokers"
				if kind == "kafka" {
					brokers = "addresses"
				}
				yaml := fmt.Sprintf("input:\n  generate:\n    interval: 50ms\n    mapping: root = \"x\"\noutput:\n  %s:\n    %s: [ %q ]\n    topic: secure\n%s",
					kind, brokers, c.Addrs()[0], indent(securityYAML(kind, certs.CAFile, nil, "SCRAM-SHA-256", test.password), 4))
				var during func()
				if test.closeBroker {
					during = func() { time.Sleep(500 * time.Millisecond); c.Close() }
				}
				logs := runForLogs(t, yaml, during)
				if logs == "" {
					t.Error("nothing logged")
				}
				if strings.Contains(logs, "hunter2") {
					t.Errorf("logs leak the password:\n%s", logs)
				}
			})
		}
	}
}

func runForLogs(t *testing.T, yaml string, during func()) string {
	t.Helper()
	sb := service.NewStreamBuilder()
	logs := &lockedBuffer{}
	sb.SetLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.Level(-8)})))
	if err := sb.SetYAML(yaml); err != nil {
		t.Fatal(err)
	}
	stream, err := sb.Build()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- stream.Run(context.Background()) }()
	if during != nil {
		during()
	}
	time.Sleep(2 * time.Second)
	_ = stream.StopWithin(5 * time.Second)
	<-done
	return logs.String()
}

func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n"+pad) + "\n"
}
