package event

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/kafkastore/kafkastore/plugins/tracker"
	"github.com/redpanda-data/benthos/v4/public/service"
)

// minSplit is the fewest lines to convert for which a batch is converted
// in two halves, the second on a goroutine of its own: below it the
// goroutine's start and the wait cost more than they save.
const minSplit = 256

// splitBatches counts the batches converted in two halves, for tests.
var splitBatches atomic.Int64

// pending is a line of a split batch's second half left for after the
// first half: its user agent was not in the memo.
type pending struct {
	i    int    // the message's index in the batch
	orig string // its line, in the batch's lines
}

// splitAt returns where to split the batch, the index of the first message
// of the second half and the offset of its line in b.all, or 0 to convert
// the batch on the pipeline goroutine alone. A batch is split when Go may
// run two goroutines at once, classify_workers is not 1, no prefetcher
// runs (it has the spare core already) and it has at least minSplit lines
// to convert. The halves get the same number of lines to convert.
func (t *trackerEvent) splitAt(b *batchState) (m, off int) {
	if b.todo < minSplit || b.pre != nil || t.workers == 1 || runtime.GOMAXPROCS(0) < 2 {
		return 0, 0
	}
	seen := 0
	for i, n := range b.lens {
		if n < 0 {
			continue
		}
		if seen == b.todo/2 {
			return i, off
		}
		seen++
		off += n
	}
	return 0, 0 // unreachable: todo counts the lens that are not -1
}

// convertSplit converts the messages before m on the pipeline goroutine
// and the others, whose lines start at off in b.all, on a second one, each
// half with its own output buffer (a capped part of buf), metadata boxes
// (a part of boxes and a topic cache) and counts. It returns the output
// bytes.
//
// What the halves share is safe for concurrent use: the memo is lock-free
// (atomic slots; racing stores are harmless), the shared device cache
// behind it takes a shard's lock per access, the GeoIP lookup reads an
// immutable database through an atomic pointer and its record cache is
// lock-free, the event lag timer is Benthos' (its instruments are
// concurrent-safe; ours in plugins/prometheus remember the last series in
// an atomic pointer), and plan and the batch's lines are read-only. Each
// message is written by one half only; Benthos copies a message's shared
// metadata on its first write, only reading the original.
//
// The counts are those of a serial pass: the second half classifies only
// the user agents the memo holds, which the shared cache had too, and
// leaves the others for the pipeline goroutine to convert, in order, after
// the first half, so the first line of the batch carrying a new user agent
// is the one that counts its miss, as serially.
func (t *trackerEvent) convertSplit(b *batchState, batch service.MessageBatch, boxes []tracker.BoxedString, buf []byte, m, off int) int {
	k := t.boxesPerLine()*m + maxTopicBoxes
	c := cap(buf) / 2
	if len(b.all) > 0 {
		c = int(int64(cap(buf)) * int64(off) / int64(len(b.all)))
	}
	first := &part{buf: buf[:0:c], boxes: boxes[:k:k]}
	second := &part{buf: buf[c:c], boxes: boxes[k:]}
	var deferred []pending
	var wg sync.WaitGroup
	wg.Go(func() { t.convertRange(b, second, batch, m, len(batch), off, &deferred) })
	t.convertRange(b, first, batch, 0, m, 0, nil)
	wg.Wait()
	var ev event
	for _, d := range deferred {
		t.convertLine(b, second, batch[d.i], d.i, d.orig, &ev, false)
	}
	b.counts = first.counts
	b.counts.add(second.counts)
	b.split, b.deferred = true, len(deferred)
	splitBatches.Add(1)
	return len(first.buf) + len(second.buf)
}
