package uamatch

import (
	"testing"
)

// The uap-go benchmarks measure it on agents it has not seen: its result
// cache cannot be switched off, so the parser is built with a cache of one
// entry and the benchmark cycles through the de-duplicated corpus, where
// consecutive agents always differ (the generator writes each agent once).
// Every lookup therefore misses the cache and runs the regexes, while the
// cache bookkeeping stays as cheap as uap-go allows. The agents are visited
// with a fixed prime stride so that a short run samples the whole corpus
// (templates and per-rule syntheses alike) for both parsers.

const stride = 7919

func BenchmarkUAPGoParseUncached(b *testing.B) {
	lines := loadCorpus(b)
	_, theirs := parsers(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		theirs.Parse(lines[(i*stride)%len(lines)])
		i++
	}
}

// warm runs p over the corpus once: it compiles each regex on first use,
// which the benchmarks should not count.
func warm(p *Parser, lines []string) {
	for _, ua := range lines {
		p.Parse(ua)
	}
}

func BenchmarkUAMatchParse(b *testing.B) {
	lines := loadCorpus(b)
	ours, _ := parsers(b)
	warm(ours, lines)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ours.Parse(lines[(i*stride)%len(lines)])
		i++
	}
}

// lookups are the per-table entry points of both parsers.
var lookups = []string{"os", "device", "user_agent"}

func BenchmarkUAPGoLookupUncached(b *testing.B) {
	lines := loadCorpus(b)
	_, theirs := parsers(b)
	fns := map[string]func(string){
		"os":         func(s string) { theirs.ParseOs(s) },
		"device":     func(s string) { theirs.ParseDevice(s) },
		"user_agent": func(s string) { theirs.ParseUserAgent(s) },
	}
	for _, name := range lookups {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				fns[name](lines[(i*stride)%len(lines)])
				i++
			}
		})
	}
}

func BenchmarkUAMatchLookup(b *testing.B) {
	lines := loadCorpus(b)
	ours, _ := parsers(b)
	warm(ours, lines)
	fns := map[string]func(string){
		"os":         func(s string) { ours.ParseOs(s) },
		"device":     func(s string) { ours.ParseDevice(s) },
		"user_agent": func(s string) { ours.ParseUserAgent(s) },
	}
	for _, name := range lookups {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				fns[name](lines[(i*stride)%len(lines)])
				i++
			}
		})
	}
}
