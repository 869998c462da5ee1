// Package chain benchmarks the whole processor chain of
// config/kafkastore.yaml (tracker_line, device_detect, geoip, cgi_message
// inside try) on batches of 500 lines, built from YAML as a Benthos
// resource, so the figure includes the try processor's own cost but not
// the pipeline's.
package chain

import (
	"context"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"

	_ "github.com/kafkastore/kafkastore/plugins/all"

	"github.com/kafkastore/kafkastore/internal/synth"
)

const batchSize = 500

const chainYAML = `
try:
  - tracker_line: {}
  - device_detect: {}
  - geoip:
      database: ../../plugins/geoip/testdata/city.mmdb
  - cgi_message:
      keep_original: tracker_line
`

func benchChain(b *testing.B, opts synth.Options, lines int) {
	g := synth.New(opts)
	data := make([][]byte, lines)
	for i := range data {
		data[i] = []byte(g.Line())
	}
	rb := service.NewResourceBuilder()
	if err := rb.AddProcessorYAML("label: chain\n" + chainYAML); err != nil {
		b.Fatal(err)
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
		err := res.AccessProcessor(ctx, "chain", func(p *service.ResourceProcessor) {
			out, err := p.ProcessBatch(ctx, batchOf())
			if err != nil {
				b.Fatal(err)
			}
			for _, m := range out[0] {
				if m.GetError() != nil {
					b.Fatalf("line errored: %v", m.GetError())
				}
			}
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if !opts.UniqueAgents { // warm the user-agent cache
		for range len(data) / batchSize {
			run()
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		run()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batchSize), "ns/line")
}

// BenchmarkChainCached: Zipf over ~2,000 user agents, cache warm.
func BenchmarkChainCached(b *testing.B) {
	benchChain(b, synth.Options{Seed: 1, Now: time.Now().Unix()}, 100000)
}

// BenchmarkChainUncached: user agents that never repeat.
func BenchmarkChainUncached(b *testing.B) {
	benchChain(b, synth.Options{Seed: 2, UniqueAgents: true, Now: time.Now().Unix()}, 200000)
}
