package device

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ua-parser/uap-go/uaparser"

	"github.com/kafkastore/kafkastore/internal/synth"
)

// goldenParser answers with uap-go's recorded answers for the uamatch
// corpus (uamatch/testdata/corpus_expected.tsv, written from uap-go by
// go generate in plugins/device/uamatch), so that Classify on uap-go can be
// checked for every corpus agent without running uap-go's regexes.
type goldenParser map[string]*uaparser.Client

func (g goldenParser) ParseOs(ua string) *uaparser.Os         { return g[ua].Os }
func (g goldenParser) ParseDevice(ua string) *uaparser.Device { return g[ua].Device }
func (g goldenParser) ParseUserAgent(ua string) *uaparser.UserAgent {
	return g[ua].UserAgent
}

// readGolden reads recorded uap-go answers, in file order.
func readGolden(tb testing.TB, path string) ([]string, goldenParser) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatalf("opening expected answers: %v", err)
	}
	defer f.Close()
	var agents []string
	golden := goldenParser{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		ua, c, err := parseGoldenLine(sc.Text())
		if err != nil {
			tb.Fatalf("decoding expected answers, line %d: %v", len(agents)+1, err)
		}
		agents = append(agents, ua)
		golden[ua] = c
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("reading expected answers: %v", err)
	}
	return agents, golden
}

// parseGoldenLine decodes one line of 13 tab-separated Go-quoted strings
// (see uamatch/testdata/expect).
func parseGoldenLine(line string) (string, *uaparser.Client, error) {
	raw := strings.Split(line, "\t")
	if len(raw) != 13 {
		return "", nil, fmt.Errorf("%d fields, want 13", len(raw))
	}
	f := make([]string, len(raw))
	for i, r := range raw {
		var err error
		if f[i], err = strconv.Unquote(r); err != nil {
			return "", nil, fmt.Errorf("field %d: %w", i+1, err)
		}
	}
	return f[0], &uaparser.Client{
		UserAgent: &uaparser.UserAgent{Family: f[1], Major: f[2], Minor: f[3], Patch: f[4]},
		Os:        &uaparser.Os{Family: f[5], Major: f[6], Minor: f[7], Patch: f[8], PatchMinor: f[9]},
		Device:    &uaparser.Device{Family: f[10], Brand: f[11], Model: f[12]},
	}, nil
}

// TestClassifyCorpusMatchesUAPGo classifies every corpus agent on the
// matcher device_detect uses (uamatch) and on uap-go's recorded answers.
func TestClassifyCorpusMatchesUAPGo(t *testing.T) {
	corpus := loadBenchCorpus(t)
	agents, golden := readGolden(t, "uamatch/testdata/corpus_expected.tsv")
	if len(agents) != len(corpus) {
		t.Fatalf("corpus has %d agents, expected answers %d: run go generate in plugins/device/uamatch", len(corpus), len(agents))
	}
	for i, ua := range corpus {
		if agents[i] != ua {
			t.Fatalf("line %d: corpus %q, expected answers for %q: run go generate in plugins/device/uamatch", i+1, ua, agents[i])
		}
	}
	// Classify is safe for concurrent use: check the corpus on every CPU.
	p := testMatcher()
	var failures atomic.Int32
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(corpus) && failures.Load() < 20; i += workers {
				ua := corpus[i]
				if got, want := Classify(p, ua), Classify(golden, ua); got != want {
					failures.Add(1)
					t.Errorf("Classify(%q) = %+v, on uap-go %+v", ua, got, want)
				}
			}
		})
	}
	wg.Wait()
}

var update = flag.Bool("update", false, "rewrite testdata/agents_expected.tsv from live uap-go")

// testAgents are the agents of the device tests and the synthetic traffic.
func testAgents() []string {
	var agents []string
	for _, test := range classifyTests {
		agents = append(agents, test.ua)
	}
	return append(agents, synth.Agents()...)
}

// TestClassifyAgentsMatchUAPGo classifies the agents of the device tests
// on uamatch and on uap-go. uap-go runs live on all of them, except under
// -race or -short, where it is tens of times slower: there its answers come
// from testdata/agents_expected.tsv (rewritten by go test -update) and it
// runs live on a sample only, to catch a stale file.
func TestClassifyAgentsMatchUAPGo(t *testing.T) {
	agents := testAgents()
	theirs := uapGoUncached(t)
	const golden = "testdata/agents_expected.tsv"
	if *update {
		writeGolden(t, golden, theirs, agents)
	}
	var want Parser = theirs
	live := 1
	if raceEnabled || testing.Short() {
		recorded, g := readGolden(t, golden)
		if !slices.Equal(recorded, agents) {
			t.Fatalf("%s lists other agents than the tests: rewrite it with go test -run TestClassifyAgentsMatchUAPGo -update", golden)
		}
		want, live = g, 83
	}
	ours := testMatcher()
	for i, ua := range agents {
		if got, exp := Classify(ours, ua), Classify(want, ua); got != exp {
			t.Errorf("Classify(%q) = %+v, on uap-go %+v", ua, got, exp)
		}
		if i%live == 0 {
			if got, exp := Classify(theirs, ua), Classify(want, ua); got != exp {
				t.Errorf("uap-go now classifies %q as %+v, %s says %+v: rewrite it with -update", ua, got, golden, exp)
			}
		}
	}
}

// writeGolden records p's answers for agents in the golden format.
func writeGolden(t *testing.T, path string, p *uaparser.Parser, agents []string) {
	var b strings.Builder
	for _, ua := range agents {
		c := p.Parse(ua)
		u, o, d := c.UserAgent, c.Os, c.Device
		for i, f := range []string{ua, u.Family, u.Major, u.Minor, u.Patch,
			o.Family, o.Major, o.Minor, o.Patch, o.PatchMinor, d.Family, d.Brand, d.Model} {
			if i > 0 {
				b.WriteByte('\t')
			}
			b.WriteString(strconv.Quote(f))
		}
		b.WriteByte('\n')
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatalf("writing %s: %v", path, err)
	}
}

// FuzzClassify checks that Classify on uamatch never panics and agrees with
// Classify on uap-go. Its seeds are in testdata/fuzz/FuzzClassify.
func FuzzClassify(f *testing.F) {
	ours, theirs := testMatcher(), uapGoUncached(f)
	f.Fuzz(func(t *testing.T, ua string) {
		if got, want := Classify(ours, ua), Classify(theirs, ua); got != want {
			t.Errorf("Classify(%q) = %+v, on uap-go %+v", ua, got, want)
		}
	})
}
