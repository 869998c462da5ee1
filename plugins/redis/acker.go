package redis

import (
	"context"
	"sync"
	"time"
)

// ackQueueSize bounds the acknowledgements waiting for the acker; when it is
// full an acknowledgement is sent synchronously instead.
const ackQueueSize = 256

// acker deletes acknowledged processing lists in the background, several
// per round trip. An acknowledgement is the end of a batch's journey through
// the output: sent synchronously, its round trip to Redis held up the
// output's next write (a third of the output's time in a trace of the
// default config). A list stays in the input's in-flight set until it is
// deleted, so a reconnect never gives it back to the queue, and a crash
// before the deletion only redelivers it (at least once).
type acker struct {
	ack    func(ctx context.Context, lists []string) error // deletes lists; retried on connection errors
	done   func(lists []string)                            // called once lists are deleted (or given up)
	failed func(err error)                                 // told of each failed deletion, before a retry

	mu       sync.Mutex
	ch       chan string // nil once stopped
	finished chan struct{}
	cancel   context.CancelFunc
}

func newAcker(ack func(context.Context, []string) error, done func([]string), failed func(error)) *acker {
	ctx, cancel := context.WithCancel(context.Background())
	a := &acker{ack: ack, done: done, failed: failed, ch: make(chan string, ackQueueSize), finished: make(chan struct{}), cancel: cancel}
	go a.loop(ctx, a.ch)
	return a
}

// enqueue hands list to the background loop. It reports false when the
// acker is stopped or full: the caller acknowledges synchronously.
func (a *acker) enqueue(list string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ch == nil {
		return false
	}
	select {
	case a.ch <- list:
		return true
	default:
		return false
	}
}

func (a *acker) loop(ctx context.Context, ch chan string) {
	defer close(a.finished)
	lists := make([]string, 0, 64)
	for list := range ch {
		lists = append(lists[:0], list)
	drain:
		for len(lists) < cap(lists) {
			select {
			case l, ok := <-ch:
				if !ok {
					break drain
				}
				lists = append(lists, l)
			default:
				break drain
			}
		}
		a.ackUntilDone(ctx, lists)
		a.done(lists)
	}
}

// ackUntilDone deletes lists, retrying with a backoff until it succeeds or
// stop gives up (the lists are then redelivered: at least once). While it
// retries, the queue fills and acknowledgements turn synchronous, so the
// failure reaches Benthos too.
func (a *acker) ackUntilDone(ctx context.Context, lists []string) {
	wait := 50 * time.Millisecond
	for {
		err := a.ack(ctx, lists)
		if err == nil || ctx.Err() != nil {
			return
		}
		a.failed(err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

// stop waits, up to timeout, for every queued acknowledgement to be sent,
// then gives up retrying (those batches are redelivered), and makes later
// acknowledgements synchronous.
func (a *acker) stop(timeout time.Duration) {
	a.mu.Lock()
	ch := a.ch
	a.ch = nil
	a.mu.Unlock()
	if ch == nil {
		return
	}
	close(ch)
	select {
	case <-a.finished:
	case <-time.After(timeout):
		a.cancel()
		<-a.finished
	}
	a.cancel()
}
