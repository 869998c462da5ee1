package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/urfave/cli/v2"

	"github.com/kafkastore/kafkastore/config"
	"github.com/kafkastore/kafkastore/internal/synth"
	"github.com/kafkastore/kafkastore/plugins/tracker"
)

// demoOptions are the flags of `kafkastore demo`.
type demoOptions struct {
	events     int
	badEvery   int
	follow     bool
	rate       int
	configPath string
	geoipDB    string
	samples    int
	verbose    bool
}

func demoCommand() *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "Run the real pipeline against an embedded Redis and Kafka, with synthetic tracker lines",
		Description: `Starts an embedded Redis (miniredis) and an embedded Kafka (kfake) on free
loopback ports, pushes synthetic tracker lines (phones, tablets, desktops,
crawlers, in-app web views, and one bad line in 50) onto click_queue, runs
config/kafkastore.yaml against them and prints what reached Kafka and the
dead-letter list. Needs nothing but the binary.`,
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "events", Value: 10000, Usage: "tracker lines to push"},
			&cli.IntFlag{Name: "bad-every", Value: 50, Usage: "make every Nth line invalid (0: none)"},
			&cli.BoolFlag{Name: "follow", Usage: "keep producing lines until interrupted"},
			&cli.IntFlag{Name: "rate", Value: 2000, Usage: "lines per second with --follow"},
			&cli.StringFlag{Name: "config", Aliases: []string{"c"}, Usage: "config file to run (default: the embedded config/kafkastore.yaml)"},
			&cli.StringFlag{Name: "geoip", Value: defaultDemoGeoIP(), Usage: "GeoIP database for country lookup (default: the test fixture, when present)"},
			&cli.IntFlag{Name: "samples", Value: 5, Usage: "sample messages to print"},
			&cli.BoolFlag{Name: "verbose", Usage: "show the pipeline's logs"},
		},
		Action: func(c *cli.Context) error {
			ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
			defer stop()
			_, err := runDemo(ctx, demoOptions{
				events: c.Int("events"), badEvery: c.Int("bad-every"), follow: c.Bool("follow"),
				rate: c.Int("rate"), configPath: c.String("config"), geoipDB: c.String("geoip"),
				samples: c.Int("samples"), verbose: c.Bool("verbose"),
			}, os.Stdout, os.Stderr)
			return err
		},
	}
}

func defaultDemoGeoIP() string {
	const fixture = "plugins/geoip/testdata/city.mmdb"
	if _, err := os.Stat(fixture); err == nil {
		return fixture
	}
	return os.Getenv("GEOIP_DB")
}

// demoResult is what a demo run saw, for the summary and for tests.
type demoResult struct {
	pushed, valid, invalid int
	delivered              map[string]int
	deadLettered           int
	leftInQueue            int
	processingKeys         []string
	samples                []*kgo.Record
	elapsed                time.Duration
	// firstHandled and lastHandled are the timestamps of the first and the
	// last record produced: the busy part of the run, start-up excluded.
	firstHandled, lastHandled time.Time
}

// throughput is lines delivered per second between the first and the last
// record produced, or over the whole run when that is not known.
func (r *demoResult) throughput() float64 {
	d := r.elapsed
	if !r.firstHandled.IsZero() && r.lastHandled.After(r.firstHandled) {
		d = r.lastHandled.Sub(r.firstHandled)
	}
	return float64(r.totalDelivered()) / d.Seconds()
}

// isTerminal reports whether w is a character device (a terminal), where a
// progress line can be redrawn in place.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (r *demoResult) totalDelivered() int {
	n := 0
	for _, v := range r.delivered {
		n += v
	}
	return n
}

// demoEnv holds the embedded servers.
type demoEnv struct {
	redis   *miniredis.Miniredis
	kafka   *kfake.Cluster
	rclient *redis.Client
}

func startDemoEnv() (*demoEnv, error) {
	mr, err := miniredis.Run()
	if err != nil {
		return nil, fmt.Errorf("starting embedded redis: %w", err)
	}
	kc, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(3))
	if err != nil {
		mr.Close()
		return nil, fmt.Errorf("starting embedded kafka: %w", err)
	}
	return &demoEnv{redis: mr, kafka: kc, rclient: redis.NewClient(&redis.Options{Addr: mr.Addr()})}, nil
}

func (e *demoEnv) close() {
	_ = e.rclient.Close()
	e.kafka.Close()
	e.redis.Close()
}

func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func runDemo(ctx context.Context, opts demoOptions, stdout, stderr io.Writer) (*demoResult, error) {
	confYAML := config.Default
	if opts.configPath != "" {
		b, err := os.ReadFile(opts.configPath)
		if err != nil {
			return nil, fmt.Errorf("reading config: %w", err)
		}
		confYAML = string(b)
	}
	env, err := startDemoEnv()
	if err != nil {
		return nil, err
	}
	defer env.close()
	httpAddr, err := freeLoopbackAddr()
	if err != nil {
		return nil, fmt.Errorf("finding a free port: %w", err)
	}
	vars := map[string]string{
		"REDIS_URL":     "redis://" + env.redis.Addr() + "/0",
		"KAFKA_BROKERS": strings.Join(env.kafka.ListenAddrs(), ","),
		"GEOIP_DB":      opts.geoipDB,
		"QUEUE_KEY":     "click_queue",
		"INVALID_KEY":   "click_invalid",
		"HTTP_ADDRESS":  httpAddr,
		"LOG_LEVEL":     "WARN",
	}
	if opts.verbose {
		vars["LOG_LEVEL"] = "INFO"
	}
	fmt.Fprintf(stdout, "kafkastore demo: embedded Redis at %s, embedded Kafka at %s\n", env.redis.Addr(), vars["KAFKA_BROKERS"])
	if opts.geoipDB == "" {
		fmt.Fprintln(stdout, "GeoIP: no database (country lookup off)")
	} else {
		fmt.Fprintf(stdout, "GeoIP: %s\n", opts.geoipDB)
	}

	res := &demoResult{delivered: map[string]int{}}
	gen := synth.New(synth.Options{Seed: uint64(time.Now().UnixNano()), BadEvery: opts.badEvery, Now: time.Now().Unix()})
	if err := pushLines(ctx, env.rclient, gen, opts.events, res); err != nil {
		return nil, err
	}
	fmt.Fprintf(stdout, "pushed %d tracker lines onto click_queue (%d invalid on purpose)\n", res.pushed, res.invalid)

	builder := service.NewStreamBuilder()
	builder.SetEnvVarLookupFunc(func(k string) (string, bool) {
		if v, ok := vars[k]; ok {
			return v, true
		}
		return os.LookupEnv(k)
	})
	if err := builder.SetYAML(confYAML); err != nil {
		return nil, fmt.Errorf("loading config: %w", err)
	}
	stream, err := builder.Build()
	if err != nil {
		return nil, fmt.Errorf("building stream: %w", err)
	}
	consumer, err := newDemoConsumer(env.kafka.ListenAddrs(), opts.samples)
	if err != nil {
		return nil, err
	}
	defer consumer.close()

	start := time.Now()
	streamErr := make(chan error, 1)
	go func() { streamErr <- stream.Run(context.Background()) }()

	err = waitForDemo(ctx, opts, env, gen, consumer, res, stderr, streamErr)
	res.elapsed = time.Since(start)
	if stopErr := stream.StopWithin(20 * time.Second); stopErr != nil && err == nil {
		err = fmt.Errorf("stopping stream: %w", stopErr)
	}
	consumer.snapshot(res)
	res.deadLettered = int(env.rclient.LLen(context.Background(), "click_invalid").Val())
	res.leftInQueue = int(env.rclient.LLen(context.Background(), "click_queue").Val())
	res.processingKeys = processingKeys(env.redis.Keys())
	printDemoSummary(stdout, res, env)
	return res, err
}

// processingKeys returns the reliable input's processing lists among keys.
func processingKeys(keys []string) []string {
	var out []string
	for _, k := range keys {
		if strings.Contains(k, ":processing") {
			out = append(out, k)
		}
	}
	return out
}

func pushLines(ctx context.Context, rc *redis.Client, gen *synth.Generator, n int, res *demoResult) error {
	const chunk = 1000
	for done := 0; done < n; {
		size := min(chunk, n-done)
		vals := make([]any, size)
		for i := range vals {
			res.pushed++
			vals[i] = gen.Line()
			if isDemoLineBad(vals[i].(string)) {
				res.invalid++
			} else {
				res.valid++
			}
		}
		if err := rc.RPush(ctx, "click_queue", vals...).Err(); err != nil {
			return fmt.Errorf("pushing lines to embedded redis: %w", err)
		}
		done += size
	}
	return nil
}

// isDemoLineBad mirrors the generator's bad lines: they are the ones whose
// second field is not a number or whose first is not an address.
func isDemoLineBad(line string) bool {
	f := strings.SplitN(line, " ", 6)
	if len(f) < 5 {
		return true
	}
	if _, err := strconv.ParseInt(f[1], 10, 64); err != nil {
		return true
	}
	return net.ParseIP(f[0]) == nil
}

func waitForDemo(ctx context.Context, opts demoOptions, env *demoEnv, gen *synth.Generator, consumer *demoConsumer, res *demoResult, stderr io.Writer, streamErr <-chan error) error {
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	start, lastPush, lastPrint := time.Now(), time.Now(), time.Time{}
	deadline := time.Now().Add(2*time.Minute + time.Duration(opts.events/1000)*time.Second)
	tty := isTerminal(stderr)
	if tty {
		defer fmt.Fprintln(stderr)
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-streamErr:
			if err != nil {
				return fmt.Errorf("running stream: %w", err)
			}
			return errors.New("the stream stopped before every line was handled")
		case now := <-tick.C:
			delivered := consumer.count()
			dead := int(env.rclient.LLen(ctx, "click_invalid").Val())
			if tty || now.Sub(lastPrint) >= 2*time.Second {
				lastPrint = now
				prefix, suffix := "\r", "   "
				if !tty {
					prefix, suffix = "", "\n"
				}
				fmt.Fprintf(stderr, "%s  handled %d/%d lines: %d to Kafka, %d dead-lettered (%s)%s",
					prefix, delivered+dead, res.pushed, delivered, dead, now.Sub(start).Round(100*time.Millisecond), suffix)
			}
			if opts.follow {
				n := int(now.Sub(lastPush).Seconds() * float64(opts.rate))
				if n > 0 {
					lastPush = now
					if err := pushLines(ctx, env.rclient, gen, n, res); err != nil && ctx.Err() == nil {
						return err
					}
				}
				continue
			}
			if delivered >= res.valid && delivered+dead >= res.pushed {
				return nil
			}
			if now.After(deadline) {
				return fmt.Errorf("timed out: %d of %d lines handled", delivered+dead, res.pushed)
			}
		}
	}
}

// demoConsumer reads every topic of the embedded cluster.
type demoConsumer struct {
	client  *kgo.Client
	samples int
	mu      sync.Mutex
	counts  map[string]int
	kept    []*kgo.Record
	seen    map[string]bool
	total   int
	// first and last are the oldest and newest record timestamps (set by
	// the producer), which bound the busy part of the run.
	first, last time.Time
	done        chan struct{}
}

func newDemoConsumer(brokers []string, samples int) (*demoConsumer, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeRegex(), kgo.ConsumeTopics(".*"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.MetadataMinAge(100*time.Millisecond), kgo.MetadataMaxAge(time.Second))
	if err != nil {
		return nil, fmt.Errorf("creating demo consumer: %w", err)
	}
	c := &demoConsumer{client: cl, samples: samples, counts: map[string]int{}, seen: map[string]bool{}, done: make(chan struct{})}
	go c.loop()
	return c, nil
}

func (c *demoConsumer) loop() {
	defer close(c.done)
	for {
		fetches := c.client.PollFetches(context.Background())
		if fetches.IsClientClosed() {
			return
		}
		c.mu.Lock()
		fetches.EachRecord(func(r *kgo.Record) {
			c.counts[r.Topic]++
			c.total++
			if c.first.IsZero() || r.Timestamp.Before(c.first) {
				c.first = r.Timestamp
			}
			if r.Timestamp.After(c.last) {
				c.last = r.Timestamp
			}
			if kind := sampleKind(r.Value); len(c.kept) < c.samples && !c.seen[kind] {
				c.seen[kind] = true
				c.kept = append(c.kept, r)
			}
		})
		c.mu.Unlock()
	}
}

// sampleKind names the kind of device (or crawler) a message is about, so
// the samples show one of each.
func sampleKind(msg []byte) string {
	s := string(msg)
	switch {
	case strings.Contains(s, "bot_name="):
		return "crawler"
	case strings.Contains(s, "device="):
		i := strings.Index(s, "device=") + len("device=")
		j := strings.IndexAny(s[i:], "& ")
		if j < 0 {
			return s[i:]
		}
		return s[i : i+j]
	}
	return "unknown"
}

func (c *demoConsumer) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

func (c *demoConsumer) snapshot(res *demoResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, v := range c.counts {
		res.delivered[k] = v
	}
	res.samples = append(res.samples[:0], c.kept...)
	res.firstHandled, res.lastHandled = c.first, c.last
}

func (c *demoConsumer) close() {
	c.client.Close()
	<-c.done
}

func printDemoSummary(w io.Writer, res *demoResult, env *demoEnv) {
	fmt.Fprintf(w, "\nDelivered to Kafka: %d of %d valid lines; %.0f lines/s once running (%s in all, start-up included)\n",
		res.totalDelivered(), res.valid, res.throughput(), res.elapsed.Round(time.Millisecond))
	topics := make([]string, 0, len(res.delivered))
	for t := range res.delivered {
		topics = append(topics, t)
	}
	sort.Strings(topics)
	for _, t := range topics {
		fmt.Fprintf(w, "  topic %-12s %d messages\n", t, res.delivered[t])
	}
	fmt.Fprintf(w, "Dead-lettered to click_invalid: %d (expected %d)\n", res.deadLettered, res.invalid)
	if dl, _ := env.rclient.LRange(context.Background(), "click_invalid", 0, 2).Result(); len(dl) > 0 {
		for _, l := range dl {
			reason := "valid now (dead-lettered by the output)"
			if _, err := tracker.ParseLineString(l); err != nil {
				reason = err.Error()
			}
			fmt.Fprintf(w, "  %q\n      %s\n", l, reason)
		}
	}
	fmt.Fprintf(w, "Left in click_queue: %d; processing lists left: %d\n", res.leftInQueue, len(res.processingKeys))
	if len(res.samples) == 0 {
		return
	}
	fmt.Fprintln(w, "\nSample messages (one per kind of device), exactly as they sit on Kafka, with their fields decoded:")
	for _, r := range res.samples {
		fmt.Fprintf(w, "\n  topic=%s partition=%d offset=%d\n  %s\n", r.Topic, r.Partition, r.Offset, r.Value)
		for _, kv := range decodeMessage(string(r.Value)) {
			fmt.Fprintf(w, "    %-12s %s\n", kv[0], kv[1])
		}
	}
}
