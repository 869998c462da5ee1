package e2e

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kafkastore/kafkastore/internal/kafkatest"
	"github.com/kafkastore/kafkastore/internal/redistest"
	"github.com/kafkastore/kafkastore/internal/synth"
)

// TestHappyPath is the main job's acceptance: every valid line delivered
// exactly once to its topic, dead letters byte-identical, a clean exit on
// SIGTERM that leaves no reliable-mode key behind, and kcat (librdkafka)
// reading the same values as franz-go.
func TestHappyPath(t *testing.T) {
	e := newEnv(t, envOpts{})
	ds := synthDataset(20000, 50, 1)
	e.push(ds) // before the start, so each batch is 500 consecutive lines
	start := time.Now()
	k := e.start("kafkastore")
	e.waitDrained()
	took := time.Since(start)
	e.stop(k)

	if keys := e.rdb.Keys(e.ctx, "{"+e.queue+"}*").Val(); len(keys) > 0 {
		t.Errorf("reliable-mode keys left after a clean stop: %v", keys)
	}
	recs := e.readKafka(e.broker.Addr())
	tl := check(t, ds, recs, e.deadLetters())
	if tl.duplicates > 0 || tl.deadDuplicates > 0 {
		t.Errorf("%d duplicate records and %d duplicate dead letters on the happy path", tl.duplicates, tl.deadDuplicates)
	}
	if tl.inversions > 0 {
		// The default config keeps order per partition: one pipeline
		// thread and one Kafka write in flight.
		t.Errorf("%d records appear after a higher seq in their partition (%d within one input batch)", tl.inversions, tl.batchInversions)
	}
	for _, topic := range Topics {
		var franz []string
		for _, r := range recs {
			if r.Topic == topic {
				franz = append(franz, r.Value)
			}
		}
		kcat := kafkatest.Kcat(t, e.broker.Addr(), topic)
		slices.Sort(franz)
		slices.Sort(kcat)
		if !slices.Equal(franz, kcat) {
			t.Errorf("topic %s: kcat read %d values, franz-go %d, and they differ", topic, len(kcat), len(franz))
		}
	}
	figure(t, "happy_path", tl, took, k.PeakRSSMiB())
}

// TestRestartMidStream stops kafkastore mid-stream, gracefully (SIGTERM) or
// as a crash would (SIGKILL), starts it again and expects every line.
func TestRestartMidStream(t *testing.T) {
	tests := []struct {
		name string
		kill bool
	}{
		// In-flight batches finish or go back to the queue; nothing is
		// produced twice and no processing list stays behind.
		{name: "sigterm"},
		// The dead consumer's processing lists stay until its heartbeat
		// expires; the restarted consumer returns them to the queue.
		// Duplicates are bounded by what was in those lists.
		{name: "sigkill", kill: true},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			e := newEnv(t, envOpts{fastReclaim: test.kill})
			ds := synthDataset(30000, 50, 2)
			e.push(ds)
			k1 := e.start("kafkastore-1")
			e.waitDelivered(e.broker.Addr(), 5000)
			inFlight := 0
			if test.kill {
				k1.Kill()
				inFlight = e.inFlight("{" + e.queue + "}:processing:*")
				t.Logf("SIGKILL left %d lines in processing lists, %d queued", inFlight, e.rdb.LLen(e.ctx, e.queue).Val())
			} else {
				took := e.stop(k1)
				if took > shutdownTimeout {
					t.Errorf("shutdown took %v, more than shutdown_timeout %v", took, shutdownTimeout)
				}
				e.assertNoProcessingLists("after SIGTERM")
				t.Logf("SIGTERM: stopped in %v, %d lines queued", took, e.rdb.LLen(e.ctx, e.queue).Val())
			}
			restart := time.Now()
			k2 := e.start("kafkastore-2")
			e.waitDrained()
			recover := time.Since(restart)
			e.stop(k2)
			e.assertNoProcessingLists("after the restarted consumer drained the queue")
			if keys := e.rdb.Keys(e.ctx, "{"+e.queue+"}*").Val(); len(keys) > 0 {
				t.Errorf("reliable-mode keys left after the final clean stop: %v", keys)
			}
			tl := check(t, ds, e.readKafka(e.broker.Addr()), e.deadLetters())
			if tl.duplicates+tl.deadDuplicates > inFlight {
				t.Errorf("%d duplicate records and %d duplicate dead letters, more than the %d lines in flight at the stop",
					tl.duplicates, tl.deadDuplicates, inFlight)
			}
			figure(t, test.name+"_restart", tl, recover, max(k1.PeakRSSMiB(), k2.PeakRSSMiB()))
		})
	}
}

// TestScaleOutOneKilled runs two consumers on one queue and SIGKILLs one
// mid-stream: the survivor returns the dead one's processing lists to the
// queue once its heartbeat expires, and every line arrives.
func TestScaleOutOneKilled(t *testing.T) {
	e := newEnv(t, envOpts{fastReclaim: true})
	ds := synthDataset(40000, 50, 8)
	ka := e.start("kafkastore-a")
	kb := e.start("kafkastore-b")
	e.push(ds)
	e.waitDelivered(e.broker.Addr(), 8000)
	ka.Kill()
	kill := time.Now()
	inFlight := e.inFlight(fmt.Sprintf("{%s}:processing:*-%d-*", e.queue, ka.p.cmd.Process.Pid))
	t.Logf("SIGKILL left %d lines in the dead consumer's processing lists", inFlight)
	e.waitDrained()
	recover := time.Since(kill)
	if !kb.Running() {
		t.Fatal("the surviving consumer exited")
	}
	e.stop(kb)
	if inFlight > 0 && kb.CountLog("of expired consumers") == 0 {
		t.Error("the survivor never logged returning the dead consumer's lists")
	}
	e.assertNoProcessingLists("after the survivor drained the queue")
	tl := check(t, ds, e.readKafka(e.broker.Addr()), e.deadLetters())
	if tl.duplicates+tl.deadDuplicates > inFlight {
		t.Errorf("%d duplicate records and %d duplicate dead letters, more than the %d lines in flight in the killed consumer",
			tl.duplicates, tl.deadDuplicates, inFlight)
	}
	figure(t, "scale_out_one_killed", tl, recover, max(ka.PeakRSSMiB(), kb.PeakRSSMiB()))
}

// TestRedisRestart kills redis-server (AOF, fsync always) mid-stream and
// starts it again two seconds later: kafkastore reconnects, logs the outage
// once per client rather than per message, and loses nothing.
func TestRedisRestart(t *testing.T) {
	e := newEnv(t, envOpts{redis: []redistest.Option{redistest.WithAOF()}})
	ds := synthDataset(30000, 50, 4)
	e.push(ds)
	k := e.start("kafkastore")
	e.waitDelivered(e.broker.Addr(), 5000)
	t.Logf("killing redis-server with %d lines queued and %d in processing lists", e.rdb.LLen(e.ctx, e.queue).Val(), e.inFlight("{"+e.queue+"}:processing:*"))
	e.redis.Kill()
	outage := time.Now()
	time.Sleep(5 * time.Second) // the outage: longer than go-redis retries one command
	if err := e.redis.Start(); err != nil {
		t.Fatalf("restarting redis-server: %v", err)
	}
	e.waitDrained()
	recover := time.Since(outage)
	if !k.Running() {
		t.Fatal("kafkastore exited during the redis outage")
	}
	e.stop(k)
	lost := k.CountLog("Lost connection")
	noisy := k.CountLog("level=warn") + k.CountLog("level=error")
	t.Logf("redis outage: %d 'Lost connection' lines, %d warning or error lines in all", lost, noisy)
	if lost < 1 || lost > 3 {
		t.Errorf("logged 'Lost connection' %d times; want once per redis client (1 to 3)", lost)
	}
	if noisy > 20 {
		t.Errorf("%d warning or error lines for one 5s outage: logging per message?", noisy)
	}
	tl := check(t, ds, e.readKafka(e.broker.Addr()), e.deadLetters())
	figure(t, "redis_restart", tl, recover, k.PeakRSSMiB())
}

// TestBrokerReplaced stops the broker mid-stream and, three seconds later,
// starts a new empty broker on the same address: lines wait, then arrive on
// the new broker; the producer recovers from the unknown producer id and the
// missing topics. The old broker keeps its log in a data directory so that
// what it acknowledged can be read back afterwards and counted.
func TestBrokerReplaced(t *testing.T) {
	oldLog := t.TempDir()
	e := newEnv(t, envOpts{brokerArgs: []string{"-data-dir", oldLog}})
	ds := synthDataset(30000, 50, 5)
	e.push(ds)
	k := e.start("kafkastore")
	e.waitDelivered(e.broker.Addr(), 5000)
	e.broker.Stop() // SIGTERM: the broker persists its log and goes away
	outage := time.Now()
	queued := e.rdb.LLen(e.ctx, e.queue).Val()
	time.Sleep(3 * time.Second) // the outage
	// Lines popped meanwhile wait in processing lists (up to the output's
	// max_in_flight batches), the rest in the queue.
	t.Logf("broker outage: %d lines queued at the stop; after 3s %d queued, %d in processing lists",
		queued, e.rdb.LLen(e.ctx, e.queue).Val(), e.inFlight("{"+e.queue+"}:processing:*"))
	e.broker.args = nil // the replacement starts empty
	if err := e.broker.Start(); err != nil {
		t.Fatalf("starting the replacement broker: %v", err)
	}
	e.waitDrained()
	recover := time.Since(outage)
	e.stop(k)
	recs := e.readKafka(e.broker.Addr())
	before := StartBroker(t, bins.FakeKafka, "-data-dir", oldLog)
	old := e.readKafka(before.Addr())
	t.Logf("old broker held %d records, the replacement %d", len(old), len(recs))
	if len(old) < 5000 {
		t.Errorf("read %d records back from the old broker's log, it acknowledged at least 5000", len(old))
	}
	tl := check(t, ds, append(old, recs...), e.deadLetters())
	t.Logf("broker outage: %d warning lines, %d of them franz-go's %q",
		k.CountLog("level=warn"), k.CountLog("unable to open connection to broker"), "unable to open connection to broker")
	figure(t, "broker_replaced", tl, recover, k.PeakRSSMiB())
}

// TestKafkaLongOutage keeps the broker down while 200k lines are pushed:
// kafkastore stops popping once its in-flight limit is reached (the backlog
// stays in Redis), its memory stays bounded, and it catches up soon after
// the broker comes back.
func TestKafkaLongOutage(t *testing.T) {
	const (
		lines = 200000
		// heldBound is the most lines kafkastore may hold while Kafka is
		// down: the output's max_in_flight (64) batches of 500, plus the
		// batches in the processing threads, the output batcher and the
		// channels between them (8 measured; 16 allowed).
		heldBound = 64*500 + 16*500
		// outageRSS bounds resident memory while Kafka is down, whatever
		// the backlog; peakRSS bounds it for the whole run, catch-up
		// included.
		outageRSS = 256 // MiB
		peakRSS   = 512 // MiB
		// catchUp bounds the time from the broker's return to an empty
		// queue: the output retries a refused connection every 5s, and
		// 200k lines take a few seconds.
		catchUp = 30 * time.Second
	)
	tests := []struct {
		name string
		// downAtStart starts kafkastore while the broker is down, so its
		// first connect fails; otherwise the broker dies after kafkastore
		// connected.
		downAtStart bool
	}{
		{name: "down_at_start", downAtStart: true},
		{name: "lost_while_running"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			e := newEnv(t, envOpts{})
			if test.downAtStart {
				e.broker.Kill()
			}
			ds := synthDataset(lines, 100, 7)
			k := e.start("kafkastore")
			if !test.downAtStart {
				waitReady(t, k)
				e.broker.Kill()
			}
			e.push(ds)
			queued := e.waitQueueStill(2 * time.Second)
			held := lines - int(queued)
			t.Logf("Kafka down: %d lines queued, %d held by kafkastore (%d in processing lists), peak RSS so far %d MiB",
				queued, held, e.inFlight("{"+e.queue+"}:processing:*"), k.PeakRSSMiB())
			if held > heldBound {
				t.Errorf("kafkastore took %d lines off the queue while Kafka was down; want at most %d", held, heldBound)
			}
			// Hold the outage a while longer: memory must not grow with it.
			time.Sleep(5 * time.Second)
			if !k.Running() {
				t.Fatal("kafkastore exited while Kafka was down")
			}
			k.readMem()
			if rss := k.PeakRSSMiB(); rss > outageRSS {
				t.Errorf("peak RSS %d MiB while Kafka was down; want under %d MiB", rss, outageRSS)
			} else {
				t.Logf("peak RSS while Kafka was down: %d MiB", rss)
			}
			if n := e.rdb.LLen(e.ctx, e.queue).Val(); n != queued {
				t.Errorf("kafkastore kept popping while Kafka was down: %d queued, %d before", n, queued)
			}
			back := time.Now()
			if err := e.broker.Start(); err != nil {
				t.Fatalf("starting the broker: %v", err)
			}
			e.waitDrained()
			recover := time.Since(back)
			e.stop(k)
			if recover > catchUp {
				t.Errorf("the queue drained %v after the broker came back; want under %v", recover.Round(time.Second), catchUp)
			}
			if k.PeakRSSMiB() > peakRSS {
				t.Errorf("peak RSS %d MiB; want under %d MiB", k.PeakRSSMiB(), peakRSS)
			}
			tl := check(t, ds, e.readKafka(e.broker.Addr()), e.deadLetters())
			figure(t, "kafka_outage_"+test.name, tl, recover, k.PeakRSSMiB())
		})
	}
}

// TestPoisonLines mixes lines that could jam a pipeline between good ones: a
// 4 MiB line, binary and NUL bytes, invalid UTF-8, an empty line, a line
// over max_line_bytes (64 KiB) and a valid line just under it whose record
// the broker (message.max.bytes 48 KiB) refuses. Each is delivered or
// dead-lettered (the refused record as the original line), the lines behind
// them all arrive, and the process stays up.
func TestPoisonLines(t *testing.T) {
	e := newEnv(t, envOpts{brokerArgs: []string{"-max-message-bytes", "49152"}})
	now := strconv.FormatInt(time.Now().Unix(), 10)
	rng := rand.New(rand.NewPCG(6, 6))
	randBytes := func(n int, alphabet string) string {
		b := make([]byte, n)
		for i := range b {
			if alphabet == "" {
				b[i] = byte(rng.IntN(256))
			} else {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			}
		}
		return string(b)
	}
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	valid := func(seq int, path, ua string) string {
		return "81.2.69.160 " + now + " clicks " + path + " seq=" + strconv.Itoa(seq) + " " + ua
	}
	// The record holds path and query, not the user agent: pad the query.
	bigQuery := "81.2.69.160 " + now + " clicks /t/click pad=" + randBytes(60<<10, alnum) + "&seq=100006 Mozilla/5.0"
	poison := []struct {
		name   string
		line   string
		either bool // may be delivered or dead-lettered; otherwise must be dead-lettered
	}{
		{name: "4 MiB line", line: valid(100001, "/t/click", strings.Repeat("x", 4<<20))},
		{name: "binary user agent", line: valid(100002, "/t/click", randBytes(300, "")), either: true},
		{name: "NUL bytes", line: valid(100003, "/t/click", "Mozilla/5.0\x00\x00(iPhone)\x00"), either: true},
		{name: "invalid UTF-8", line: valid(100004, "/t/\xff\xfe\xc3\x28", "Mozilla/5.0 \xed\xa0\x80 (X11)"), either: true},
		{name: "binary line", line: randBytes(2000, "\x00\x01\x02\xfe\xff\x80\x7fabc\t\r")},
		{name: "empty line", line: ""},
		{name: "over max_line_bytes", line: valid(100005, "/t/click", randBytes(100<<10, alnum))},
		{name: "record over message.max.bytes", line: bigQuery},
	}
	good := synthDataset(8000, 50, 6)
	ds := newDataset()
	maps.Copy(ds.valid, good.valid)
	ds.invalid = good.invalid
	for i, l := range good.lines {
		ds.lines = append(ds.lines, l)
		if p := i / 1000; i%1000 == 500 && p < len(poison) {
			if poison[p].either {
				ds.addEither(synth.SeqOf(poison[p].line), poison[p].line)
			} else {
				ds.addInvalid(poison[p].line)
			}
		}
	}
	k := e.start("kafkastore")
	e.push(ds)
	e.waitDrained()
	took := time.Since(k.started)
	if !k.Running() {
		t.Fatal("kafkastore exited")
	}
	e.stop(k)
	recs := e.readKafka(e.broker.Addr())
	dead := e.deadLetters()
	tl := check(t, ds, recs, dead)
	if tl.misrouted > 0 {
		t.Log("the broker refuses a whole partition batch (MESSAGE_TOO_LARGE) when one record in it is too large, " +
			"and the output fails every record of that batch for good instead of retrying the small ones on their own")
	}
	delivered := map[int]bool{}
	for _, r := range recs {
		delivered[synth.SeqOf(r.Value)] = true
	}
	for _, p := range poison {
		if p.either {
			t.Logf("%s: delivered %v", p.name, delivered[synth.SeqOf(p.line)])
		}
	}
	figure(t, "poison_lines", tl, took, k.PeakRSSMiB())
}

// stockConfig uses only fields the stock redis_list input and output and
// kafka_franz output have (no batch_size, reliable, heartbeat or
// keep_original): a stock Redpanda Connect config runs unchanged.
const stockConfig = `
http:
  address: ${HTTP_ADDRESS}
logger:
  level: ${LOG_LEVEL}
  format: logfmt
input:
  redis_list:
    url: ${REDIS_URL}
    key: ${QUEUE_KEY}
    command: blpop
    timeout: 5s
    max_in_flight: 64
pipeline:
  processors:
    - try:
        - tracker_line: {}
        - device_detect: {}
        - geoip:
            database: ${GEOIP_DB}
        - cgi_message: {}
output:
  switch:
    cases:
      - check: errored()
        output:
          redis_list:
            url: ${REDIS_URL}
            key: ${INVALID_KEY}
            command: rpush
            max_in_flight: 8
      - output:
          kafka_franz:
            seed_brokers: [ "${KAFKA_BROKERS}" ]
            topic: ${! @kafka_topic }
            client_id: kafkastore-e2e
            idempotent_write: true
            compression: snappy
            max_in_flight: 10
            batching:
              count: 100
              period: 5ms
`

// TestStockConfig lints and runs a config with only stock fields end to
// end through the binary.
func TestStockConfig(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.config = filepath.Join(t.TempDir(), "stock.yaml")
	if err := os.WriteFile(e.config, []byte(stockConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	lint := exec.Command(bins.Kafkastore, "lint", e.config)
	lint.Env = e.kafkastoreEnv().Environ("127.0.0.1:0")
	if out, err := lint.CombinedOutput(); err != nil {
		t.Fatalf("kafkastore lint %s: %v\n%s", e.config, err, out)
	}
	ds := synthDataset(3000, 30, 9)
	k := e.start("kafkastore")
	e.push(ds)
	took := e.waitDrained()
	e.stop(k)
	tl := check(t, ds, e.readKafka(e.broker.Addr()), e.deadLetters())
	if tl.duplicates > 0 || tl.deadDuplicates > 0 {
		t.Errorf("%d duplicate records and %d duplicate dead letters", tl.duplicates, tl.deadDuplicates)
	}
	figure(t, "stock_config", tl, took, k.PeakRSSMiB())
}
