package event

import (
	"runtime"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/kafkastore/kafkastore/internal/synth"
	"github.com/kafkastore/kafkastore/plugins/tracker"
)

// TestSplit runs the same batches through tracker_event with everything
// on the pipeline goroutine (classify_workers: 1) and with large batches
// converted in two halves, each processor with a cache of its own, and
// checks that contents, errors, metadata and every count are the same
// batch by batch. The third batch has user agents the cache lacks or the
// memo lacks in both halves, too few to prefetch, so the second half
// leaves some lines for after the first.
func TestSplit(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("batches are split only when GOMAXPROCS is at least 2")
	}
	now := time.Now().Unix()
	zipf := synthLines(synth.Options{Seed: 21, Now: now, BadEvery: 50}, 2000)
	fresh := synthLines(synth.Options{Seed: 22, Now: now, UniqueAgents: true}, 10)
	// mixed: new agents near the start and again near the end, lines whose
	// agents the cache has seen once (not in the memo), invalid lines and
	// messages flagged already.
	mixed := mixedInputs(zipf[1000:1600])
	mixed = append(append(fresh[:5:5], mixed...), fresh...)
	mixed = append(mixed, input{line: fresh[0].line, preErr: "an earlier step failed"})
	tests := []struct {
		name      string
		in        []input
		wantSplit bool
	}{
		{name: "cold", in: zipf[:1000]},
		{name: "warm again", in: zipf[:1000]},
		{name: "mixed, some new agents", in: mixed, wantSplit: true},
		{name: "mixed again", in: mixed}, // prefetched: the last batch missed often
		{name: "mixed, all cached", in: mixed, wantSplit: true},
		{name: "small", in: zipf[:200]},
	}
	serial := newSplitProcessor(t, 1, 1<<20)
	conc := newSplitProcessor(t, 0, 1<<20+3)
	var all []input
	deferred := 0
	var got counts
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			bs, bc := batchOf(test.in), batchOf(test.in)
			s, c := serial.convert(bs), conc.convert(bc)
			serial.count(s)
			conc.count(c)
			all = append(all, test.in...)
			if s.split {
				t.Error("classify_workers 1 split a batch")
			}
			if test.wantSplit && !c.split {
				t.Errorf("not split (prefetched: %v)", c.pre != nil)
			}
			deferred += c.deferred
			got.add(c.counts)
			if s.counts != c.counts {
				t.Errorf("counts %+v serially, %+v split", s.counts, c.counts)
			}
			for i := range test.in {
				if d := diffMessages(bs[i], bc[i]); d != "" {
					t.Errorf("message %d %q: %s", i, test.in[i].line, d)
				}
			}
		})
	}
	if deferred == 0 {
		t.Error("no line of a second half waited for the first")
	}
	wh, wm := wantCounts(all)
	if got.hits != wh || got.misses != wm {
		t.Errorf("counted %d hits, %d misses; want %d, %d", got.hits, got.misses, wh, wm)
	}
}

func newSplitProcessor(t *testing.T, workers, cacheSize int) *trackerEvent {
	t.Helper()
	c := config{geoipDatabase: cityDB, cacheSize: cacheSize, fields: tracker.DefaultFields(), keepOriginal: "tracker_line", allMetadata: true, maxLineBytes: tracker.DefaultMaxLineBytes, classifyWorkers: workers}
	now := time.Unix(1700000100, 0)
	p, err := newTrackerEvent(c, service.MockResources(), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close(t.Context()) })
	return p
}
