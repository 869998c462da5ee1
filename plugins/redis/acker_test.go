package redis

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

// waitAcked waits until the background acker has deleted every
// acknowledged batch of in: its in-flight set is empty.
func waitAcked(t *testing.T, in *redisListInput) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		in.mu.Lock()
		n := len(in.inFlight)
		in.mu.Unlock()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d batches still in flight 5s after their acks", n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestAcker(t *testing.T) {
	var mu sync.Mutex
	var calls [][]string
	var forgotten []string
	release := make(chan struct{})
	a := newAcker(func(_ context.Context, lists []string) error {
		<-release // hold the first round trip so the next acks queue up
		mu.Lock()
		calls = append(calls, slices.Clone(lists))
		mu.Unlock()
		return nil
	}, func(lists []string) {
		mu.Lock()
		forgotten = append(forgotten, lists...)
		mu.Unlock()
	}, func(err error) { t.Errorf("unexpected failure: %v", err) })
	want := []string{"a", "b", "c", "d"}
	for _, l := range want {
		if !a.enqueue(l) {
			t.Fatalf("enqueue(%q) refused", l)
		}
	}
	close(release)
	a.stop(5 * time.Second)
	if a.enqueue("late") {
		t.Error("enqueue after stop accepted: it must fall back to a synchronous ack")
	}
	mu.Lock()
	defer mu.Unlock()
	var sent []string
	for _, c := range calls {
		sent = append(sent, c...)
	}
	if !slices.Equal(sent, want) || !slices.Equal(forgotten, want) {
		t.Fatalf("acked %v, forgotten %v, want %v for both", sent, forgotten, want)
	}
	if len(calls) > 2 {
		t.Errorf("%d round trips for 4 acks queued behind one: want them batched", len(calls))
	}
}

// TestAckerStopGivesUp checks that stop returns after its timeout when
// Redis never answers, instead of hanging the shutdown.
func TestAckerStopGivesUp(t *testing.T) {
	a := newAcker(func(ctx context.Context, _ []string) error {
		<-ctx.Done()
		return ctx.Err()
	}, func([]string) {}, func(error) {})
	a.enqueue("x")
	start := time.Now()
	a.stop(50 * time.Millisecond)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("stop took %v", d)
	}
}

// TestAckerFull checks that a full queue refuses, so the caller acks
// synchronously instead of blocking the output.
func TestAckerFull(t *testing.T) {
	block := make(chan struct{})
	a := newAcker(func(context.Context, []string) error { <-block; return nil }, func([]string) {}, func(error) {})
	defer func() { close(block); a.stop(time.Second) }()
	refused := false
	for i := 0; i < ackQueueSize+100 && !refused; i++ {
		refused = !a.enqueue("l")
	}
	if !refused {
		t.Fatal("a full acker accepted more")
	}
}
