// Package streamtest holds test plumbing shared by the plugin packages:
// a log sink safe for concurrent writes, and a runner that starts a stream
// config for a while and returns what it logged. No product logic.
package streamtest

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
)

// LogBuffer is an io.Writer safe for concurrent use, for capturing logs.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Logger returns a text logger writing to b at level.
func (b *LogBuffer) Logger(level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: level}))
}

// LevelTrace is Benthos' trace level, below slog's debug.
const LevelTrace = slog.Level(-8)

// RunForLogs runs a full stream config with trace logging, calls during
// (when not nil) once it runs, lets it run two more seconds, stops it and
// returns what it logged.
func RunForLogs(t *testing.T, yaml string, during func()) string {
	t.Helper()
	sb := service.NewStreamBuilder()
	logs := &LogBuffer{}
	sb.SetLogger(logs.Logger(LevelTrace))
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

// Indent prefixes every line of s with n spaces, for nesting YAML.
func Indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n"+pad) + "\n"
}
