package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

var topics = []string{"clicks", "impressions", "installs"}

// runFloor pops the lines in batches of 500 and produces them raw, as a
// hand-rolled worker with no processing would: the I/O floor.
func (e *env) runFloor(ctx context.Context, name string, data []string) (result, error) {
	key := "floor_" + name
	topic := "floor_" + name
	if err := e.fill(ctx, key, data); err != nil {
		return result{}, err
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.kAddr), kgo.DefaultProduceTopic(topic),
		kgo.ProducerLinger(5*time.Millisecond), kgo.MaxBufferedRecords(100000), kgo.AllowAutoTopicCreation())
	if err != nil {
		return result{}, err
	}
	defer cl.Close()
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		prodErr error
	)
	cpu0 := selfCPU()
	start := time.Now()
	for {
		vals, err := e.rclient.LPopCount(ctx, key, 500).Result()
		if err != nil || len(vals) == 0 {
			break
		}
		for _, v := range vals {
			wg.Add(1)
			cl.Produce(ctx, &kgo.Record{Value: []byte(v)}, func(_ *kgo.Record, err error) {
				if err != nil {
					mu.Lock()
					prodErr = err
					mu.Unlock()
				}
				wg.Done()
			})
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	if prodErr != nil {
		return result{}, fmt.Errorf("producing: %w", prodErr)
	}
	return result{dataset: name, subject: "floor (LPOP 500 + franz-go)", lines: len(data), elapsed: elapsed, cpu: selfCPU() - cpu0}, nil
}

// runKafkastore runs the real binary and times it from the moment the
// lines appear on its queue (an atomic RENAME) to the moment every line is
// on Kafka or dead-lettered.
func (e *env) runKafkastore(ctx context.Context, name string, data []string, binary, confPath, geoip string) (result, error) {
	queue, invalid, staging := "bench_"+name+"_queue", "bench_"+name+"_invalid", "bench_"+name+"_staging"
	httpPort, err := freePort()
	if err != nil {
		return result{}, err
	}
	httpAddr := "127.0.0.1:" + strconv.Itoa(httpPort)
	cmd := exec.Command(binary, "-c", confPath)
	cmd.Env = append(os.Environ(),
		"REDIS_URL="+e.rURL, "KAFKA_BROKERS="+e.kAddr, "GEOIP_DB="+geoip,
		"QUEUE_KEY="+queue, "INVALID_KEY="+invalid, "HTTP_ADDRESS="+httpAddr, "LOG_LEVEL=WARN")
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
	cpu0 := procCPU(cmd.Process.Pid)
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
	return result{dataset: name, subject: "kafkastore (config/kafkastore.yaml)", lines: len(data), elapsed: elapsed,
		cpu: procCPU(cmd.Process.Pid) - cpu0, peakRSSKiB: procHWM(cmd.Process.Pid)}, nil
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

func printTable(w io.Writer, results []result) {
	fmt.Fprintf(w, "Run %s on %d cores (%s), %s.\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), runtime.NumCPU(), cpuModel(), runtime.Version())
	fmt.Fprintln(w, "| data | subject | lines | lines/s | of floor | CPU µs/line | peak RSS |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|")
	floors := map[string]float64{}
	for _, r := range results {
		ratio, rss := "1.00", "-"
		if strings.HasPrefix(r.subject, "floor") {
			floors[r.dataset] = r.rate()
		} else {
			ratio = fmt.Sprintf("%.2f", r.rate()/floors[r.dataset])
			rss = fmt.Sprintf("%d MiB", r.peakRSSKiB/1024)
		}
		fmt.Fprintf(w, "| %s | %s | %d | %.0f | %s | %.2f | %s |\n", r.dataset, r.subject, r.lines, r.rate(), ratio,
			float64(r.cpu.Microseconds())/float64(r.lines), rss)
	}
}
