// Package chain benchmarks the whole processor chain of
// config/kafkastore.yaml (tracker_line, device_detect, geoip, cgi_message,
// one after the other as the config runs them) on batches of 500 lines,
// built from YAML as Benthos resources, so the figure includes the
// framework's per-processor cost but not the pipeline's. The Stages
// benchmark also shows the cost of wrapping the chain in try; the Fused
// benchmarks run the same data through tracker_event, the chain in one
// processor.
package chain

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"

	_ "github.com/kafkastore/kafkastore/plugins/all"

	"github.com/kafkastore/kafkastore/internal/synth"
)

const batchSize = 500

// stages are the processors of the chain, in order.
var stages = []string{
	"tracker_line: {}",
	"device_detect: {}",
	"geoip:\n      database: ../../plugins/geoip/testdata/city.mmdb",
	"cgi_message:\n      keep_original: tracker_line",
}

// chainYAML is the try block running the first n stages or, without try,
// a resource processor for each stage, run one after the other on the
// whole batch.
func chainYAML(n int, try bool) []string {
	if !try {
		var procs []string
		for i, s := range stages[:n] {
			procs = append(procs, fmt.Sprintf("label: stage%d\n%s\n", i, strings.ReplaceAll(s, "\n    ", "\n")))
		}
		return procs
	}
	if n == 0 {
		return []string{"label: stage0\ntry: []\n"}
	}
	y := "label: stage0\ntry:\n"
	for _, s := range stages[:n] {
		y += "  - " + s + "\n"
	}
	return []string{y}
}

func benchChain(b *testing.B, opts synth.Options, lines int) {
	benchStages(b, opts, lines, len(stages), false)
}

// benchStages benchmarks the first n stages of the chain one after the
// other, as config/kafkastore.yaml runs them, or in a try block.
func benchStages(b *testing.B, opts synth.Options, lines, n int, try bool) {
	benchProcs(b, opts, lines, chainYAML(n, try))
}

// fusedYAML is the tracker_event processor doing the whole chain's work,
// with the chain's settings.
var fusedYAML = []string{`
label: stage0
tracker_event:
  geoip_database: ../../plugins/geoip/testdata/city.mmdb
  keep_original: tracker_line
`}

// benchProcs benchmarks the processors procs, labelled stage0, stage1...,
// run one after the other on each batch.
func benchProcs(b *testing.B, opts synth.Options, lines int, procs []string) {
	g := synth.New(opts)
	data := make([][]byte, lines)
	for i := range data {
		data[i] = []byte(g.Line())
	}
	rb := service.NewResourceBuilder()
	for _, y := range procs {
		if err := rb.AddProcessorYAML(y); err != nil {
			b.Fatal(err)
		}
	}
	res, closeRes, err := rb.Build()
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = closeRes(context.Background()) }()

	next := 0
	batchOf := func() service.MessageBatch {
		batch := make(service.MessageBatch, batchSize)
		for i := range batch {
			batch[i] = service.NewMessage(data[next%len(data)])
			next++
		}
		return batch
	}
	ctx := b.Context()
	run := func() {
		batch := batchOf()
		for i := range procs {
			err := res.AccessProcessor(ctx, fmt.Sprintf("stage%d", i), func(p *service.ResourceProcessor) {
				out, err := p.ProcessBatch(ctx, batch)
				if err != nil {
					b.Fatal(err)
				}
				batch = out[0]
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		for _, m := range batch {
			if m.GetError() != nil {
				b.Fatalf("line errored: %v", m.GetError())
			}
		}
	}
	if !opts.UniqueAgents { // warm the user-agent cache
		for range len(data) / batchSize {
			run()
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		run()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batchSize), "ns/line")
	// CPU time (GC included) is steadier than wall time on a shared machine.
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N*batchSize), "cpu-ns/line")
}

// cpuTime is the CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkChainCached: Zipf over ~2,000 user agents, cache warm.
func BenchmarkChainCached(b *testing.B) {
	benchChain(b, synth.Options{Seed: 1, Now: time.Now().Unix()}, 100000)
}

// BenchmarkChainUncached: user agents that never repeat.
func BenchmarkChainUncached(b *testing.B) {
	benchChain(b, synth.Options{Seed: 2, UniqueAgents: true, Now: time.Now().Unix()}, 200000)
}

// BenchmarkFusedCached is BenchmarkChainCached with the chain replaced by
// the tracker_event processor.
func BenchmarkFusedCached(b *testing.B) {
	benchProcs(b, synth.Options{Seed: 1, Now: time.Now().Unix()}, 100000, fusedYAML)
}

// BenchmarkFusedUncached is BenchmarkChainUncached with tracker_event,
// which classifies a batch's new user agents on GOMAXPROCS goroutines.
func BenchmarkFusedUncached(b *testing.B) {
	benchProcs(b, synth.Options{Seed: 2, UniqueAgents: true, Now: time.Now().Unix()}, 200000, fusedYAML)
}

// BenchmarkFusedUncachedSerial is BenchmarkFusedUncached with
// classify_workers: 1, every user agent classified on the calling
// goroutine: the wall time the concurrent classification saves.
func BenchmarkFusedUncachedSerial(b *testing.B) {
	procs := []string{fusedYAML[0] + "  classify_workers: 1\n"}
	benchProcs(b, synth.Options{Seed: 2, UniqueAgents: true, Now: time.Now().Unix()}, 200000, procs)
}

// BenchmarkChainStages runs growing prefixes of the chain on the Zipf data,
// cache warm: the difference between two prefixes is the cost of the stage
// added, framework overhead included (docs/performance.md).
func BenchmarkChainStages(b *testing.B) {
	for n := 0; n <= len(stages); n++ {
		name := "none"
		if n > 0 {
			name = stages[n-1][:strings.IndexByte(stages[n-1], ':')]
		}
		for _, try := range []bool{true, false} {
			b.Run(fmt.Sprintf("try=%v/%d_%s", try, n, name), func(b *testing.B) {
				benchStages(b, synth.Options{Seed: 1, Now: time.Now().Unix()}, 100000, n, try)
			})
		}
	}
}
