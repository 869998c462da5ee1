package redis

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/kafkastore/kafkastore/internal/redistest"
)

var errDown = errors.New("output down")

// ownedLists returns the processing lists registered to in's consumer.
func ownedLists(t testing.TB, in *redisListInput) []string {
	t.Helper()
	if in.q == nil {
		return nil
	}
	return in.client.SMembers(t.Context(), in.q.keys.ownedLists(in.q.id)).Val()
}

func TestInputNackReplay(t *testing.T) {
	srv := redistest.Start(t)
	c := srv.Client(t)
	tests := []struct {
		name string
		yaml string
	}{
		{name: "reliable", yaml: ""},
		{name: "plain", yaml: "reliable: false\n"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			c.FlushAll(t.Context())
			push(t, c, "q", seq(0, 10))
			in := startInput(t, srv, "key: q\nbatch_size: 4\n"+test.yaml)
			for attempt := range 3 {
				got, ack := read(t, in)
				if !slices.Equal(got, seq(0, 4)) {
					t.Fatalf("delivery %d = %v, want %v", attempt+1, got, seq(0, 4))
				}
				if got := lrange(t, c, "q"); !slices.Equal(got, seq(4, 10)) {
					t.Fatalf("queue during delivery %d = %v, want %v", attempt+1, got, seq(4, 10))
				}
				if in.q != nil {
					lists := ownedLists(t, in)
					if len(lists) != 1 || !slices.Equal(lrange(t, c, lists[0]), seq(0, 4)) {
						t.Fatalf("processing lists during delivery %d = %v, want one holding %v", attempt+1, lists, seq(0, 4))
					}
				}
				var nack error
				if attempt < 2 {
					nack = errDown
				}
				if err := ack(t.Context(), nack); err != nil {
					t.Fatal(err)
				}
			}
			waitAcked(t, in)
			if lists := ownedLists(t, in); len(lists) != 0 {
				t.Errorf("processing lists left after the final ack: %v", lists)
			}
			for _, want := range [][]string{seq(4, 8), seq(8, 10)} {
				got, ack := read(t, in)
				if !slices.Equal(got, want) {
					t.Fatalf("next batch = %v, want %v", got, want)
				}
				if err := ack(t.Context(), nil); err != nil {
					t.Fatal(err)
				}
			}
			waitAcked(t, in)
			if left := keysBut(t, c, "{q}:consumers", "{q}:consumer:"+in.conf.consumerID); len(left) != 0 {
				t.Errorf("keys left after acks: %v", left)
			}
		})
	}
}

// TestInputReplayOrder checks that replays go out in pop order before any
// batch popped after them, also when the nack comes during a blocking pop.
func TestInputReplayOrder(t *testing.T) {
	srv := redistest.Start(t)
	c := srv.Client(t)
	tests := []struct {
		name string
		yaml string
	}{
		{name: "reliable", yaml: ""},
		{name: "plain", yaml: "reliable: false\n"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			c.FlushAll(t.Context())
			push(t, c, "q", seq(0, 6))
			in := startInput(t, srv, "key: q\nbatch_size: 2\ntimeout: 1s\n"+test.yaml)
			_, ackA := read(t, in)
			_, ackB := read(t, in)
			gotC, ackC := read(t, in)
			if err := ackB(t.Context(), errDown); err != nil {
				t.Fatal(err)
			}
			if err := ackA(t.Context(), errDown); err != nil {
				t.Fatal(err)
			}
			for _, want := range [][]string{seq(0, 2), seq(2, 4)} {
				got, ack := read(t, in)
				if !slices.Equal(got, want) {
					t.Fatalf("replay = %v, want %v", got, want)
				}
				if err := ack(t.Context(), nil); err != nil {
					t.Fatal(err)
				}
			}
			// The queue is empty: the next read blocks. C is nacked, then
			// D pushed while it waits; C must still come first.
			type result struct {
				got []string
				err error
			}
			res := make(chan result, 1)
			go func() {
				batch, ack, err := in.ReadBatch(context.Background())
				if err == nil {
					err = ack(context.Background(), nil)
				}
				var got []string
				for _, m := range batch {
					b, _ := m.AsBytes()
					got = append(got, string(b))
				}
				res <- result{got, err}
			}()
			time.Sleep(200 * time.Millisecond)
			if err := ackC(t.Context(), errDown); err != nil {
				t.Fatal(err)
			}
			push(t, c, "q", []string{"D"})
			r := <-res
			if r.err != nil || !slices.Equal(r.got, gotC) {
				t.Fatalf("read during the nack = %v (%v), want the replay %v", r.got, r.err, gotC)
			}
			got, ack := read(t, in)
			if !slices.Equal(got, []string{"D"}) {
				t.Fatalf("read after the replay = %v, want [D]", got)
			}
			if err := ack(t.Context(), nil); err != nil {
				t.Fatal(err)
			}
			waitAcked(t, in)
			if lists := ownedLists(t, in); len(lists) != 0 {
				t.Errorf("processing lists left: %v", lists)
			}
		})
	}
}

// TestInputCloseWithPendingReplay checks that a clean shutdown puts batches
// awaiting replay, and in reliable mode every unacknowledged one, back at
// the queue head in order.
func TestInputCloseWithPendingReplay(t *testing.T) {
	srv := redistest.Start(t)
	c := srv.Client(t)
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{name: "reliable", yaml: "", want: append(seq(0, 3), seq(6, 12)...)},
		{name: "plain", yaml: "reliable: false\n", want: append(seq(0, 3), seq(9, 12)...)},
		{name: "plain brpop", yaml: "reliable: false\ncommand: brpop\n", want: append(seq(0, 3), seq(9, 12)...)},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			c.FlushAll(t.Context())
			vals := seq(0, 12)
			if test.name == "plain brpop" {
				slices.Reverse(vals)
				slices.Reverse(test.want)
			}
			push(t, c, "q", vals)
			in := startInput(t, srv, "key: q\nbatch_size: 3\n"+test.yaml)
			_, nackA := read(t, in)
			_, ackB := read(t, in)
			_, _ = read(t, in) // C stays in flight
			if err := nackA(t.Context(), errDown); err != nil {
				t.Fatal(err)
			}
			if err := ackB(t.Context(), nil); err != nil {
				t.Fatal(err)
			}
			// A read cancelled while the replay waits leaves it pending.
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			if _, _, err := in.ReadBatch(ctx); !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled read: %v, want context.Canceled", err)
			}
			if err := in.Close(t.Context()); err != nil {
				t.Fatal(err)
			}
			if got := lrange(t, c, "q"); !slices.Equal(got, test.want) {
				t.Fatalf("queue after close = %v, want %v", got, test.want)
			}
			if left := keysBut(t, c, "q"); len(left) != 0 {
				t.Errorf("keys left after close: %v", left)
			}
		})
	}
}
