// Command expect writes uap-go's answers for every agent of the uamatch
// corpus, the golden file the differential tests compare uamatch with:
//
//	go run ./plugins/device/uamatch/testdata/expect -corpus plugins/device/uamatch/testdata/corpus.txt -o plugins/device/uamatch/testdata/corpus_expected.tsv
//
// Line n holds uaparser.Parser.Parse of corpus line n, over the uap-core
// rules embedded in uap-go, as 13 tab-separated Go-quoted strings (agents
// and captures may be invalid UTF-8, which JSON cannot carry): the agent;
// user agent family, major, minor, patch; OS family, major, minor, patch,
// patch minor; device family, brand, model. Rerun it (go generate in
// plugins/device/uamatch) whenever the corpus or uap-go changes; a test
// compares a sample of it with live uap-go answers.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/ua-parser/uap-go/uaparser"
)

// record is one golden line.
type record struct {
	ua string
	*uaparser.Client
}

// fields returns the strings of r in file order.
func (r record) fields() []string {
	u, o, d := r.UserAgent, r.Os, r.Device
	return []string{r.ua, u.Family, u.Major, u.Minor, u.Patch,
		o.Family, o.Major, o.Minor, o.Patch, o.PatchMinor, d.Family, d.Brand, d.Model}
}

func main() {
	corpus := flag.String("corpus", "testdata/corpus.txt", "corpus file, one agent a line")
	out := flag.String("o", "testdata/corpus_expected.tsv", "output file")
	flag.Parse()
	b, err := os.ReadFile(*corpus)
	if err != nil {
		log.Fatalf("reading corpus: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	recs := parseAll(lines)
	f, err := os.Create(*out)
	if err != nil {
		log.Fatalf("creating %q: %v", *out, err)
	}
	w := bufio.NewWriter(f)
	for _, r := range recs {
		for i, f := range r.fields() {
			if i > 0 {
				w.WriteByte('\t')
			}
			w.WriteString(strconv.Quote(f))
		}
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		log.Fatalf("writing %q: %v", *out, err)
	}
	if err := f.Close(); err != nil {
		log.Fatalf("closing %q: %v", *out, err)
	}
	fmt.Fprintf(os.Stderr, "%d agents\n", len(recs))
}

// parseAll runs uap-go on every line, one parser per CPU (each without a
// useful cache, as the answers do not depend on it).
func parseAll(lines []string) []record {
	recs := make([]record, len(lines))
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			p, err := uaparser.New(uaparser.WithCacheSize(1))
			if err != nil {
				log.Fatalf("building uap-go parser: %v", err)
			}
			for i := w; i < len(lines); i += workers {
				recs[i] = record{ua: lines[i], Client: p.Parse(lines[i])}
			}
		})
	}
	wg.Wait()
	return recs
}
