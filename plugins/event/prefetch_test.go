package event

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/kafkastore/kafkastore/internal/synth"
	"github.com/kafkastore/kafkastore/plugins/device"
	"github.com/kafkastore/kafkastore/plugins/tracker"
)

// repeatedAgents returns n valid lines whose user agents are new and each
// appear three times, shuffled, with every seventh line broken in a way
// that keeps its user agent, so a bad line's agent shows up again on valid
// lines.
func repeatedAgents(seed uint64, n int) []input {
	g := synth.New(synth.Options{Seed: seed, Now: time.Now().Unix(), UniqueAgents: true})
	out := make([]input, 0, n)
	for len(out) < n {
		l := g.Line()
		out = append(out, input{line: l}, input{line: l}, input{line: l})
	}
	out = out[:n]
	r := rand.New(rand.NewPCG(seed, 1))
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	for i := 0; i < len(out); i += 7 {
		out[i].line = "not-an-ip" + out[i].line[len("0"):]
	}
	return out
}

// wantCounts is what the chain's device_detect counts over batches of
// inputs, with a cache large enough to evict nothing: a miss for the first
// valid line of each non-empty user agent, a hit for every other valid
// line.
func wantCounts(in []input) (hits, misses int64) {
	seen := map[string]bool{}
	for _, x := range in {
		l, err := tracker.ParseLineString(x.line)
		if err != nil || x.preErr != "" || len(x.line) > tracker.DefaultMaxLineBytes {
			continue
		}
		if l.UserAgent == "" || seen[l.UserAgent] {
			hits++
			continue
		}
		seen[l.UserAgent] = true
		misses++
	}
	return hits, misses
}

// TestPrefetch runs the same batches through tracker_event with user
// agents classified one by one (classify_workers: 1) and concurrently
// before the main pass, each with a cache of its own, and checks that
// contents, errors, metadata and cache counts are the same batch by batch.
func TestPrefetch(t *testing.T) {
	now := time.Now().Unix()
	tests := []struct {
		name         string
		in           []input
		wantPrefetch bool // the concurrent run classifies some agents before the main pass
	}{
		{name: "unique", in: synthLines(synth.Options{Seed: 11, Now: now, UniqueAgents: true, BadEvery: 37}, 2000), wantPrefetch: true},
		{name: "repeated in the batch, bad lines", in: repeatedAgents(12, 1500), wantPrefetch: true},
		{name: "zipf, cold cache", in: synthLines(synth.Options{Seed: 13, Now: now, BadEvery: 50}, 3000), wantPrefetch: true},
		{name: "edges", in: edgeInputs()},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			serial := newPrefetchProcessor(t, 1, 1<<20)
			conc := newPrefetchProcessor(t, 4, 1<<20+1)
			var hits, misses int64
			prefetched := 0
			for start := 0; start < len(test.in); start += 500 {
				in := test.in[start:min(start+500, len(test.in))]
				bs, bc := batchOf(in), batchOf(in)
				s, c := serial.convert(bs), conc.convert(bc)
				serial.count(s)
				conc.count(c)
				if s.pre != nil {
					t.Errorf("classify_workers 1 prefetched %d agents", len(s.pre.todo))
				}
				if s.counts != c.counts {
					t.Errorf("batch at %d: counts %+v serially, %+v concurrently", start, s.counts, c.counts)
				}
				hits, misses = hits+c.counts.hits, misses+c.counts.misses
				if c.pre != nil {
					prefetched += len(c.pre.todo)
				}
				for i := range in {
					if d := diffMessages(bs[i], bc[i]); d != "" {
						t.Errorf("line %q: %s", in[i].line, d)
					}
				}
			}
			if wh, wm := wantCounts(test.in); hits != wh || misses != wm {
				t.Errorf("counted %d hits, %d misses; want %d, %d", hits, misses, wh, wm)
			}
			if got := prefetched > 0; got != test.wantPrefetch {
				t.Errorf("prefetched %d agents; want some: %v", prefetched, test.wantPrefetch)
			}
		})
	}
}

// TestPrefetchSkipsCachedBatches checks that a batch after one with few
// cache misses does not look for misses before the main pass.
func TestPrefetchSkipsCachedBatches(t *testing.T) {
	in := synthLines(synth.Options{Seed: 14, Now: time.Now().Unix()}, 500)
	p := newPrefetchProcessor(t, 4, 1<<20)
	p.count(p.convert(batchOf(in))) // the first batch misses
	p.count(p.convert(batchOf(in))) // all hits
	if got := p.lastMisses.Load(); got != 0 {
		t.Fatalf("second pass over the same lines missed %d times", got)
	}
	b := p.convert(batchOf(in))
	if b.pre != nil {
		t.Errorf("a batch after one without misses prefetched %d agents", len(b.pre.todo))
	}
}

func newPrefetchProcessor(t *testing.T, workers, cacheSize int) *trackerEvent {
	t.Helper()
	c := config{cacheSize: cacheSize, fields: tracker.DefaultFields(), keepOriginal: "tracker_line", allMetadata: true, maxLineBytes: tracker.DefaultMaxLineBytes, classifyWorkers: workers}
	now := time.Unix(1700000100, 0) // fixed, so klag never differs between runs
	p, err := newTrackerEvent(c, service.MockResources(), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close(t.Context()) })
	return p
}

// diffMessages describes how two converted messages differ, or is empty.
func diffMessages(a, b *service.Message) string {
	ab, _ := a.AsBytes()
	bb, _ := b.AsBytes()
	if string(ab) != string(bb) {
		return fmt.Sprintf("content %q, then %q", ab, bb)
	}
	if ea, eb := errText(a), errText(b); ea != eb {
		return fmt.Sprintf("error %q, then %q", ea, eb)
	}
	ma, mb := metaOf(a), metaOf(b)
	for _, k := range slices.Sorted(maps.Keys(ma)) {
		if ma[k] != mb[k] {
			return fmt.Sprintf("metadata %s %q, then %q", k, ma[k], mb[k])
		}
	}
	if len(ma) != len(mb) {
		return fmt.Sprintf("metadata %v, then %v", ma, mb)
	}
	return ""
}

// TestPrefetcherMeet drives the main pass and a helper through a batch in
// a fixed order: the main pass claims the first entries, a helper
// classifies the rest from the back and stops at the main pass's last
// claim, and the main pass then takes the helper's answers as misses.
func TestPrefetcherMeet(t *testing.T) {
	det, err := device.NewDetector("", 1<<20+2) // a cache of its own
	if err != nil {
		t.Fatal(err)
	}
	defer det.Close()
	g := synth.New(synth.Options{Seed: 15, Now: 1, UniqueAgents: true})
	p := &prefetcher{todo: make([]prefetched, 10)}
	for k := range p.todo {
		l, err := tracker.ParseLineString(g.Line())
		if err != nil {
			t.Fatal(err)
		}
		p.todo[k].line, p.todo[k].ua = 2*k, l.UserAgent
	}
	p.back.Store(int64(len(p.todo)))
	const claimed = 4 // entries the main pass reaches before the helper runs
	for k := range claimed {
		if _, ok := p.take(2*k + 1); ok {
			t.Fatalf("line %d has no entry but got an answer", 2*k+1)
		}
		if _, ok := p.take(2 * k); ok {
			t.Fatalf("entry %d: an unclassified entry gave an answer", k)
		}
	}
	p.help(det)
	for k := claimed; k < len(p.todo); k++ {
		if got := p.todo[k].state.Load(); got != preDone {
			t.Fatalf("entry %d: state %d after the helper ran", k, got)
		}
		cls, ok := p.take(2 * k)
		if !ok {
			t.Fatalf("entry %d: no answer from the helper", k)
		}
		if want, _ := det.Lookup(p.todo[k].ua); cls.Result() != want.Result() {
			t.Errorf("entry %d: %+v, want %+v", k, cls.Result(), want.Result())
		}
	}
	if _, hit := det.Lookup(p.todo[0].ua); hit {
		t.Error("the helper classified an entry the main pass had claimed")
	}
	if _, ok := p.take(2 * len(p.todo)); ok {
		t.Error("a line after the last entry got an answer")
	}
}
