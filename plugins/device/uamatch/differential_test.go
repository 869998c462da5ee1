package uamatch

import (
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/ua-parser/uap-go/uaparser"
)

//go:generate go run ./testdata/gen -o testdata/corpus.txt

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

// parsers returns a uamatch Parser and a uap-go Parser over the same rules.
func parsers(tb testing.TB) (*Parser, *uaparser.Parser) {
	tb.Helper()
	ours, err := NewDefault()
	if err != nil {
		tb.Fatalf("building uamatch parser: %v", err)
	}
	theirs, err := uaparser.New(uaparser.WithCacheSize(1))
	if err != nil {
		tb.Fatalf("building uap-go parser: %v", err)
	}
	return ours, theirs
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

func TestDifferentialCorpus(t *testing.T) {
	lines := loadCorpus(t)
	ours, theirs := parsers(t)
	step := 1
	if raceEnabled || testing.Short() {
		step = 23 // uap-go dominates the run time; sample the corpus
	}
	for i := 0; i < len(lines); i += step {
		diff(t, ours, theirs, lines[i])
		if t.Failed() && i > 1000 {
			t.Fatal("stopping after the first failures")
		}
	}
}

func TestParseMatchesLookups(t *testing.T) {
	ours, theirs := parsers(t)
	for _, ua := range loadCorpus(t)[:200] {
		got, want := ours.Parse(ua), theirs.Parse(ua)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Parse(%q) = %+v, uap-go %+v", ua, got, want)
		}
	}
}

func FuzzDifferential(f *testing.F) {
	lines := loadCorpus(f)
	for i := 0; i < len(lines); i += 97 {
		f.Add(lines[i])
	}
	f.Add("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1")
	ours, theirs := parsers(f)
	f.Fuzz(func(t *testing.T, ua string) {
		diff(t, ours, theirs, ua)
	})
}
