package main

import "runtime/debug"

const (
	// defaultGCPercent lets the heap grow to five times the live data
	// between collections instead of twice: a batch pipeline allocates
	// short-lived messages fast, and at the Go default the collector took
	// about a quarter of kafkastore's CPU (docs/performance.md).
	defaultGCPercent = 400
	// defaultMemoryLimit is the soft heap limit that keeps the higher
	// GOGC from growing memory without bound: near it the collector runs
	// as often as needed again. It leaves headroom under the 256 MiB peak
	// RSS the benchmarks hold kafkastore to (unique user agents, which fill
	// the device cache, peaked at 218 MiB with 192 MiB, 184 MiB with 160).
	defaultMemoryLimit = 160 << 20
)

// tuneGC applies kafkastore's garbage collector defaults, each unless the
// standard environment variable (GOGC, GOMEMLIMIT) sets its own.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}
