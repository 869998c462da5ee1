package ops

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Output labels of config/kafkastore.yaml whose output_sent counters count
// delivered and dead-lettered lines.
var (
	deliveredLabels    = []string{"kafka"}
	deadLetteredLabels = []string{"dead_letter", "kafka_rejected"}
)

// Gatherer is prometheus.Gatherer: a source of the process's own metrics.
type Gatherer = prometheus.Gatherer

// Throughput is what the pipeline moved, from its own metrics.
type Throughput struct {
	Known           bool    // false until two samples exist or when metrics are unavailable
	Delivered       float64 // lines per second produced to Kafka
	DeadLettered    float64 // lines per second written to the dead-letter list
	DeliveredTotal  float64 // since the process started
	DeadLetterTotal float64
	Err             error // why metrics are unavailable
}

type counterSample struct {
	at              time.Time
	delivered, dead float64
}

// rateTracker samples the output_sent counters and computes rates over the
// last rateWindow.
type rateTracker struct {
	g prometheus.Gatherer

	mu      sync.Mutex
	samples []counterSample
	err     error
}

const rateWindow = 30 * time.Second

func newRateTracker(g prometheus.Gatherer) *rateTracker { return &rateTracker{g: g} }

func (t *rateTracker) run(ctx context.Context, every time.Duration) {
	if t.g == nil {
		return
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		t.sample(time.Now())
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// sample gathers the counters once and keeps the samples of the window.
func (t *rateTracker) sample(now time.Time) {
	fams, err := t.g.Gather()
	s := counterSample{at: now}
	if err == nil {
		s.delivered, s.dead = sumOutputSent(fams, deliveredLabels), sumOutputSent(fams, deadLetteredLabels)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.err = err
	if err != nil {
		return
	}
	if n := len(t.samples); n > 0 && (s.delivered < t.samples[n-1].delivered || s.dead < t.samples[n-1].dead) {
		t.samples = t.samples[:0] // counters reset: a new exporter
	}
	i := 0
	for i < len(t.samples)-1 && now.Sub(t.samples[i].at) > rateWindow {
		i++
	}
	t.samples = append(t.samples[i:], s)
}

func (t *rateTracker) throughput() Throughput {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.g == nil {
		return Throughput{Err: fmt.Errorf("no metrics source")}
	}
	if t.err != nil {
		return Throughput{Err: t.err}
	}
	var th Throughput
	n := len(t.samples)
	if n == 0 {
		return th
	}
	first, last := t.samples[0], t.samples[n-1]
	th.DeliveredTotal, th.DeadLetterTotal = last.delivered, last.dead
	if dt := last.at.Sub(first.at).Seconds(); n > 1 && dt > 0 {
		th.Known = true
		th.Delivered = (last.delivered - first.delivered) / dt
		th.DeadLettered = (last.dead - first.dead) / dt
	}
	return th
}

// sumOutputSent adds up the output_sent counters whose label is one of labels.
func sumOutputSent(fams []*dto.MetricFamily, labels []string) float64 {
	var sum float64
	for _, f := range fams {
		if f.GetName() != "output_sent" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == "label" && slices.Contains(labels, lp.GetValue()) {
					sum += m.GetCounter().GetValue() + m.GetUntyped().GetValue()
				}
			}
		}
	}
	return sum
}

// ScrapeGatherer gathers metrics by fetching a Prometheus text exposition,
// such as this process's own /metrics endpoint on the Benthos HTTP server.
type ScrapeGatherer struct {
	URL    string
	Client *http.Client // nil means a client with a 2s timeout
}

// Gather fetches and parses the exposition.
func (s ScrapeGatherer) Gather() ([]*dto.MetricFamily, error) {
	c := s.Client
	if c == nil {
		c = &http.Client{Timeout: 2 * time.Second}
	}
	resp, err := c.Get(s.URL)
	if err != nil {
		return nil, fmt.Errorf("fetching metrics from %s: %w", s.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching metrics from %s: %s", s.URL, resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	m, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("parsing metrics from %s: %w", s.URL, err)
	}
	out := make([]*dto.MetricFamily, 0, len(m))
	for _, f := range m {
		out = append(out, f)
	}
	return out, nil
}
