package e2e

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kafkastore/kafkastore/internal/redistest"
)

// bins are built once in TestMain (not under -short).
var bins Binaries

func TestMain(m *testing.M) {
	flag.Parse()
	if !testing.Short() {
		dir, err := os.MkdirTemp("", "kafkastore-e2e-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "e2e:", err)
			os.Exit(1)
		}
		if bins, err = Build(dir); err != nil {
			fmt.Fprintln(os.Stderr, "e2e:", err)
			_ = os.RemoveAll(dir)
			os.Exit(1)
		}
		code := m.Run()
		_ = os.RemoveAll(dir)
		os.Exit(code)
	}
	os.Exit(m.Run())
}

const (
	// shutdownTimeout is config/kafkastore.yaml's shutdown_timeout.
	shutdownTimeout = 20 * time.Second
	// drainTimeout bounds how long any scenario waits for its queue to empty.
	drainTimeout = 90 * time.Second
	// scenarioTimeout is the hard limit of one scenario: every wait and
	// every Redis and Kafka call of the test uses a context that ends then.
	scenarioTimeout = 3 * time.Minute
)

// env is one scenario's world: a redis-server, a broker process and the
// names kafkastore is started with.
type env struct {
	t       *testing.T
	ctx     context.Context
	redis   *redistest.Server
	rdb     *redis.Client
	broker  *Broker
	queue   string
	invalid string
	config  string
}

type envOpts struct {
	redis      []redistest.Option
	brokerArgs []string
	// fastReclaim runs a copy of the config with heartbeat_ttl 3s and
	// reclaim_interval 1s, so a killed consumer's lists come back in
	// seconds rather than the default 30s.
	fastReclaim bool
}

func newEnv(t *testing.T, o envOpts) *env {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end suite: skipped under -short")
	}
	rs := redistest.Start(t, o.redis...)
	ctx, cancel := context.WithTimeout(t.Context(), scenarioTimeout)
	t.Cleanup(cancel)
	e := &env{
		t: t, ctx: ctx, redis: rs, rdb: rs.Client(t),
		broker: StartBroker(t, bins.FakeKafka, o.brokerArgs...),
		queue:  "click_queue", invalid: "click_invalid",
		config: filepath.Join(bins.Root, "config", "kafkastore.yaml"),
	}
	if o.fastReclaim {
		e.config = fastReclaimConfig(t, e.config)
	}
	return e
}

// fastReclaimConfig writes a copy of config/kafkastore.yaml whose input has
// heartbeat_ttl 3s and reclaim_interval 1s (the config has no environment
// variable for them), by plain text substitution, and returns its path.
func fastReclaimConfig(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const anchor = "    reliable: true\n"
	if !strings.Contains(string(b), anchor) {
		t.Fatalf("%s has no %q line to add heartbeat settings after", path, strings.TrimSpace(anchor))
	}
	conf := strings.Replace(string(b), anchor, anchor+"    heartbeat_ttl: 3s\n    reclaim_interval: 1s\n", 1)
	out := filepath.Join(t.TempDir(), "kafkastore.yaml")
	if err := os.WriteFile(out, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}

func (e *env) kafkastoreEnv() KafkastoreEnv {
	return KafkastoreEnv{
		RedisURL: e.redis.URL(), Brokers: e.broker.Addr(), Queue: e.queue, Invalid: e.invalid,
		GeoIP: filepath.Join(bins.Root, "plugins", "geoip", "testdata", "city.mmdb"),
	}
}

func (e *env) start(name string) *Kafkastore {
	e.t.Helper()
	return StartKafkastore(e.t, name, bins.Kafkastore, e.config, e.kafkastoreEnv())
}

func (e *env) push(ds *dataset) {
	e.t.Helper()
	if err := Push(e.ctx, e.rdb, e.queue, ds.lines); err != nil {
		e.t.Fatalf("pushing %d lines: %v", len(ds.lines), err)
	}
}

// waitDrained waits until the queue is empty and no processing list is
// left, and returns how long that took.
func (e *env) waitDrained() time.Duration {
	e.t.Helper()
	start := time.Now()
	if !Eventually(e.ctx, drainTimeout, 50*time.Millisecond, func() bool { return Drained(e.ctx, e.rdb, e.queue) }) {
		lists, _ := ProcessingLists(e.ctx, e.rdb, e.queue)
		e.t.Fatalf("queue not drained after %v: %d lines queued, processing lists %v", drainTimeout, e.rdb.LLen(e.ctx, e.queue).Val(), lists)
	}
	return time.Since(start)
}

// waitDelivered waits until the broker at addr holds at least n records.
func (e *env) waitDelivered(addr string, n int64) {
	e.t.Helper()
	if !Eventually(e.ctx, drainTimeout, 20*time.Millisecond, func() bool {
		got, err := EndOffsets(e.ctx, addr, Topics...)
		return err == nil && got >= n
	}) {
		e.t.Fatalf("broker %s did not reach %d records within %v", addr, n, drainTimeout)
	}
}

// stop sends SIGTERM and expects a clean exit within the shutdown timeout.
func (e *env) stop(k *Kafkastore) time.Duration {
	e.t.Helper()
	took, code := k.Terminate(shutdownTimeout + 10*time.Second)
	if code != 0 {
		e.t.Errorf("%s exited with code %d after SIGTERM (%v)", k.name, code, took)
	}
	return took
}

// assertNoProcessingLists fails if any processing list of the queue exists.
func (e *env) assertNoProcessingLists(when string) {
	e.t.Helper()
	lists, err := ProcessingLists(e.ctx, e.rdb, e.queue)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(lists) > 0 {
		e.t.Errorf("%s: processing lists left: %v", when, lists)
	}
}

// inFlight sums the lengths of the processing lists whose name matches
// pattern (a KEYS glob).
func (e *env) inFlight(pattern string) int {
	e.t.Helper()
	keys, err := e.rdb.Keys(e.ctx, pattern).Result()
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, k := range keys {
		n += int(e.rdb.LLen(e.ctx, k).Val())
	}
	return n
}

func (e *env) deadLetters() []string {
	e.t.Helper()
	dead, err := e.rdb.LRange(e.ctx, e.invalid, 0, -1).Result()
	if err != nil {
		e.t.Fatalf("reading dead letters: %v", err)
	}
	return dead
}

func (e *env) readKafka(addr string) []Record {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.ctx, 60*time.Second)
	defer cancel()
	recs, err := ReadAll(ctx, addr, Topics...)
	if err != nil {
		e.t.Fatalf("reading back from %s: %v", addr, err)
	}
	return recs
}

// waitQueueStill waits until the queue length has not changed for still
// (kafkastore stopped popping) and returns that length.
func (e *env) waitQueueStill(still time.Duration) int64 {
	e.t.Helper()
	var last int64 = -1
	since := time.Now()
	if !Eventually(e.ctx, 60*time.Second, 100*time.Millisecond, func() bool {
		n := e.rdb.LLen(e.ctx, e.queue).Val()
		if n != last {
			last, since = n, time.Now()
		}
		return time.Since(since) > still
	}) {
		e.t.Fatalf("the queue length never held still for %v (now %d)", still, last)
	}
	return last
}

// waitReady waits until kafkastore's /ready answers 200: input and output
// connected.
func waitReady(t *testing.T, k *Kafkastore) {
	t.Helper()
	if !Eventually(t.Context(), 60*time.Second, 20*time.Millisecond, func() bool {
		resp, err := http.Get("http://" + k.HTTPAddr + "/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}) {
		t.Fatalf("%s not ready within 60s", k.name)
	}
}
