package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// env is the pair of servers both subjects talk to.
type env struct {
	dir     string
	redis   *exec.Cmd
	broker  *exec.Cmd
	rURL    string
	kAddr   string
	rclient *redis.Client
	kadm    *kadm.Client
	kclient *kgo.Client
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func startEnv(ctx context.Context, brokerBin string) (*env, error) {
	dir, err := os.MkdirTemp("", "kafkastore-bench-")
	if err != nil {
		return nil, err
	}
	e := &env{dir: dir}
	if brokerBin == "" {
		brokerBin = filepath.Join(dir, "fakekafka")
		build := exec.CommandContext(ctx, "go", "build", "-o", brokerBin, "./internal/cmd/fakekafka")
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			return nil, fmt.Errorf("building fakekafka: %w", err)
		}
	}
	rport, err := freePort()
	if err != nil {
		return nil, err
	}
	e.redis = exec.Command("redis-server", "--port", strconv.Itoa(rport), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir)
	if err := e.redis.Start(); err != nil {
		return nil, fmt.Errorf("starting redis-server (apt-get install -y redis-server): %w", err)
	}
	e.rURL = fmt.Sprintf("redis://127.0.0.1:%d/0", rport)
	e.rclient = redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", rport)})
	for i := 0; e.rclient.Ping(ctx).Err() != nil; i++ {
		if i > 100 {
			e.close()
			return nil, errors.New("redis-server did not answer PING")
		}
		time.Sleep(50 * time.Millisecond)
	}
	kport, err := freePort()
	if err != nil {
		return nil, err
	}
	e.broker = exec.Command(brokerBin, "-port", strconv.Itoa(kport), "-partitions", "3")
	out, err := e.broker.StdoutPipe()
	if err != nil {
		return nil, err
	}
	e.broker.Stderr = os.Stderr
	if err := e.broker.Start(); err != nil {
		return nil, fmt.Errorf("starting fakekafka: %w", err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "ready ") {
		e.close()
		return nil, fmt.Errorf("fakekafka did not start: %q %v", line, err)
	}
	e.kAddr = strings.TrimSpace(strings.TrimPrefix(line, "ready "))
	e.kclient, err = kgo.NewClient(kgo.SeedBrokers(e.kAddr))
	if err != nil {
		return nil, err
	}
	e.kadm = kadm.NewClient(e.kclient)
	return e, nil
}

func (e *env) close() {
	if e.kclient != nil {
		e.kclient.Close()
	}
	if e.rclient != nil {
		_ = e.rclient.Close()
	}
	for _, c := range []*exec.Cmd{e.broker, e.redis} {
		if c != nil && c.Process != nil {
			_ = c.Process.Signal(syscall.SIGTERM)
			_ = c.Wait()
		}
	}
	_ = os.RemoveAll(e.dir)
}

// fill pushes data onto key in pipelined chunks.
func (e *env) fill(ctx context.Context, key string, data []string) error {
	const chunk = 5000
	pipe := e.rclient.Pipeline()
	for i := 0; i < len(data); i += chunk {
		vals := make([]any, 0, chunk)
		for _, s := range data[i:min(i+chunk, len(data))] {
			vals = append(vals, s)
		}
		pipe.RPush(ctx, key, vals...)
		if pipe.Len() >= 20 {
			if _, err := pipe.Exec(ctx); err != nil {
				return err
			}
		}
	}
	_, err := pipe.Exec(ctx)
	return err
}

// createTopics creates the topics kafkastore produces to, so that neither
// subject's clock includes topic creation.
func (e *env) createTopics(ctx context.Context, names ...string) error {
	resp, err := e.kadm.CreateTopics(ctx, 3, 1, nil, names...)
	if err != nil {
		return err
	}
	for _, t := range resp {
		if t.Err != nil && !errors.Is(t.Err, kerr.TopicAlreadyExists) {
			return fmt.Errorf("topic %s: %w", t.Topic, t.Err)
		}
	}
	return nil
}

// serverCPU is the CPU redis-server and the broker have used so far.
func (e *env) serverCPU() serverCPU {
	return serverCPU{redis: procCPU(e.redis.Process.Pid), broker: procCPU(e.broker.Process.Pid)}
}

type serverCPU struct{ redis, broker time.Duration }

func (c serverCPU) sub(d serverCPU) serverCPU {
	return serverCPU{c.redis - d.redis, c.broker - d.broker}
}

// endOffsets sums the end offsets of the topics.
func (e *env) endOffsets(ctx context.Context, topics ...string) (int64, error) {
	offs, err := e.kadm.ListEndOffsets(ctx, topics...)
	if err != nil {
		return 0, err
	}
	var n int64
	offs.Each(func(o kadm.ListedOffset) {
		if o.Err == nil {
			n += o.Offset
		}
	})
	return n, nil
}

func waitReady(ctx context.Context, addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/ready", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("kafkastore not ready at %s after %s", addr, timeout)
}
