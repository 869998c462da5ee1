// Package e2e is the end-to-end and fault suite of kafkastore: it runs the
// real binary with config/kafkastore.yaml against a real redis-server
// (internal/redistest) and a Kafka broker in its own process
// (internal/cmd/fakekafka), injects faults (SIGTERM, SIGKILL, Redis and
// broker restarts, poison lines, long Kafka outages, scale-out) and counts
// every line: delivered once, duplicated, dead-lettered or lost.
//
// This file holds the small shared helpers: building the binaries, running
// a kafkastore process and a broker process, and reading everything back.
// It holds no product logic.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Topics are the topics synth writes lines for.
var Topics = []string{"clicks", "impressions", "installs"}

// Binaries are the programs the suite runs, built once per package run.
type Binaries struct {
	Root       string // repository root
	Kafkastore string // go build ./cmd/kafkastore
	FakeKafka  string // go build ./internal/cmd/fakekafka
}

// Build finds the repository root and builds kafkastore and fakekafka into
// dir, concurrently.
func Build(dir string) (Binaries, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return Binaries{}, fmt.Errorf("finding the module root: %w", err)
	}
	b := Binaries{
		Root:       filepath.Dir(strings.TrimSpace(string(out))),
		Kafkastore: filepath.Join(dir, "kafkastore"),
		FakeKafka:  filepath.Join(dir, "fakekafka"),
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, p := range [][2]string{{b.Kafkastore, "./cmd/kafkastore"}, {b.FakeKafka, "./internal/cmd/fakekafka"}} {
		wg.Go(func() {
			cmd := exec.Command("go", "build", "-o", p[0], p[1])
			cmd.Dir = b.Root
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("building %s: %w\n%s", p[1], err, out)
			}
		})
	}
	wg.Wait()
	return b, errors.Join(errs...)
}

// FreePort returns a TCP port on the loopback interface that was free a
// moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Eventually polls cond every interval until it returns true or timeout
// passes, and reports whether it did.
func Eventually(ctx context.Context, timeout, interval time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(interval)
	}
}

// proc is a child process whose exit is observed by one goroutine.
type proc struct {
	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error
}

func startProc(cmd *exec.Cmd) (*proc, error) {
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, exited: make(chan struct{})}
	go func() { p.waitErr = cmd.Wait(); close(p.exited) }()
	return p, nil
}

func (p *proc) signal(sig os.Signal) { _ = p.cmd.Process.Signal(sig) }

func (p *proc) running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// wait waits up to timeout for the exit and returns whether it happened.
func (p *proc) wait(timeout time.Duration) bool {
	select {
	case <-p.exited:
		return true
	case <-time.After(timeout):
		return false
	}
}

func (p *proc) kill() {
	if p.running() {
		p.signal(syscall.SIGKILL)
		<-p.exited
	}
}

// Broker is a fakekafka process on a fixed loopback port, so it can be
// killed and replaced by a new broker on the same address.
type Broker struct {
	t    testing.TB
	bin  string
	port int
	args []string

	mu sync.Mutex
	p  *proc
}

// StartBroker starts fakekafka on a free port with extra flags (e.g.
// "-max-message-bytes", "49152") and stops it when the test ends.
func StartBroker(t testing.TB, bin string, args ...string) *Broker {
	t.Helper()
	b := &Broker{t: t, bin: bin, args: args}
	t.Cleanup(b.Kill)
	var err error
	for range 5 {
		b.port = FreePort(t)
		if err = b.Start(); err == nil {
			return b
		}
	}
	t.Fatalf("starting fakekafka: %v", err)
	return nil
}

// Start starts a stopped broker again on the same port, with its flags: a
// broker without -data-dir comes back empty.
func (b *Broker) Start() error {
	var err error
	for range 50 { // the port may linger briefly after a kill
		if err = b.start(); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

func (b *Broker) start() error {
	cmd := exec.Command(b.bin, append([]string{"-port", strconv.Itoa(b.port), "-partitions", "3"}, b.args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	p, err := startProc(cmd)
	if err != nil {
		return fmt.Errorf("running fakekafka: %w", err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "ready ") {
		p.kill()
		return fmt.Errorf("fakekafka on port %d did not start: %q %v %s", b.port, line, err, stderr.String())
	}
	b.mu.Lock()
	b.p = p
	b.mu.Unlock()
	return nil
}

// Addr returns host:port of the broker.
func (b *Broker) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(b.port)) }

// Kill stops the broker at once with SIGKILL and waits for it to exit.
func (b *Broker) Kill() { b.stop(syscall.SIGKILL) }

// Stop stops the broker with SIGTERM, so a -data-dir broker persists its
// log, and waits for it to exit.
func (b *Broker) Stop() { b.stop(syscall.SIGTERM) }

func (b *Broker) stop(sig os.Signal) {
	b.mu.Lock()
	p := b.p
	b.p = nil
	b.mu.Unlock()
	if p == nil {
		return
	}
	p.signal(sig)
	if !p.wait(30 * time.Second) {
		p.kill()
	}
}

// Kafkastore is one running kafkastore process. Its output (the logfmt log)
// is kept in memory and shown when the test fails.
type Kafkastore struct {
	t        testing.TB
	name     string
	p        *proc
	HTTPAddr string
	started  time.Time

	mu     sync.Mutex
	log    bytes.Buffer
	hwmKiB int64
	rssKiB int64 // highest VmRSS seen
	stop   chan struct{}
}

// KafkastoreEnv is the environment config/kafkastore.yaml reads.
type KafkastoreEnv struct {
	RedisURL, Brokers, Queue, Invalid, GeoIP string
	LogLevel                                 string // default INFO
}

// Environ returns the process environment with env's variables set and the
// HTTP server on httpAddr.
func (env KafkastoreEnv) Environ(httpAddr string) []string {
	if env.LogLevel == "" {
		env.LogLevel = "INFO"
	}
	return append(os.Environ(),
		"REDIS_URL="+env.RedisURL, "KAFKA_BROKERS="+env.Brokers, "GEOIP_DB="+env.GeoIP,
		"QUEUE_KEY="+env.Queue, "INVALID_KEY="+env.Invalid, "HTTP_ADDRESS="+httpAddr,
		"STATUS_ADDRESS=off", "LOG_LEVEL="+env.LogLevel)
}

// StartKafkastore runs bin -c config with env and waits until its HTTP
// server answers /ping. The process is killed when the test ends if it is
// still running.
func StartKafkastore(t testing.TB, name, bin, config string, env KafkastoreEnv) *Kafkastore {
	t.Helper()
	k := &Kafkastore{t: t, name: name, HTTPAddr: "127.0.0.1:" + strconv.Itoa(FreePort(t)), stop: make(chan struct{})}
	cmd := exec.Command(bin, "-c", config)
	cmd.Env = env.Environ(k.HTTPAddr)
	// Benthos logs to stdout; go-redis's internal logger writes to stderr.
	cmd.Stdout = lockedWriter{&k.mu, &k.log}
	cmd.Stderr = cmd.Stdout
	p, err := startProc(cmd)
	if err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	k.p, k.started = p, time.Now()
	go k.sample()
	t.Cleanup(func() {
		k.p.kill()
		if t.Failed() {
			t.Logf("%s log (tail):\n%s", k.name, tail(k.Log(), 60))
		}
	})
	ok := Eventually(t.Context(), 60*time.Second, 20*time.Millisecond, func() bool {
		resp, err := http.Get("http://" + k.HTTPAddr + "/ping")
		if err != nil {
			return !k.p.running()
		}
		resp.Body.Close()
		return true
	})
	if !ok || !k.p.running() {
		t.Fatalf("%s did not serve /ping within 60s (running: %v); log:\n%s", name, k.p.running(), k.Log())
	}
	return k
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// sample records the process's peak and current resident memory every 50ms
// until it exits (a reaped process has no /proc entry left to read).
func (k *Kafkastore) sample() {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		k.readMem()
		select {
		case <-k.p.exited:
			return
		case <-tick.C:
		}
	}
}

func (k *Kafkastore) readMem() {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", k.p.cmd.Process.Pid))
	if err != nil {
		return
	}
	hwm, rss := statusKiB(b, "VmHWM:"), statusKiB(b, "VmRSS:")
	k.mu.Lock()
	k.hwmKiB, k.rssKiB = max(k.hwmKiB, hwm), max(k.rssKiB, rss)
	k.mu.Unlock()
}

func statusKiB(status []byte, field string) int64 {
	for line := range strings.SplitSeq(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			n, _ := strconv.ParseInt(strings.Fields(rest)[0], 10, 64)
			return n
		}
	}
	return 0
}

// PeakRSSMiB returns the highest VmHWM read from /proc, in MiB.
func (k *Kafkastore) PeakRSSMiB() int64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.hwmKiB / 1024
}

// Log returns everything the process wrote to stdout and stderr so far.
func (k *Kafkastore) Log() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.log.String()
}

// CountLog counts log lines that contain every one of substrs.
func (k *Kafkastore) CountLog(substrs ...string) int {
	n := 0
	for line := range strings.SplitSeq(k.Log(), "\n") {
		all := true
		for _, s := range substrs {
			all = all && strings.Contains(line, s)
		}
		if all {
			n++
		}
	}
	return n
}

// Running reports whether the process has not exited.
func (k *Kafkastore) Running() bool { return k.p.running() }

// Terminate sends SIGTERM and waits up to timeout for the exit. It returns
// how long the shutdown took and the exit code (-1 if it did not exit in
// time, in which case the process is killed).
func (k *Kafkastore) Terminate(timeout time.Duration) (time.Duration, int) {
	k.readMem()
	start := time.Now()
	k.p.signal(syscall.SIGTERM)
	if !k.p.wait(timeout) {
		k.p.kill()
		return time.Since(start), -1
	}
	return time.Since(start), k.p.cmd.ProcessState.ExitCode()
}

// Kill sends SIGKILL, as a crash or the OOM killer would, and waits.
func (k *Kafkastore) Kill() {
	k.readMem()
	k.p.kill()
}

// Redis helpers -------------------------------------------------------

// Push appends lines to the list key with pipelined RPUSHes.
func Push(ctx context.Context, rdb *redis.Client, key string, lines []string) error {
	const chunk = 2000
	pipe := rdb.Pipeline()
	for i := 0; i < len(lines); i += chunk {
		vals := make([]any, 0, chunk)
		for _, s := range lines[i:min(i+chunk, len(lines))] {
			vals = append(vals, s)
		}
		pipe.RPush(ctx, key, vals...)
	}
	_, err := pipe.Exec(ctx)
	return err
}

// ProcessingLists returns the processing lists of queue that exist now
// (`{queue}:processing:*`, see the redis_list input docs).
func ProcessingLists(ctx context.Context, rdb *redis.Client, queue string) ([]string, error) {
	return rdb.Keys(ctx, "{"+queue+"}:processing:*").Result()
}

// Drained reports whether queue is empty and no processing list of it is
// left: every line popped was acknowledged, so it is on Kafka or in the
// dead-letter list.
func Drained(ctx context.Context, rdb *redis.Client, queue string) bool {
	n, err := rdb.LLen(ctx, queue).Result()
	if err != nil || n > 0 {
		return false
	}
	lists, err := ProcessingLists(ctx, rdb, queue)
	return err == nil && len(lists) == 0
}

// Kafka helpers -------------------------------------------------------

// Record is one record read back from Kafka.
type Record struct {
	Topic     string
	Partition int32
	Offset    int64
	Value     string
}

// ReadAll reads every record of topics on the broker at addr, from the start
// up to the end offsets at the time of the call.
func ReadAll(ctx context.Context, addr string, topics ...string) ([]Record, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	ends, err := kadm.NewClient(cl).ListEndOffsets(ctx, topics...)
	if err != nil {
		return nil, fmt.Errorf("listing end offsets: %w", err)
	}
	want := map[string]map[int32]kgo.Offset{}
	left := map[string]map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) {
		if o.Err != nil || o.Offset == 0 {
			return
		}
		if want[o.Topic] == nil {
			want[o.Topic], left[o.Topic] = map[int32]kgo.Offset{}, map[int32]int64{}
		}
		want[o.Topic][o.Partition] = kgo.NewOffset().AtStart()
		left[o.Topic][o.Partition] = o.Offset
	})
	if len(want) == 0 {
		return nil, nil
	}
	cons, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumePartitions(want), kgo.FetchMaxBytes(64<<20))
	if err != nil {
		return nil, err
	}
	defer cons.Close()
	var recs []Record
	for {
		remaining := 0
		for _, ps := range left {
			for _, end := range ps {
				if end > 0 {
					remaining++
				}
			}
		}
		if remaining == 0 {
			return recs, nil
		}
		fetches := cons.PollFetches(ctx)
		if ctx.Err() != nil {
			return recs, fmt.Errorf("reading %v: %w", topics, ctx.Err())
		}
		fetches.EachRecord(func(r *kgo.Record) {
			recs = append(recs, Record{Topic: r.Topic, Partition: r.Partition, Offset: r.Offset, Value: string(r.Value)})
			if end := left[r.Topic][r.Partition]; r.Offset+1 >= end {
				left[r.Topic][r.Partition] = 0
			}
		})
	}
}

// EndOffsets sums the end offsets of topics (0 for topics not yet created).
func EndOffsets(ctx context.Context, addr string, topics ...string) (int64, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		return 0, err
	}
	defer cl.Close()
	ends, err := kadm.NewClient(cl).ListEndOffsets(ctx, topics...)
	if err != nil {
		return 0, err
	}
	var n int64
	ends.Each(func(o kadm.ListedOffset) {
		if o.Err == nil {
			n += o.Offset
		}
	})
	return n, nil
}
