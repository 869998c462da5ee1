package event

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/kafkastore/kafkastore/plugins/device"
	"github.com/kafkastore/kafkastore/plugins/tracker"
)

// minPrefetch is the fewest user agents missing from the memo for which a
// batch gets helpers to classify them; fewer are classified by the main
// pass alone. It is also the fewest cache misses a batch must have had for
// the next one to look for them.
const minPrefetch = 32

// States of a prefetched user agent.
const (
	preTodo    int32 = iota // nobody has claimed it
	preClaimed              // the main pass took it, or a helper is classifying it
	preDone                 // a helper classified it: cls and hit are set
)

// prefetched is a user agent missing from the memo, at the first line of
// the batch that carries it.
type prefetched struct {
	line  int    // the message's index in the batch
	ua    string // a substring of the batch's lines
	state atomic.Int32
	cls   device.Classified
	hit   bool // in the shared cache after all, though not in the memo
}

// prefetcher shares a batch's missing user agents between the main pass,
// which takes them from the front as it reaches their lines, and helper
// goroutines, which classify them from the back. They meet once, so the
// main pass waits for at most one classification per helper.
type prefetcher struct {
	todo []prefetched
	next int          // the main pass's next entry
	back atomic.Int64 // helpers take todo[back-1] and count down
	wg   sync.WaitGroup
	// waiting is set while the main pass waits for a helper's entry; the
	// helper then signals wake after each entry it finishes.
	waiting atomic.Bool
	wake    chan struct{}
}

// classifyWorkers is how many goroutines, the pipeline's included,
// classify a batch's new user agents: classify_workers, or GOMAXPROCS when
// that is 0.
func (t *trackerEvent) classifyWorkers() int {
	if t.workers > 0 {
		return t.workers
	}
	return runtime.GOMAXPROCS(0)
}

// prefetch starts helpers that classify the user agents of the batch that
// the memo does not hold, while the main pass, serial to keep the batch's
// order, converts the lines; it returns nil when there are too few. It
// looks only when the previous batch had at least minPrefetch misses, so a
// batch of cached user agents costs one atomic load here.
//
// The counts stay as the main pass alone makes them: an entry the main
// pass claims itself, or that a helper found cached, goes through the main
// pass's usual lookup; a helper's miss counts one miss at the first line
// of the batch carrying it, and later lines find it cached. Lines that fail
// to parse are skipped, so their user agents are never cached. The one
// difference is in which entries a full cache evicts: a helper may cache a
// new agent a little before the main pass would have.
func (t *trackerEvent) prefetch(b *batchState) *prefetcher {
	workers := 0
	if t.memo != nil && len(b.lens) >= minPrefetch && t.lastMisses.Load() >= minPrefetch {
		workers = t.classifyWorkers()
	}
	if workers <= 1 {
		return nil
	}
	todo := t.missing(b)
	if len(todo) < minPrefetch {
		return nil
	}
	p := &prefetcher{todo: todo, wake: make(chan struct{}, 1)}
	p.back.Store(int64(len(todo)))
	for range workers - 1 {
		p.wg.Go(func() { p.help(t.det) })
	}
	return p
}

// help classifies entries from the back until it reaches one the main pass
// has claimed.
func (p *prefetcher) help(det *device.Detector) {
	for {
		k := int(p.back.Add(-1))
		if k < 0 {
			return
		}
		e := &p.todo[k]
		if !e.state.CompareAndSwap(preTodo, preClaimed) {
			return // the main pass is here: everything before is its own
		}
		e.cls, e.hit = det.Lookup(e.ua)
		e.state.Store(preDone)
		if p.waiting.Load() {
			select {
			case p.wake <- struct{}{}:
			default: // a signal is pending already
			}
		}
	}
}

// take returns the classification a helper made for the batch's message i
// as a cache miss. ok is false when the main pass is to look the user agent
// up itself: it has no entry, the main pass claimed it, or it was cached.
func (p *prefetcher) take(i int) (cls device.Classified, ok bool) {
	if p == nil || p.next == len(p.todo) || p.todo[p.next].line != i {
		return cls, false
	}
	e := &p.todo[p.next]
	p.next++
	if e.state.CompareAndSwap(preTodo, preClaimed) {
		return cls, false
	}
	if e.state.Load() != preDone {
		p.await(e)
	}
	return e.cls, !e.hit
}

// await blocks until a helper has classified e. It sleeps rather than
// spins: on a busy machine the helper's thread may be off the CPU for a
// while. Setting waiting before looking again at e's state means a helper
// finishing e either is seen done here or sees waiting and signals.
func (p *prefetcher) await(e *prefetched) {
	p.waiting.Store(true)
	for e.state.Load() != preDone {
		<-p.wake // a stale signal only costs one more look
	}
	p.waiting.Store(false)
}

// wait returns once every helper has stopped.
func (p *prefetcher) wait() {
	if p != nil {
		p.wg.Wait()
	}
}

// missing returns, in batch order, the first line of each distinct
// non-empty user agent of the batch's valid lines that the memo does not
// hold.
func (t *trackerEvent) missing(b *batchState) []prefetched {
	var todo []prefetched
	var seen map[string]struct{}
	off := 0
	for i, n := range b.lens {
		if n < 0 {
			continue
		}
		line, err := tracker.ParseLineString(b.all[off : off+n])
		off += n
		ua := line.UserAgent
		if err != nil || ua == "" || t.memo.holds(ua) {
			continue
		}
		if seen == nil {
			seen = make(map[string]struct{}, len(b.lens))
			todo = make([]prefetched, 0, len(b.lens))
		}
		if _, dup := seen[ua]; dup {
			continue
		}
		seen[ua] = struct{}{}
		todo = append(todo, prefetched{line: i, ua: ua})
	}
	return todo
}
