package device

import (
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ua-parser/uap-go/uaparser"

	"github.com/kafkastore/kafkastore/plugins/device/uamatch"
)

// The uncached benchmarks run every parser on agents it has not just seen:
// uap-go's own cache cannot be switched off, so it gets a single entry, and
// the agents of the de-duplicated uamatch corpus are visited with a prime
// stride so that consecutive agents always differ and a short run samples
// the whole corpus. Each benchmark reports its CPU time per agent; the
// ratio of two of them is the speed-up (run with -cpu 1 on a shared
// machine and compare with benchstat).

// corpusStride is prime and coprime with the corpus size.
const corpusStride = 7919

var benchCorpus = sync.OnceValues(func() ([]string, error) {
	b, err := os.ReadFile("uamatch/testdata/corpus.txt")
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n"), err
})

// loadBenchCorpus returns the uamatch corpus, one agent per element.
func loadBenchCorpus(tb testing.TB) []string {
	tb.Helper()
	lines, err := benchCorpus()
	if err != nil {
		tb.Fatalf("reading corpus: %v", err)
	}
	return lines
}

// uapGoUncached is uap-go over the embedded rules with the smallest cache.
func uapGoUncached(tb testing.TB) *uaparser.Parser {
	tb.Helper()
	p, err := uaparser.New(uaparser.WithCacheSize(1))
	if err != nil {
		tb.Fatalf("building uap-go parser: %v", err)
	}
	return p
}

// uaMatch is uamatch over the embedded rules, warmed up: it compiles each
// regex on first use, which a benchmark should not count.
func uaMatch(tb testing.TB) *uamatch.Parser {
	tb.Helper()
	p, err := uamatch.NewDefault()
	if err != nil {
		tb.Fatalf("building uamatch parser: %v", err)
	}
	for _, ua := range loadBenchCorpus(tb) {
		p.Parse(ua)
	}
	return p
}

// benchAgents runs fn on the corpus agents in stride order.
func benchAgents(b *testing.B, fn func(ua string)) {
	lines := loadBenchCorpus(b)
	b.ReportAllocs()
	start := processCPU()
	i := 0
	for b.Loop() {
		fn(lines[(i*corpusStride)%len(lines)])
		i++
	}
	b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
}

// BenchmarkUAPGoParseUncached is the baseline: uap-go's Parse, every agent
// new.
func BenchmarkUAPGoParseUncached(b *testing.B) {
	p := uapGoUncached(b)
	benchAgents(b, func(ua string) { p.Parse(ua) })
}

// BenchmarkUAMatchParse is uamatch's Parse, the drop-in for the above.
func BenchmarkUAMatchParse(b *testing.B) {
	p := uaMatch(b)
	benchAgents(b, func(ua string) { p.Parse(ua) })
}

// BenchmarkClassifyUncachedUAMatch is what device_detect does on a cache
// miss: Classify on uamatch.
func BenchmarkClassifyUncachedUAMatch(b *testing.B) {
	p := uaMatch(b)
	benchAgents(b, func(ua string) { Classify(p, ua) })
}

// BenchmarkClassifyUncachedUAPGo is Classify on uap-go, for reference.
func BenchmarkClassifyUncachedUAPGo(b *testing.B) {
	p := uapGoUncached(b)
	benchAgents(b, func(ua string) { Classify(p, ua) })
}

// BenchmarkClassifySpeedup measures both sides of the goal in one
// run: each iteration classifies a batch of agents with Classify on
// uamatch and parses the same agents with uap-go's Parse (every agent new),
// timing each side in process CPU time. It reports both per agent and
// their ratio, "speedup" (uap-go CPU / uamatch CPU). Batches are large so
// that uap-go's half, whose programs fill the CPU caches, slows uamatch's
// half less than it would with fine interleaving; the separate benchmarks
// above show uamatch alone, as device_detect runs it.
func BenchmarkClassifySpeedup(b *testing.B) {
	const batch = 256
	lines := loadBenchCorpus(b)
	ours, theirs := uaMatch(b), uapGoUncached(b)
	b.ReportAllocs()
	var oursCPU, theirsCPU time.Duration
	next := 0
	for b.Loop() {
		from := next
		t0 := processCPU()
		for k := range batch {
			Classify(ours, lines[((from+k)*corpusStride)%len(lines)])
		}
		t1 := processCPU()
		for k := range batch {
			theirs.Parse(lines[((from+k)*corpusStride)%len(lines)])
		}
		t2 := processCPU()
		oursCPU, theirsCPU = oursCPU+t1-t0, theirsCPU+t2-t1
		next += batch
	}
	n := float64(b.N * batch)
	b.ReportMetric(float64(oursCPU.Nanoseconds())/n, "classify-cpu-ns/ua")
	b.ReportMetric(float64(theirsCPU.Nanoseconds())/n, "uapgo-cpu-ns/ua")
	if oursCPU > 0 {
		b.ReportMetric(float64(theirsCPU)/float64(oursCPU), "speedup")
	}
}
