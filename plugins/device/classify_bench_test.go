package device

import (
	"os"
	"strings"
	"sync"
	"testing"

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
