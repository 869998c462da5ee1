package redis

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// Nack handling of the redis_list input. With auto_replay_nacks (default) a
// nacked batch is delivered again, built afresh from the popped elements,
// before any batch popped after it; in reliable mode its processing list
// stays in Redis until the replay is acknowledged. Without it, reliable mode
// returns a nacked batch to the queue head and plain mode drops it, as the
// stock input does. Consecutive nacks slow reading down (10ms doubling to
// 1s) so a failing output does not spin.

// popped is one batch as it came from Redis.
type popped struct {
	items []string
	list  string // reliable mode: its processing list
	seq   uint64 // pop order
}

// nextDue takes the oldest batch due for replay, else the batch held back
// for one; nil if there is neither.
func (r *redisListInput) nextDue() *popped {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.replays) > 0 {
		b := r.replays[0]
		r.replays = slices.Delete(r.replays, 0, 1)
		return b
	}
	b := r.held
	r.held = nil
	return b
}

// replayBefore returns the oldest batch due for replay and holds b back for
// the next read, or returns b when no replay is due.
func (r *redisListInput) replayBefore(b *popped) *popped {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.replays) == 0 {
		return b
	}
	r.held = b
	first := r.replays[0]
	r.replays = slices.Delete(r.replays, 0, 1)
	return first
}

// settle acknowledges (reliable: deletes the processing list) or handles a
// nack of one batch, retrying through outages until ctx ends.
func (r *redisListInput) settle(ctx context.Context, b *popped, nack error) error {
	if nack != nil {
		pause := min(max(2*time.Duration(r.nackPause.Load()), 10*time.Millisecond), time.Second)
		r.nackPause.Store(int64(pause))
	} else {
		r.nackPause.Store(0)
	}
	if nack != nil && r.conf.replayNacks {
		r.mu.Lock()
		i, _ := slices.BinarySearchFunc(r.replays, b.seq, func(p *popped, seq uint64) int { return cmp.Compare(p.seq, seq) })
		r.replays = slices.Insert(r.replays, i, b)
		r.mu.Unlock()
		return nil
	}
	if b.list == "" {
		return nil
	}
	if nack == nil {
		r.mu.Lock()
		acks := r.acks
		r.mu.Unlock()
		if acks != nil && acks.enqueue(b.list) {
			return nil // the acker deletes the list, then forgets it
		}
	}
	defer r.forget([]string{b.list})
	if nack == nil {
		return retryConn(ctx, func() error { return r.q.ack(ctx, b.list) })
	}
	return retryConn(ctx, func() error {
		_, err := r.q.giveBack(ctx, b.list)
		return err
	})
}

// waitAfterNack sleeps the current nack pause, if any.
func (r *redisListInput) waitAfterNack(ctx context.Context) {
	pause := time.Duration(r.nackPause.Load())
	if pause <= 0 {
		return
	}
	t := time.NewTimer(pause)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// undelivered takes every batch awaiting replay or held back, oldest first.
func (r *redisListInput) undelivered() []*popped {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.replays
	if r.held != nil {
		out = append(out, r.held)
	}
	r.replays, r.held = nil, nil
	slices.SortFunc(out, func(a, b *popped) int { return cmp.Compare(a.seq, b.seq) })
	return out
}

// pushBackPlain returns plain-mode batches that were popped but never
// acknowledged to the queue head in their original order, so a clean
// shutdown loses none of them. Reliable mode needs no such step: their
// processing lists are still registered and leave returns them.
func (r *redisListInput) pushBackPlain(ctx context.Context) (int, error) {
	var args []any
	batches := r.undelivered()
	for i := len(batches) - 1; i >= 0; i-- {
		items := batches[i].items
		for j := len(items) - 1; j >= 0; j-- {
			args = append(args, items[j])
		}
	}
	if len(args) == 0 {
		return 0, nil
	}
	push := r.client.LPush
	if r.conf.head == sideRight {
		push = r.client.RPush
	}
	return len(args), push(ctx, r.conf.key, args...).Err()
}
