package prometheus_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kafkastore/kafkastore/config"
	"github.com/kafkastore/kafkastore/internal/kafkatest"
	"github.com/kafkastore/kafkastore/internal/redistest"
	"github.com/kafkastore/kafkastore/internal/synth"
	_ "github.com/kafkastore/kafkastore/plugins/all"
)

// families is one scrape of /metrics.
type families map[string]*dto.MetricFamily

// sum adds the values of every series of name whose labels include match
// (name=value pairs); histograms add their sample counts. ok is false when
// no series matches.
func (f families) sum(name string, match ...string) (total float64, ok bool) {
	fam := f[name]
	if fam == nil {
		return 0, false
	}
	for _, m := range fam.GetMetric() {
		if !hasLabels(m, match) {
			continue
		}
		ok = true
		switch {
		case m.GetCounter() != nil:
			total += m.GetCounter().GetValue()
		case m.GetGauge() != nil:
			total += m.GetGauge().GetValue()
		case m.GetHistogram() != nil:
			total += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return total, ok
}

func hasLabels(m *dto.Metric, match []string) bool {
	for i := 0; i+1 < len(match); i += 2 {
		found := false
		for _, l := range m.GetLabel() {
			if l.GetName() == match[i] && l.GetValue() == match[i+1] {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func scrapeURL(ctx context.Context, url string) (families, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	return p.TextToMetricFamilies(strings.NewReader(string(body)))
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// pipelineInput is what the test pushes and what it expects the metrics to
// say about it.
type pipelineInput struct {
	lines      []any
	valid      int            // lines that reach Kafka
	byTopic    map[string]int // valid lines per topic
	invalid    int            // lines tracker_line or cgi_message reject
	oversized  int            // valid lines Kafka refuses (MESSAGE_TOO_LARGE)
	eventLagAt time.Duration  // how old every line is
}

// bigTopicMax is max.message.bytes of topic big.
const bigTopicMax = 4096

// createBigTopic creates topic big with a small max.message.bytes.
func createBigTopic(t *testing.T, kc *kafkatest.Cluster) {
	t.Helper()
	cl, err := kgo.NewClient(kc.ClientOpts...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	limit := strconv.Itoa(bigTopicMax)
	res, err := kadm.NewClient(cl).CreateTopic(t.Context(), 1, 1, map[string]*string{"max.message.bytes": &limit}, "big")
	if err == nil {
		err = res.Err
	}
	if err != nil {
		t.Fatalf("creating topic big: %v", err)
	}
}

func buildInput(n int) pipelineInput {
	lag := 5 * time.Second
	opts := synth.Options{Seed: 7, BadEvery: 9, Now: time.Now().Add(-lag).Unix()}
	g := synth.New(opts)
	in := pipelineInput{byTopic: map[string]int{}, eventLagAt: lag}
	for i := 1; i <= n; i++ {
		line := g.Line()
		in.lines = append(in.lines, line)
		if opts.IsBad(i) {
			in.invalid++
			continue
		}
		in.valid++
		in.byTopic[strings.Fields(line)[2]]++
	}
	// A line for topic big, whose max.message.bytes is bigTopicMax: converted,
	// then refused by the broker and dead-lettered by the kafka_rejected output.
	// Random letters, so that compression cannot bring it under the limit.
	rng := rand.New(rand.NewPCG(1, 2))
	q := make([]byte, 4*bigTopicMax)
	for i := range q {
		q[i] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[rng.IntN(62)]
	}
	big := fmt.Sprintf("81.2.69.160 %d big /t/click q=%s curl/8.0", opts.Now, q)
	in.lines = append(in.lines, big)
	in.oversized = 1
	return in
}

// TestDefaultConfigMetrics runs `kafkastore run` in-process with the default
// config against redis-server and kfake, pushes a few hundred lines (some
// invalid, one too large for Kafka) and checks every pipeline metric that
// /metrics serves against the input.
func TestDefaultConfigMetrics(t *testing.T) {
	if testing.Short() {
		t.Skip("runs redis-server and kfake")
	}
	rs := redistest.Start(t)
	kc := kafkatest.Start(t)
	createBigTopic(t, kc)
	httpAddr := freeAddr(t)
	t.Setenv("REDIS_URL", rs.URL())
	t.Setenv("KAFKA_BROKERS", kc.Addrs()[0])
	t.Setenv("QUEUE_KEY", "q")
	t.Setenv("INVALID_KEY", "dead")
	t.Setenv("HTTP_ADDRESS", httpAddr)
	t.Setenv("DEPTH_INTERVAL", "100ms")
	t.Setenv("LOG_LEVEL", "WARN")
	gdb, err := filepath.Abs("../geoip/testdata/country.mmdb")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GEOIP_DB", gdb)
	cfgPath := filepath.Join(t.TempDir(), "kafkastore.yaml")
	if err := os.WriteFile(cfgPath, []byte(config.Default), 0o600); err != nil {
		t.Fatal(err)
	}
	in := buildInput(400)
	if err := rs.Client(t).RPush(t.Context(), "q", in.lines...).Err(); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int, 1)
	go func() {
		code, _ := service.RunCLIToCode(ctx, service.CLIOptSetArgs("kafkastore", "run", cfgPath))
		done <- code
	}()
	t.Cleanup(func() { cancel(); <-done })

	// Scrape only once the stream is well under way: Benthos registers the
	// stream's HTTP endpoints (/ready) after its server listens and after
	// the input starts, and a request served meanwhile races with that
	// registration inside gorilla/mux (go test -race saw it). Every dead
	// letter in Redis means the lines went all the way through.
	rc := rs.Client(t)
	for start := time.Now(); rc.LLen(t.Context(), "dead").Val() < int64(in.invalid+in.oversized); {
		if time.Since(start) > 60*time.Second {
			t.Fatalf("only %d of %d dead letters after 60s", rc.LLen(t.Context(), "dead").Val(), in.invalid+in.oversized)
		}
		time.Sleep(10 * time.Millisecond)
	}

	dead := float64(in.invalid + in.oversized)
	var m families
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		if m, err = scrapeURL(t.Context(), "http://"+httpAddr+"/metrics"); err != nil {
			continue
		}
		delivered, _ := m.sum("kafkastore_delivered_total")
		depth, _ := m.sum("redis_list_depth", "key", "dead")
		queued, ok := m.sum("redis_list_queue_depth", "key", "q")
		processing, pok := m.sum("redis_list_processing_depth", "key", "q")
		// The depths are samples: wait for one taken after the last ack.
		if delivered == float64(in.valid) && depth == dead && ok && queued == 0 && pok && processing == 0 {
			break
		}
	}
	if m == nil {
		t.Fatalf("no scrape of http://%s/metrics: %v", httpAddr, err)
	}

	converted := float64(in.valid + in.oversized) // lines cgi_message turned into CGI messages
	tests := []struct {
		name   string
		metric string
		labels []string
		want   float64
		check  func(got float64) bool // instead of want, when set
	}{
		{name: "delivered over all topics", metric: "kafkastore_delivered_total", want: float64(in.valid)},
		{name: "rejected for good", metric: "kafkastore_kafka_rejected_total", labels: []string{"topic", "big"}, want: float64(in.oversized)},
		{name: "retries", metric: "kafkastore_kafka_retries_total", want: 0},
		{name: "produce latency observed", metric: "kafkastore_produce_latency", check: func(got float64) bool { return got >= 1 }},
		{name: "queue drained", metric: "redis_list_queue_depth", labels: []string{"key", "q"}, want: 0},
		{name: "nothing left in processing lists", metric: "redis_list_processing_depth", labels: []string{"key", "q"}, want: 0},
		{name: "dead-letter depth", metric: "redis_list_depth", labels: []string{"key", "dead"}, want: dead},
		{name: "dead-lettered by the switch", metric: "output_sent", labels: []string{"label", "dead_letter"}, want: float64(in.invalid)},
		{name: "dead-lettered after a refusal", metric: "output_sent", labels: []string{"label", "kafka_rejected"}, want: float64(in.oversized)},
		{name: "event lag per converted line", metric: "kafkastore_event_lag", want: converted},
		{name: "device cache hits", metric: "device_cache_hits", check: func(got float64) bool { return got > 0 }},
		{name: "geoip lookups", metric: "geoip_lookups", want: converted},
		{name: "geoip misses", metric: "geoip_misses", check: func(got float64) bool { return got >= 0 && got < converted }},
		{name: "geoip database build date", metric: "geoip_database_build_timestamp", check: func(got float64) bool { return got > 1.5e9 }},
	}
	for topic, n := range in.byTopic {
		tests = append(tests, struct {
			name   string
			metric string
			labels []string
			want   float64
			check  func(got float64) bool
		}{name: "delivered to " + topic, metric: "kafkastore_delivered_total", labels: []string{"topic", topic}, want: float64(n)})
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			got, ok := m.sum(test.metric, test.labels...)
			if !ok {
				t.Fatalf("no series %s%v in /metrics", test.metric, test.labels)
			}
			if test.check != nil && !test.check(got) || test.check == nil && got != test.want {
				t.Errorf("%s%v = %v, want %v", test.metric, test.labels, got, test.want)
			}
		})
	}

	t.Run("cache hits and misses add up to the lines parsed", func(t *testing.T) {
		hits, _ := m.sum("device_cache_hits")
		misses, _ := m.sum("device_cache_misses")
		if hits+misses != converted {
			t.Errorf("device_cache_hits %v + device_cache_misses %v != %v", hits, misses, converted)
		}
	})
	t.Run("event lag histogram in seconds", func(t *testing.T) {
		h := m["kafkastore_event_lag"].GetMetric()[0].GetHistogram()
		mean := h.GetSampleSum() / float64(h.GetSampleCount())
		if lag := in.eventLagAt.Seconds(); mean < lag || mean > lag+30 {
			t.Errorf("mean event lag %vs, want about %vs", mean, lag)
		}
	})
}
