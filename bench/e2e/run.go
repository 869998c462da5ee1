package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/twmb/franz-go/pkg/kgo"
)

var topics = []string{"clicks", "impressions", "installs"}

// floorOpts tune the hand-rolled floor worker.
type floorOpts struct {
	pipeline int           // LPOP 500 commands sent per round trip
	linger   time.Duration // franz-go linger
	compress string        // "" (franz-go default, snappy), none, snappy or lz4
}

// runFloor pops the lines in batches of 500 and produces them raw, as the
// best hand-rolled worker with no processing would: pops pipelined several
// to a round trip, records produced asynchronously while the next pops are
// on the wire, the topic created and its metadata loaded before the clock
// starts.
func (e *env) runFloor(ctx context.Context, name string, data []string, o floorOpts) (result, error) {
	key := "floor_" + name
	topic := "floor_" + name
	if err := e.fill(ctx, key, data); err != nil {
		return result{}, err
	}
	opts := []kgo.Opt{kgo.SeedBrokers(e.kAddr), kgo.DefaultProduceTopic(topic),
		kgo.ProducerLinger(o.linger), kgo.MaxBufferedRecords(100000), kgo.AllowAutoTopicCreation()}
	if c, ok := codecs[o.compress]; ok {
		opts = append(opts, kgo.ProducerBatchCompression(c))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return result{}, err
	}
	defer cl.Close()
	// Warm up: create the topic and load its metadata, as kafkastore has
	// (its topics were created by warmTopics) before its clock starts.
	if err := cl.ProduceSync(ctx, &kgo.Record{Value: []byte("warm-up")}).FirstErr(); err != nil {
		return result{}, fmt.Errorf("warming up: %w", err)
	}
	// Warm up the worker itself (heap, buffers) on a tenth of the data.
	warm := key + "_warm"
	if err := e.fill(ctx, warm, data[:len(data)/10]); err != nil {
		return result{}, err
	}
	if err := e.popProduce(ctx, cl, warm, o.pipeline); err != nil {
		return result{}, fmt.Errorf("warming up: %w", err)
	}
	cpu0, srv0 := selfCPU(), e.serverCPU()
	start := time.Now()
	err = e.popProduce(ctx, cl, key, o.pipeline)
	elapsed := time.Since(start)
	if err != nil {
		return result{}, err
	}
	return result{dataset: name, subject: "floor (LPOP 500 + franz-go)", lines: len(data), elapsed: elapsed,
		cpu: selfCPU() - cpu0, serverCPU: e.serverCPU().sub(srv0)}, nil
}

// popProduce pops key empty, pipeline LPOP 500 commands per round trip,
// producing every line as soon as its pop answers, and waits until Kafka
// has them all.
func (e *env) popProduce(ctx context.Context, cl *kgo.Client, key string, pipeline int) error {
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		prodErr error
	)
	promise := func(_ *kgo.Record, err error) {
		if err != nil {
			mu.Lock()
			prodErr = err
			mu.Unlock()
		}
		wg.Done()
	}
	for done := false; !done; {
		cmds, err := e.rclient.Pipelined(ctx, func(p redis.Pipeliner) error {
			for range pipeline {
				p.LPopCount(ctx, key, 500)
			}
			return nil
		})
		if err != nil && !errors.Is(err, redis.Nil) {
			return fmt.Errorf("popping: %w", err)
		}
		for _, c := range cmds {
			vals, _ := c.(*redis.StringSliceCmd).Result()
			if len(vals) < 500 {
				done = true
			}
			wg.Add(len(vals))
			for _, v := range vals {
				cl.Produce(ctx, &kgo.Record{Value: []byte(v)}, promise)
			}
		}
	}
	wg.Wait()
	if prodErr != nil {
		return fmt.Errorf("producing: %w", prodErr)
	}
	return nil
}

var codecs = map[string]kgo.CompressionCodec{
	"none":   kgo.NoCompression(),
	"snappy": kgo.SnappyCompression(),
	"lz4":    kgo.Lz4Compression(),
}

// runKafkastore runs the real binary and times it from the moment the
// lines appear on its queue (an atomic RENAME) to the moment every line is
// on Kafka or dead-lettered.
//
// With profile set it also fetches a CPU profile of profileSeconds from the
// debug endpoints, started with the clock, into profile.NAME.pprof.
func (e *env) runKafkastore(ctx context.Context, name string, data []string, binary, confPath, geoip, profile string) (result, error) {
	queue, invalid, staging := "bench_"+name+"_queue", "bench_"+name+"_invalid", "bench_"+name+"_staging"
	httpPort, err := freePort()
	if err != nil {
		return result{}, err
	}
	httpAddr := "127.0.0.1:" + strconv.Itoa(httpPort)
	args := []string{"-c", confPath}
	if profile != "" {
		args = append(args, "-s", "http.debug_endpoints=true")
	}
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(),
		"REDIS_URL="+e.rURL, "KAFKA_BROKERS="+e.kAddr, "GEOIP_DB="+geoip,
		"QUEUE_KEY="+queue, "INVALID_KEY="+invalid, "HTTP_ADDRESS="+httpAddr, "LOG_LEVEL=WARN")
	cmd.Env = append(cmd.Env, extraEnv...)
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	if err := cmd.Start(); err != nil {
		return result{}, fmt.Errorf("starting %s: %w", binary, err)
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	if err := waitReady(ctx, httpAddr, 60*time.Second); err != nil {
		return result{}, err
	}
	if err := e.fill(ctx, staging, data); err != nil {
		return result{}, err
	}
	base, err := e.endOffsets(ctx, topics...)
	if err != nil {
		return result{}, err
	}
	profDone := make(chan error, 1)
	if profile != "" {
		go func() { profDone <- fetchProfile(ctx, httpAddr, fmt.Sprintf("%s.%s.pprof", profile, name)) }()
		// An execution trace of the first second too: which goroutine
		// waits for what (go tool trace -pprof=sync|net|sched).
		go func() {
			url := fmt.Sprintf("http://%s/debug/pprof/trace?seconds=1", httpAddr)
			_ = fetchURL(ctx, url, fmt.Sprintf("%s.%s.trace", profile, name))
		}()
	} else {
		profDone <- nil
	}
	if verbose {
		_ = e.rclient.ConfigResetStat(ctx).Err()
	}
	cpu0, srv0 := procCPU(cmd.Process.Pid), e.serverCPU()
	start := time.Now()
	if err := e.rclient.Rename(ctx, staging, queue).Err(); err != nil {
		return result{}, err
	}
	deadline := start.Add(10 * time.Minute)
	for {
		time.Sleep(10 * time.Millisecond)
		n, err := e.endOffsets(ctx, topics...)
		if err != nil {
			return result{}, err
		}
		dead := e.rclient.LLen(ctx, invalid).Val()
		if n-base+dead >= int64(len(data)) {
			break
		}
		if time.Now().After(deadline) {
			return result{}, fmt.Errorf("only %d of %d lines handled after 10 minutes", n-base+dead, len(data))
		}
	}
	elapsed := time.Since(start)
	r := result{dataset: name, subject: "kafkastore (" + confPath + ")", lines: len(data), elapsed: elapsed,
		cpu: procCPU(cmd.Process.Pid) - cpu0, serverCPU: e.serverCPU().sub(srv0), peakRSSKiB: procHWM(cmd.Process.Pid)}
	if verbose {
		stats, _ := e.rclient.Info(ctx, "commandstats").Result()
		fmt.Fprintf(os.Stderr, "%s: redis commands while kafkastore ran:\n%s\n", name, stats)
	}
	if err := <-profDone; err != nil {
		return result{}, fmt.Errorf("fetching profile: %w", err)
	}
	if profile != "" {
		// Allocations since start: warm-up included, dominated by the run.
		url := fmt.Sprintf("http://%s/debug/pprof/allocs", httpAddr)
		if err := fetchURL(ctx, url, fmt.Sprintf("%s.%s.allocs.pprof", profile, name)); err != nil {
			return result{}, fmt.Errorf("fetching allocation profile: %w", err)
		}
	}
	return r, nil
}

// extraEnv is added to kafkastore's environment (e.g. GOGC=200).
var extraEnv []string

// verbose prints redis-server's command statistics of each kafkastore run.
var verbose bool

// profileSeconds is how long the CPU profile of a kafkastore run lasts; a
// run shorter than that leaves idle time in it, which pprof ignores.
var profileSeconds = 3

func fetchProfile(ctx context.Context, addr, path string) error {
	return fetchURL(ctx, fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, profileSeconds), path)
}

// fetchURL writes the body of a successful GET of url to path.
func fetchURL(ctx context.Context, url, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procCPU reads utime+stime of a process from /proc (clock ticks of 10ms).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// procHWM reads the peak resident set size of a process in KiB.
func procHWM(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			n, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return n
		}
	}
	return 0
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "model name") {
			return strings.TrimSpace(strings.SplitN(line, ":", 2)[1])
		}
	}
	return "unknown CPU"
}

func printTable(w io.Writer, results []result, binary string) {
	fmt.Fprintf(w, "Run %s on %d cores (%s), %s, kafkastore %s.\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"),
		runtime.NumCPU(), cpuModel(), runtime.Version(), binaryVersion(binary))
	fmt.Fprintln(w, "| data | subject | lines | lines/s | of floor | CPU µs/line | redis CPU µs/line | broker CPU µs/line | peak RSS |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---:|---:|")
	floors := map[string]float64{}
	for _, r := range results {
		ratio, rss := "1.00", "-"
		if strings.HasPrefix(r.subject, "floor") {
			floors[r.dataset] = r.rate()
		} else {
			ratio = fmt.Sprintf("%.2f", r.rate()/floors[r.dataset])
			rss = fmt.Sprintf("%d MiB", r.peakRSSKiB/1024)
		}
		fmt.Fprintf(w, "| %s | %s | %d | %.0f | %s | %.2f | %.2f | %.2f | %s |\n", r.dataset, r.subject, r.lines, r.rate(), ratio,
			perLine(r.cpu, r.lines), perLine(r.serverCPU.redis, r.lines), perLine(r.serverCPU.broker, r.lines), rss)
	}
}

func perLine(d time.Duration, lines int) float64 {
	return float64(d.Microseconds()) / float64(lines)
}

// binaryVersion is what the binary's --version prints: the commit it was
// built from, "-dirty" when the tree had changes.
func binaryVersion(binary string) string {
	out, err := exec.Command(binary, "--version").Output()
	if err != nil {
		return "(version unknown)"
	}
	f := strings.Fields(string(out))
	for i, w := range f {
		if w == "Version:" && i+1 < len(f) {
			return f[i+1]
		}
	}
	return strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
}
