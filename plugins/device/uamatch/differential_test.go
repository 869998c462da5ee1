package uamatch

import (
	"bufio"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ua-parser/uap-go/uaparser"
)

//go:generate go run ./testdata/gen -o testdata/corpus.txt
//go:generate go run ./testdata/expect -corpus testdata/corpus.txt -o testdata/corpus_expected.tsv

var (
	corpusOnce sync.Once
	corpus     []string
	corpusErr  error
)

// loadCorpus returns the lines of testdata/corpus.txt (one agent a line, the
// first may be empty).
func loadCorpus(tb testing.TB) []string {
	tb.Helper()
	corpusOnce.Do(func() {
		var b []byte
		b, corpusErr = os.ReadFile("testdata/corpus.txt")
		corpus = strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	})
	if corpusErr != nil {
		tb.Fatalf("reading corpus (regenerate with go generate): %v", corpusErr)
	}
	return corpus
}

// sharedParsers builds both parsers once for all tests: uamatch compiles
// its regexes on first use, which is slow under the race detector.
var sharedParsers = sync.OnceValues(func() (*Parser, *uaparser.Parser) {
	ours, err := NewDefault()
	if err != nil {
		panic(err)
	}
	theirs, err := uaparser.New(uaparser.WithCacheSize(1))
	if err != nil {
		panic(err)
	}
	return ours, theirs
})

// parsers returns a uamatch Parser and a uap-go Parser over the same rules.
func parsers(tb testing.TB) (*Parser, *uaparser.Parser) {
	tb.Helper()
	return sharedParsers()
}

// diff compares the three lookups for ua and reports every difference.
func diff(tb testing.TB, ours *Parser, theirs *uaparser.Parser, ua string) {
	tb.Helper()
	if got, want := ours.ParseOs(ua), theirs.ParseOs(ua); !reflect.DeepEqual(got, want) {
		tb.Errorf("ParseOs(%q) = %+v, uap-go %+v", ua, *got, *want)
	}
	if got, want := ours.ParseDevice(ua), theirs.ParseDevice(ua); !reflect.DeepEqual(got, want) {
		tb.Errorf("ParseDevice(%q) = %+v, uap-go %+v", ua, *got, *want)
	}
	if got, want := ours.ParseUserAgent(ua), theirs.ParseUserAgent(ua); !reflect.DeepEqual(got, want) {
		tb.Errorf("ParseUserAgent(%q) = %+v, uap-go %+v", ua, *got, *want)
	}
}

// expected is one line of testdata/corpus_expected.tsv: uap-go's Parse of
// a corpus agent (see testdata/expect).
type expected struct {
	UA string
	*uaparser.Client
}

// parseExpected decodes a golden line: 13 tab-separated Go-quoted strings.
func parseExpected(line string) (expected, error) {
	raw := strings.Split(line, "\t")
	if len(raw) != 13 {
		return expected{}, fmt.Errorf("%d fields, want 13", len(raw))
	}
	f := make([]string, len(raw))
	for i, r := range raw {
		var err error
		if f[i], err = strconv.Unquote(r); err != nil {
			return expected{}, fmt.Errorf("field %d: %w", i+1, err)
		}
	}
	return expected{UA: f[0], Client: &uaparser.Client{
		UserAgent: &uaparser.UserAgent{Family: f[1], Major: f[2], Minor: f[3], Patch: f[4]},
		Os:        &uaparser.Os{Family: f[5], Major: f[6], Minor: f[7], Patch: f[8], PatchMinor: f[9]},
		Device:    &uaparser.Device{Family: f[10], Brand: f[11], Model: f[12]},
	}}, nil
}

var (
	expectedOnce sync.Once
	expectedAll  []expected
	expectedErr  error
)

// loadExpected returns uap-go's answers for the corpus, line by line.
func loadExpected(tb testing.TB) []expected {
	tb.Helper()
	expectedOnce.Do(func() {
		f, err := os.Open("testdata/corpus_expected.tsv")
		if err != nil {
			expectedErr = err
			return
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			e, err := parseExpected(sc.Text())
			if err != nil {
				expectedErr = fmt.Errorf("line %d: %w", len(expectedAll)+1, err)
				return
			}
			expectedAll = append(expectedAll, e)
		}
		expectedErr = sc.Err()
	})
	if expectedErr != nil {
		tb.Fatalf("reading expected answers (regenerate with go generate): %v", expectedErr)
	}
	return expectedAll
}

// TestDifferentialCorpus compares every corpus agent's lookups with uap-go's
// answers recorded in the golden file.
func TestDifferentialCorpus(t *testing.T) {
	lines, want := loadCorpus(t), loadExpected(t)
	if len(lines) != len(want) {
		t.Fatalf("corpus has %d agents, expected answers %d: regenerate with go generate", len(lines), len(want))
	}
	for i, ua := range lines {
		if want[i].UA != ua {
			t.Fatalf("line %d: corpus %q, expected answers for %q: regenerate with go generate", i+1, ua, want[i].UA)
		}
	}
	ours, _ := parsers(t)
	// The parser is safe for concurrent use: check the corpus on every CPU
	// (which also runs it concurrently under -race).
	var failures atomic.Int32
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(lines) && failures.Load() < 20; i += workers {
				a := ours.Prepare(lines[i])
				got := &uaparser.Client{UserAgent: a.UserAgent(), Os: a.Os(), Device: a.Device()}
				a.Release()
				if !reflect.DeepEqual(got, want[i].Client) {
					failures.Add(1)
					t.Errorf("line %d %q:\n got %+v %+v %+v\nwant %+v %+v %+v", i+1, lines[i],
						*got.UserAgent, *got.Os, *got.Device, *want[i].UserAgent, *want[i].Os, *want[i].Device)
				}
			}
		})
	}
	wg.Wait()
}

// TestExpectedIsCurrent checks a sample of the golden file against live
// uap-go, to catch a stale file after a uap-go or corpus change, and runs
// the separate lookups of both parsers on it.
func TestExpectedIsCurrent(t *testing.T) {
	want := loadExpected(t)
	ours, theirs := parsers(t)
	step := 97
	if raceEnabled || testing.Short() {
		step = 1999 // uap-go's regexes run tens of times slower under -race
	}
	for i := 0; i < len(want); i += step {
		ua := want[i].UA
		if got := theirs.Parse(ua); !reflect.DeepEqual(got, want[i].Client) {
			t.Fatalf("uap-go now parses %q as %+v %+v %+v, the golden file says %+v %+v %+v: regenerate with go generate",
				ua, *got.UserAgent, *got.Os, *got.Device, *want[i].UserAgent, *want[i].Os, *want[i].Device)
		}
		if step < 1000 {
			diff(t, ours, theirs, ua)
		}
	}
}

func TestParseMatchesLookups(t *testing.T) {
	ours, _ := parsers(t)
	for _, e := range loadExpected(t)[:500] {
		if got := ours.Parse(e.UA); !reflect.DeepEqual(got, e.Client) {
			t.Errorf("Parse(%q) = %+v, uap-go %+v", e.UA, got, e.Client)
		}
	}
}

func FuzzDifferential(f *testing.F) {
	lines := loadCorpus(f)
	step := 97
	if raceEnabled || testing.Short() {
		step = 1999 // every seed runs uap-go, tens of times slower under -race
	}
	for i := 0; i < len(lines); i += step {
		f.Add(lines[i])
	}
	f.Add("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1")
	ours, theirs := parsers(f)
	f.Fuzz(func(t *testing.T, ua string) {
		diff(t, ours, theirs, ua)
	})
}

// TestFamilyLookups checks that the family-only lookups answer as the full
// ones, on every corpus agent.
func TestFamilyLookups(t *testing.T) {
	ours, _ := parsers(t)
	for _, e := range loadExpected(t) {
		a := ours.Prepare(e.UA)
		if got := a.OsFamily(); got != e.Os.Family {
			t.Errorf("OsFamily(%q) = %q, uap-go %q", e.UA, got, e.Os.Family)
		}
		if got := a.UserAgentFamily(); got != e.UserAgent.Family {
			t.Errorf("UserAgentFamily(%q) = %q, uap-go %q", e.UA, got, e.UserAgent.Family)
		}
		a.Release()
	}
}
