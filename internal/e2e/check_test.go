package e2e

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kafkastore/kafkastore/internal/synth"
)

// dataset is what a scenario pushes: every line, and for each valid one its
// seq, topic, path and query, so every record read back can be traced.
type dataset struct {
	lines   []string
	valid   map[int]expected // by seq
	invalid []string         // lines that must reach the dead-letter list unchanged
	either  map[int]string   // poison lines (by seq) that may be delivered or dead-lettered
}

type expected struct{ topic, path, query string }

func newDataset() *dataset { return &dataset{valid: map[int]expected{}, either: map[int]string{}} }

// synthDataset generates n synth lines with seq numbers, every badEvery-th
// one invalid.
func synthDataset(n, badEvery int, seed uint64) *dataset {
	opts := synth.Options{Seed: seed, BadEvery: badEvery, Seq: true, Now: time.Now().Unix()}
	g := synth.New(opts)
	ds := newDataset()
	for i := 1; i <= n; i++ {
		line := g.Line()
		if opts.IsBad(i) {
			ds.addInvalid(line)
		} else {
			ds.addValid(line)
		}
	}
	return ds
}

// addValid adds a line that must be delivered; its query carries seq=N.
func (ds *dataset) addValid(line string) {
	f := strings.SplitN(line, " ", 6)
	ds.valid[synth.SeqOf(f[4])] = expected{topic: f[2], path: f[3], query: f[4]}
	ds.lines = append(ds.lines, line)
}

func (ds *dataset) addInvalid(line string) {
	ds.invalid = append(ds.invalid, line)
	ds.lines = append(ds.lines, line)
}

// addEither adds a line that may be delivered (as seq) or dead-lettered.
func (ds *dataset) addEither(seq int, line string) {
	ds.either[seq] = line
	ds.lines = append(ds.lines, line)
}

// tally is what a scenario measured.
type tally struct {
	lines, unique, duplicates, deadLetters int
	deadDuplicates                         int // dead letters beyond one per invalid line (redelivery after a crash)
	misrouted                              int // valid lines dead-lettered instead of delivered
	inversions                             int // records whose seq is below an earlier one in their partition
	batchInversions                        int // the same, counted only within each block of 500 consecutive lines (one input batch)
}

// check compares what Kafka and the dead-letter list hold with ds and fails
// the test on any loss, unexpected record or altered dead letter.
func check(t *testing.T, ds *dataset, recs []Record, dead []string) tally {
	t.Helper()
	tl := tally{lines: len(ds.lines), deadLetters: len(dead)}
	seen := map[int]int{}
	var bad []string
	for _, r := range recs {
		seq := synth.SeqOf(r.Value)
		exp, ok := ds.valid[seq]
		_, either := ds.either[seq]
		switch {
		case either:
		case !ok:
			bad = append(bad, fmt.Sprintf("unexpected record %s/%d@%d: %.120q", r.Topic, r.Partition, r.Offset, r.Value))
		case r.Topic != exp.topic || !strings.HasPrefix(r.Value, exp.path+" ") || !strings.HasSuffix(r.Value, " "+exp.query):
			bad = append(bad, fmt.Sprintf("record %s/%d@%d for seq %d does not match its line (topic %s, path %s, query %s): %.200q",
				r.Topic, r.Partition, r.Offset, seq, exp.topic, exp.path, exp.query, r.Value))
		}
		seen[seq]++
	}
	for _, b := range bad[:min(len(bad), 10)] {
		t.Error(b)
	}
	deadSeqs := map[int]bool{}
	for _, l := range dead {
		if seq := synth.SeqOf(l); seq >= 0 {
			deadSeqs[seq] = true
		}
	}
	var missing, misrouted []int
	for seq := range ds.valid {
		switch n := seen[seq]; {
		case n == 0 && deadSeqs[seq]:
			misrouted = append(misrouted, seq)
		case n == 0:
			missing = append(missing, seq)
		default:
			tl.unique++
			tl.duplicates += n - 1
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		t.Errorf("LOSS: %d of %d valid lines are neither on Kafka nor dead-lettered; first seqs: %v", len(missing), len(ds.valid), missing[:min(len(missing), 20)])
	}
	tl.misrouted = len(misrouted)
	if len(misrouted) > 0 {
		slices.Sort(misrouted)
		t.Errorf("%d of %d valid lines were dead-lettered instead of delivered (not lost); first seqs: %v", len(misrouted), len(ds.valid), misrouted[:min(len(misrouted), 20)])
	}
	tl.deadDuplicates = checkDeadLetters(t, ds, seen, dead)
	tl.inversions = inversions(recs, 0)
	tl.batchInversions = inversions(recs, 500)
	return tl
}

// checkDeadLetters compares the dead-letter list with the invalid lines as
// multisets, byte for byte, and returns how many dead letters are extra
// copies of an invalid line. A poison line counts once: delivered or dead.
func checkDeadLetters(t *testing.T, ds *dataset, seen map[int]int, dead []string) int {
	t.Helper()
	want := map[string]int{}
	for _, l := range ds.invalid {
		want[l]++
	}
	eitherDead := map[string]int{}
	for seq, l := range ds.either {
		eitherDead[l] = seq
	}
	got := map[string]int{}
	for _, l := range dead {
		got[l]++
	}
	for l, n := range got {
		if seq, ok := eitherDead[l]; ok {
			if seen[seq] > 0 {
				t.Errorf("poison line seq %d was both delivered and dead-lettered", seq)
			}
			continue
		}
		if _, valid := ds.valid[synth.SeqOf(l)]; valid && want[l] == 0 {
			continue // reported by check as dead-lettered instead of delivered
		}
		if want[l] == 0 {
			t.Errorf("dead letter that is no line pushed (%d times): %.200q", n, l)
		}
	}
	extra := 0
	for l, n := range want {
		if got[l] < n {
			t.Errorf("LOSS: invalid line dead-lettered %d times, pushed %d times: %.200q", got[l], n, l)
		}
		extra += max(0, got[l]-n)
	}
	for l, seq := range eitherDead {
		if got[l] == 0 && seen[seq] == 0 {
			t.Errorf("LOSS: poison line seq %d neither delivered nor dead-lettered: %.120q", seq, l)
		}
	}
	return extra
}

// inversions counts, per topic partition in offset order, records whose seq
// is lower than the highest seq before them. With block > 0 it compares only
// records whose seqs fall in the same block of that many lines.
func inversions(recs []Record, block int) int {
	byPart := map[string][]Record{}
	for _, r := range recs {
		k := fmt.Sprintf("%s/%d", r.Topic, r.Partition)
		if block > 0 {
			k += fmt.Sprintf("/%d", (synth.SeqOf(r.Value)-1)/block)
		}
		byPart[k] = append(byPart[k], r)
	}
	n := 0
	for _, rs := range byPart {
		slices.SortFunc(rs, func(a, b Record) int { return cmp.Compare(a.Offset, b.Offset) })
		high := -1
		for _, r := range rs {
			seq := synth.SeqOf(r.Value)
			if seq < high {
				n++
			}
			high = max(high, seq)
		}
	}
	return n
}

// figure logs the scenario's one-line figure for the README: lines pushed,
// valid lines on Kafka at least once, extra copies on Kafka, dead-letter
// list length (extra copies included), recover_s (seconds from the fault,
// or from the start for runs without one, until the queue was empty with no
// processing list left) and peak_rss_mib (the highest VmHWM of the
// scenario's kafkastore processes).
func figure(t *testing.T, name string, tl tally, recover time.Duration, peakMiB int64) {
	t.Logf("FIGURE scenario=%s lines=%d delivered_unique=%d duplicates=%d dead_letters=%d recover_s=%.1f peak_rss_mib=%d",
		name, tl.lines, tl.unique, tl.duplicates, tl.deadLetters, recover.Seconds(), peakMiB)
}
