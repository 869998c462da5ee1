package redis

import (
	"context"
	"fmt"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
)

// The reliable-mode half of the redis_list input: processing lists,
// heartbeat, reclaiming and returning batches. The protocol itself (keys and
// Lua scripts) is in queue.go.

// returnOrphans gives back this consumer's registered lists that no pending
// batch holds: batches whose pop reply was lost with the connection.
func (r *redisListInput) returnOrphans(ctx context.Context) error {
	lists, err := r.q.ownLists(ctx)
	if err != nil {
		return fmt.Errorf("listing processing lists of %q: %w", r.q.id, err)
	}
	r.mu.Lock()
	orphans := lists[:0]
	for _, l := range lists {
		if _, ok := r.inFlight[l]; !ok {
			orphans = append(orphans, l)
		}
	}
	r.mu.Unlock()
	if _, err := r.q.giveBack(ctx, orphans...); err != nil {
		return fmt.Errorf("returning orphaned processing lists to %q: %w", r.conf.key, err)
	}
	return nil
}

func (r *redisListInput) reclaim(ctx context.Context) {
	n, err := r.q.reclaimDead(ctx)
	if n > 0 {
		r.log.Infof("Returned %d elements of expired consumers to redis list %q", n, r.conf.key)
	}
	if err != nil && !isConnErr(err) {
		r.log.Errorf("Reclaiming processing lists of expired consumers of %q: %v", r.conf.key, err)
	}
}

func (r *redisListInput) startBackground() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stop != nil {
		return
	}
	r.stop, r.done = make(chan struct{}), make(chan struct{})
	go r.background(r.stop, r.done)
	if r.acks == nil {
		r.acks = newAcker(func(ctx context.Context, lists []string) error {
			err := retryConn(ctx, func() error { return r.q.ack(ctx, lists...) })
			if err == nil && r.ackFailing.Swap(false) {
				r.log.Infof("Acknowledging batches of redis list %q works again", r.conf.key)
			}
			return err
		}, r.forget, func(err error) {
			if !r.ackFailing.Swap(true) {
				r.log.Errorf("Acknowledging batches of redis list %q: %v; retrying (their processing lists stay until it succeeds)", r.conf.key, err)
			}
		})
	}
}

// forget drops lists from the in-flight set once they are acknowledged or
// given back.
func (r *redisListInput) forget(lists []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range lists {
		delete(r.inFlight, l)
	}
}

// background refreshes the heartbeat and reclaims dead consumers' lists.
func (r *redisListInput) background(stop, done chan struct{}) {
	defer close(done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	beat := time.NewTicker(r.conf.heartbeatTTL / 3)
	defer beat.Stop()
	reclaim := time.NewTicker(r.conf.reclaimInterval)
	defer reclaim.Stop()
	for {
		select {
		case <-stop:
			return
		case <-beat.C:
			_ = r.q.heartbeat(ctx, r.conf.heartbeatTTL) // an outage shows in ReadBatch
		case <-reclaim.C:
			r.reclaim(ctx)
		}
	}
}

// popReliable pops up to batch_size elements into a fresh processing list,
// or blocks for one when the list is empty.
func (r *redisListInput) popReliable(ctx context.Context) ([]string, string, error) {
	// Close waits for a pop under way, so that it never unregisters this
	// consumer while a pop registers a new processing list.
	r.popMu.Lock()
	defer r.popMu.Unlock()
	if r.closing.Load() {
		return nil, "", service.ErrNotConnected
	}
	list := r.q.keys.processing(r.q.id, r.seq.Add(1))
	items, err := r.q.pop(ctx, list, r.conf.batchSize)
	if err != nil || len(items) > 0 {
		return items, list, err
	}
	if r.blockList == "" {
		r.blockList = r.q.keys.processing(r.q.id, r.seq.Add(1))
	}
	_, ok, err := r.q.blockingPop(ctx, r.blockList, r.conf.timeout)
	if err != nil || !ok {
		return nil, "", err
	}
	list, r.blockList = r.blockList, ""
	// Take the woken element together with whatever else arrived. On error
	// the list stays registered and Connect returns it to the queue.
	items, err = r.q.pop(ctx, list, r.conf.batchSize)
	return items, list, err
}

func (r *redisListInput) leave(ctx context.Context) error {
	lists, err := r.q.ownLists(ctx)
	if err != nil {
		return err
	}
	n, err := r.q.giveBack(ctx, lists...)
	if err != nil {
		return err
	}
	if n > 0 {
		r.log.Infof("Returned %d unacknowledged elements to redis list %q", n, r.conf.key)
	}
	return r.q.leave(ctx)
}
