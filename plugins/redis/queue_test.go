package redis

import (
	"slices"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/kafkastore/kafkastore/internal/redistest"
)

// TestQueuePop runs the pop script on a real server, also as a go-redis
// retry after a lost reply sends it (the same keys and arguments again) and
// for a user whose ACL refuses SORT.
func TestQueuePop(t *testing.T) {
	const aclPass = "pop-pw"
	srv := redistest.Start(t, redistest.WithACLUser("app", aclPass, "~*", "&*", "+@all", "-sort"))
	admin := srv.Client(t)
	noSort := redis.NewClient(&redis.Options{Addr: srv.Addr(), Username: "app", Password: aclPass})
	t.Cleanup(func() { _ = noSort.Close() })
	if err := noSort.Sort(t.Context(), "q", &redis.Sort{By: "nosort"}).Err(); err == nil || !strings.Contains(err.Error(), "NOPERM") {
		t.Fatalf("SORT as the restricted user: %v, want NOPERM", err)
	}
	odd := []string{"a b\n", "\x00\xff", "", "{q}:processing:x:1"}
	tests := []struct {
		name      string
		head      queueSide
		queue     []string
		list      []string // already in the processing list (a BLMOVE's woken element)
		n, calls  int
		noSort    bool
		want      []string
		wantQueue []string
	}{
		{name: "left", head: sideLeft, queue: seq(0, 10), n: 4, calls: 1, want: seq(0, 4), wantQueue: seq(4, 10)},
		{name: "right", head: sideRight, queue: seq(0, 10), n: 4, calls: 1, want: []string{"9", "8", "7", "6"}, wantQueue: seq(0, 6)},
		{name: "retried after a lost reply", head: sideLeft, queue: seq(0, 10), n: 4, calls: 2, want: seq(0, 4), wantQueue: seq(4, 10)},
		{name: "retried right", head: sideRight, queue: seq(0, 10), n: 4, calls: 3, want: []string{"9", "8", "7", "6"}, wantQueue: seq(0, 6)},
		{name: "short queue", head: sideLeft, queue: seq(0, 2), n: 4, calls: 1, want: seq(0, 2)},
		{name: "empty queue", head: sideLeft, n: 4, calls: 2},
		{name: "woken element topped up", head: sideLeft, queue: seq(0, 5), list: []string{"w"}, n: 3, calls: 2, want: []string{"w", "0", "1"}, wantQueue: seq(2, 5)},
		{name: "woken element topped up right", head: sideRight, queue: seq(0, 5), list: []string{"w"}, n: 3, calls: 1, want: []string{"w", "4", "3"}, wantQueue: seq(0, 3)},
		{name: "binary-safe", head: sideLeft, queue: odd, n: 10, calls: 1, want: odd},
		{name: "sort refused", head: sideLeft, queue: seq(0, 10), n: 4, calls: 2, noSort: true, want: seq(0, 4), wantQueue: seq(4, 10)},
		{name: "sort refused right", head: sideRight, queue: seq(0, 10), n: 4, calls: 1, noSort: true, want: []string{"9", "8", "7", "6"}, wantQueue: seq(0, 6)},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			admin.FlushAll(t.Context())
			client := admin
			if test.noSort {
				client = noSort
			}
			keys, err := newQueueKeys("q", false)
			if err != nil {
				t.Fatal(err)
			}
			q := &reliableQueue{client: client, keys: keys, id: "c1", head: test.head}
			list := keys.processing("c1", 1)
			if len(test.queue) > 0 {
				push(t, admin, "q", test.queue)
			}
			if len(test.list) > 0 {
				push(t, admin, list, test.list)
			}
			var got []string
			for range test.calls {
				if got, err = q.pop(t.Context(), list, test.n); err != nil {
					t.Fatal(err)
				}
			}
			if !slices.Equal(got, test.want) {
				t.Errorf("popped %q, want %q", got, test.want)
			}
			if queue := lrange(t, admin, "q"); !slices.Equal(queue, test.wantQueue) {
				t.Errorf("queue left = %q, want %q", queue, test.wantQueue)
			}
			registered := admin.SMembers(t.Context(), keys.ownedLists("c1")).Val()
			if want := len(test.want) > 0; want != slices.Equal(registered, []string{list}) {
				t.Errorf("registered lists = %v with %d popped", registered, len(test.want))
			}
		})
	}
}
