package redis

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/kafkastore/kafkastore/internal/redistest"
)

// startInput builds a redis_list input from YAML on srv and connects it.
func startInput(t testing.TB, srv *redistest.Server, yaml string) *redisListInput {
	t.Helper()
	in, err := parseInput(fmt.Sprintf("url: %s\n%s", srv.URL(), yaml))
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Connect(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = in.Close(context.Background()) })
	return in
}

func read(t testing.TB, in service.BatchInput) ([]string, service.AckFunc) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	batch, ack, err := in.ReadBatch(ctx)
	if err != nil {
		t.Fatalf("reading batch: %v", err)
	}
	out := make([]string, len(batch))
	for i, m := range batch {
		b, _ := m.AsBytes()
		out[i] = string(b)
	}
	return out, ack
}

func seq(from, to int) []string {
	var s []string
	for i := from; i < to; i++ {
		s = append(s, strconv.Itoa(i))
	}
	return s
}

func push(t testing.TB, c *redis.Client, key string, vals []string) {
	t.Helper()
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	if err := c.RPush(t.Context(), key, args...).Err(); err != nil {
		t.Fatal(err)
	}
}

func lrange(t testing.TB, c *redis.Client, key string) []string {
	t.Helper()
	v, err := c.LRange(t.Context(), key, 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// keysBut returns every key in the database except the given ones.
func keysBut(t testing.TB, c *redis.Client, except ...string) []string {
	t.Helper()
	keys, err := c.Keys(t.Context(), "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(keys, func(k string) bool { return slices.Contains(except, k) })
}

func TestInputBatchesAndAck(t *testing.T) {
	srv := redistest.Start(t)
	c := srv.Client(t)
	tests := []struct {
		name    string
		yaml    string
		want    [][]string
		leftEnd []string
	}{
		{name: "reliable blpop", yaml: "batch_size: 500\n", want: [][]string{seq(0, 500), seq(500, 1000), seq(1000, 1200)}},
		{name: "plain blpop", yaml: "batch_size: 500\nreliable: false\n", want: [][]string{seq(0, 500), seq(500, 1000), seq(1000, 1200)}},
		{name: "stock one per batch", yaml: "reliable: false\n", want: [][]string{{"0"}, {"1"}, {"2"}}},
		{name: "reliable brpop", yaml: "batch_size: 2\ncommand: brpop\n", want: [][]string{{"1199", "1198"}, {"1197", "1196"}}},
		{name: "plain brpop", yaml: "batch_size: 2\ncommand: brpop\nreliable: false\n", want: [][]string{{"1199", "1198"}, {"1197", "1196"}}},
		{name: "plain brpop one", yaml: "command: brpop\nreliable: false\n", want: [][]string{{"1199"}, {"1198"}}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			c.FlushAll(t.Context())
			push(t, c, "q", seq(0, 1200))
			in := startInput(t, srv, "key: q\n"+test.yaml)
			for _, want := range test.want {
				got, ack := read(t, in)
				if !slices.Equal(got, want) {
					t.Fatalf("batch = %v..., want %v...", got[:min(3, len(got))], want[:min(3, len(want))])
				}
				if err := ack(t.Context(), nil); err != nil {
					t.Fatal(err)
				}
			}
			waitAcked(t, in)
			if left := keysBut(t, c, "q", "{q}:consumers", "{q}:consumer:"+in.conf.consumerID); len(left) != 0 {
				t.Errorf("keys left after acks: %v", left)
			}
		})
	}
}

func TestInputNackReturnsToHead(t *testing.T) {
	srv := redistest.Start(t)
	c := srv.Client(t)
	tests := []struct {
		name, command string
		want          []string // the queue after the nack
	}{
		{name: "blpop", command: "blpop", want: seq(0, 10)},
		{name: "brpop", command: "brpop", want: seq(0, 10)},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			c.FlushAll(t.Context())
			push(t, c, "q", seq(0, 10))
			in := startInput(t, srv, "key: q\nbatch_size: 4\nauto_replay_nacks: false\ncommand: "+test.command+"\n")
			_, ack1 := read(t, in)
			_, ack2 := read(t, in)
			if err := ack2(t.Context(), errors.New("output down")); err != nil {
				t.Fatal(err)
			}
			if err := ack1(t.Context(), errors.New("output down")); err != nil {
				t.Fatal(err)
			}
			if got := lrange(t, c, "q"); !slices.Equal(got, test.want) {
				t.Fatalf("queue after nacks = %v, want %v", got, test.want)
			}
			if lists := c.SMembers(t.Context(), in.q.keys.ownedLists(in.q.id)).Val(); len(lists) != 0 {
				t.Errorf("processing lists still registered: %v", lists)
			}
		})
	}
}

func TestInputCloseReturnsInFlight(t *testing.T) {
	srv := redistest.Start(t)
	c := srv.Client(t)
	push(t, c, "q", seq(0, 10))
	in := startInput(t, srv, "key: q\nbatch_size: 3\n")
	_, _ = read(t, in)
	_, ack := read(t, in)
	_, _ = read(t, in)
	if err := ack(t.Context(), nil); err != nil { // the second batch is done
		t.Fatal(err)
	}
	if err := in.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	want := append(append(seq(0, 3), seq(6, 9)...), "9")
	if got := lrange(t, c, "q"); !slices.Equal(got, want) {
		t.Fatalf("queue after close = %v, want %v", got, want)
	}
	if left := keysBut(t, c, "q"); len(left) != 0 {
		t.Errorf("keys left after close: %v", left)
	}
}

func TestInputReclaimsCrashedConsumer(t *testing.T) {
	srv := redistest.Start(t)
	c := srv.Client(t)
	push(t, c, "q", seq(0, 10))
	const timing = "heartbeat_ttl: 300ms\nreclaim_interval: 100ms\n"
	crashed := startInput(t, srv, "key: q\nbatch_size: 4\n"+timing)
	_, _ = read(t, crashed)
	_, _ = read(t, crashed)
	crash(crashed)

	other := startInput(t, srv, "key: q\nbatch_size: 10\n"+timing)
	deadline := time.Now().Add(5 * time.Second)
	for c.LLen(t.Context(), "q").Val() != 10 {
		if time.Now().After(deadline) {
			t.Fatalf("crashed consumer's lists not reclaimed: queue %v", lrange(t, c, "q"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	got, ack := read(t, other)
	if !slices.Equal(got, seq(0, 10)) {
		t.Fatalf("after reclaim read %v, want %v", got, seq(0, 10))
	}
	if err := ack(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if ids := c.SMembers(t.Context(), "{q}:consumers").Val(); !slices.Equal(ids, []string{other.q.id}) {
		t.Errorf("registered consumers = %v, want only %q", ids, other.q.id)
	}
}

// crash stops a consumer as a killed process would: the heartbeat stops and
// nothing is returned or acknowledged.
func crash(in *redisListInput) {
	in.mu.Lock()
	stop, done := in.stop, in.done
	in.stop = nil
	in.mu.Unlock()
	close(stop)
	<-done
	in.q = nil // Close then only closes the client
	_ = in.client.Close()
}

func TestInputBlocksWhenEmpty(t *testing.T) {
	srv := redistest.Start(t)
	c := srv.Client(t)
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{name: "reliable", yaml: "batch_size: 10\n", want: []string{"a", "b", "c"}},
		{name: "plain", yaml: "batch_size: 10\nreliable: false\n", want: []string{"a", "b", "c"}},
		{name: "plain one", yaml: "reliable: false\n", want: []string{"a"}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			c.FlushAll(t.Context())
			in := startInput(t, srv, "key: q\ntimeout: 1s\n"+test.yaml)
			pushed := make(chan error, 1)
			go func() {
				time.Sleep(1500 * time.Millisecond) // past one blocking timeout
				pushed <- c.RPush(context.Background(), "q", "a", "b", "c").Err()
			}()
			defer func() {
				if err := <-pushed; err != nil {
					t.Error(err)
				}
			}()
			start := time.Now()
			got, ack := read(t, in)
			if time.Since(start) < time.Second {
				t.Errorf("read returned after %v, before anything was pushed", time.Since(start))
			}
			if !slices.Equal(got, test.want) {
				t.Fatalf("batch = %v, want %v", got, test.want)
			}
			if err := ack(t.Context(), nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestQueueKeysShareSlot(t *testing.T) {
	srv := redistest.Start(t, redistest.WithArgs("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"))
	c := srv.Client(t)
	tests := []struct {
		queue, prefix string
	}{
		{queue: "click_queue", prefix: "{click_queue}"},
		{queue: "{click_queue}", prefix: "{click_queue}"},
		{queue: "clicks{eu}", prefix: "clicks{eu}"},
		{queue: "a{b", prefix: "{a{b}"},
	}
	for _, test := range tests {
		t.Run(test.queue, func(t *testing.T) {
			k, err := newQueueKeys(test.queue, true)
			if err != nil {
				t.Fatal(err)
			}
			if k.prefix != test.prefix {
				t.Errorf("prefix = %q, want %q", k.prefix, test.prefix)
			}
			want := c.ClusterKeySlot(t.Context(), test.queue).Val()
			for _, key := range []string{k.consumers(), k.heartbeat("h-1-ab"), k.ownedLists("h-1-ab"), k.processing("h-1-ab", 7)} {
				if got := c.ClusterKeySlot(t.Context(), key).Val(); got != want {
					t.Errorf("slot(%q) = %d, want slot(%q) = %d", key, got, test.queue, want)
				}
			}
		})
	}
	for _, queue := range []string{"a}b", "a{}b"} {
		if _, err := newQueueKeys(queue, true); err == nil {
			t.Errorf("newQueueKeys(%q, cluster) accepted a key whose lists cannot share its slot", queue)
		}
		if _, err := newQueueKeys(queue, false); err != nil {
			t.Errorf("newQueueKeys(%q, simple): %v", queue, err)
		}
	}
}

// TestInputClusterMode runs the reliable protocol against a one-node Redis
// Cluster, where a script touching keys of two slots fails with CROSSSLOT.
func TestInputClusterMode(t *testing.T) {
	srv := redistest.Start(t, redistest.WithArgs("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"))
	c := srv.Client(t)
	if err := c.Do(t.Context(), "CLUSTER", "ADDSLOTSRANGE", 0, 16383).Err(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if info := c.ClusterInfo(t.Context()).Val(); strings.Contains(info, "cluster_state:ok") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("one-node cluster never reached cluster_state:ok")
		}
	}
	push(t, c, "click_queue", seq(0, 10))
	in := startInput(t, srv, "kind: cluster\nkey: click_queue\nbatch_size: 4\n")
	got, ack := read(t, in)
	if !slices.Equal(got, seq(0, 4)) {
		t.Fatalf("batch = %v, want %v", got, seq(0, 4))
	}
	if err := ack(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	_, nack := read(t, in)
	if err := nack(t.Context(), errors.New("down")); err != nil {
		t.Fatal(err)
	}
	if err := in.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := lrange(t, c, "click_queue"); !slices.Equal(got, seq(4, 10)) {
		t.Fatalf("queue = %v, want %v", got, seq(4, 10))
	}
	if left := keysBut(t, c, "click_queue"); len(left) != 0 {
		t.Errorf("keys left: %v", left)
	}
}
