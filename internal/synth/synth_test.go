package synth

import (
	"strings"
	"testing"
)

func TestAgentsAreManyAndDistinct(t *testing.T) {
	agents := Agents()
	if len(agents) < 1500 || len(agents) > 3000 {
		t.Fatalf("got %d agents, want about 2,000", len(agents))
	}
}

func TestGeneratorLines(t *testing.T) {
	opts := Options{Seed: 1, BadEvery: 10}
	g := New(opts)
	for n := 1; n <= 1000; n++ {
		line := g.Line()
		fields := strings.SplitN(line, " ", 6)
		if opts.IsBad(n) {
			continue
		}
		if len(fields) < 5 {
			t.Fatalf("line %d %q has %d fields", n, line, len(fields))
		}
		if fields[1] != "1700000000" {
			t.Fatalf("line %d %q: timestamp %q", n, line, fields[1])
		}
	}
}

func TestUniqueAgentsNeverRepeat(t *testing.T) {
	g := New(Options{Seed: 2, UniqueAgents: true})
	seen := map[string]bool{}
	for range 5000 {
		ua := strings.SplitN(g.Line(), " ", 6)[5]
		if seen[ua] {
			t.Fatalf("agent repeated: %q", ua)
		}
		seen[ua] = true
	}
}

func TestSeqNumbersEveryValidLine(t *testing.T) {
	opts := Options{Seed: 3, Seq: true, BadEvery: 7}
	g := New(opts)
	for n := 1; n <= 100; n++ {
		line := g.Line()
		want := n
		if opts.IsBad(n) {
			want = -1
		}
		fields := strings.SplitN(line, " ", 6)
		query := ""
		if len(fields) >= 5 {
			query = fields[4]
		}
		if got := SeqOf(query); got != want {
			t.Fatalf("line %d %q: SeqOf = %d, want %d", n, line, got, want)
		}
	}
}
