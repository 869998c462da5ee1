package main

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	tests := []struct {
		name      string
		env       map[string]string
		wantGC    int
		wantLimit int64
	}{
		{name: "defaults when unset", env: map[string]string{}, wantGC: defaultGCPercent, wantLimit: defaultMemoryLimit},
		{name: "GOGC set by the user", env: map[string]string{"GOGC": "100"}, wantGC: 77, wantLimit: defaultMemoryLimit},
		{name: "GOMEMLIMIT set by the user", env: map[string]string{"GOMEMLIMIT": "1GiB"}, wantGC: defaultGCPercent, wantLimit: math.MaxInt64},
	}
	prevGC := debug.SetGCPercent(100)
	prevLimit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() {
		debug.SetGCPercent(prevGC)
		debug.SetMemoryLimit(prevLimit)
	})
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			// A value tuneGC must leave alone when the variable is set.
			debug.SetGCPercent(77)
			debug.SetMemoryLimit(math.MaxInt64)
			tuneGC(func(k string) string { return test.env[k] })
			if got := debug.SetGCPercent(77); got != test.wantGC {
				t.Errorf("GC percent %d, want %d", got, test.wantGC)
			}
			if got := debug.SetMemoryLimit(-1); got != test.wantLimit {
				t.Errorf("memory limit %d, want %d", got, test.wantLimit)
			}
		})
	}
}
