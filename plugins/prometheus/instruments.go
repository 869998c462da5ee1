package prometheus

import (
	"slices"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redpanda-data/benthos/v4/public/service"
)

const (
	helpCounter = "Benthos Counter metric"
	helpGauge   = "Benthos Gauge metric"
	helpTimer   = "Benthos Timing metric"
)

type familyKind int

const (
	kindCounter familyKind = iota
	kindGauge
	kindSummary
	kindHistogram
)

// family is one registered metric vector, shared by every component that asks
// for the same (sanitised) name with the same kind and label names.
type family struct {
	kind   familyKind
	labels []string
	vec    prometheus.Collector
}

// NewCounterCtor implements service.MetricsExporter.
func (e *exporter) NewCounterCtor(name string, labelKeys ...string) service.MetricsExporterCounterCtor {
	vec, ok := e.family(name, labelKeys, kindCounter, func(n string, l []string) prometheus.Collector {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: n, Help: helpCounter}, l)
	})
	if !ok {
		return func(...string) service.MetricsExporterCounter { return noopMetric{} }
	}
	cv := vec.(*prometheus.CounterVec)
	var last recent[service.MetricsExporterCounter]
	return func(labelValues ...string) service.MetricsExporterCounter {
		return last.get(labelValues, func() service.MetricsExporterCounter {
			c, ok := withLabelValues(cv.GetMetricWithLabelValues, labelValues)
			if !ok {
				return noopMetric{}
			}
			return counter{c}
		})
	}
}

// NewGaugeCtor implements service.MetricsExporter.
func (e *exporter) NewGaugeCtor(name string, labelKeys ...string) service.MetricsExporterGaugeCtor {
	vec, ok := e.family(name, labelKeys, kindGauge, func(n string, l []string) prometheus.Collector {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: n, Help: helpGauge}, l)
	})
	if !ok {
		return func(...string) service.MetricsExporterGauge { return noopMetric{} }
	}
	gv := vec.(*prometheus.GaugeVec)
	var last recent[service.MetricsExporterGauge]
	return func(labelValues ...string) service.MetricsExporterGauge {
		return last.get(labelValues, func() service.MetricsExporterGauge {
			g, ok := withLabelValues(gv.GetMetricWithLabelValues, labelValues)
			if !ok {
				return noopMetric{}
			}
			return gauge{g}
		})
	}
}

// NewTimerCtor implements service.MetricsExporter. Timers are summaries of
// nanoseconds, or histograms of seconds when use_histogram_timing is set, as
// in the stock exporter.
func (e *exporter) NewTimerCtor(name string, labelKeys ...string) service.MetricsExporterTimerCtor {
	kind, build := kindSummary, func(n string, l []string) prometheus.Collector {
		return prometheus.NewSummaryVec(prometheus.SummaryOpts{
			Name: n, Help: helpTimer, Objectives: e.summaryObjectives,
		}, l)
	}
	if e.useHistogramTiming {
		kind, build = kindHistogram, func(n string, l []string) prometheus.Collector {
			return prometheus.NewHistogramVec(prometheus.HistogramOpts{
				Name: n, Help: helpTimer, Buckets: e.histogramBuckets,
			}, l)
		}
	}
	vec, ok := e.family(name, labelKeys, kind, build)
	if !ok {
		return func(...string) service.MetricsExporterTimer { return noopMetric{} }
	}
	ov := vec.(interface {
		GetMetricWithLabelValues(...string) (prometheus.Observer, error)
	})
	seconds := e.useHistogramTiming
	var last recent[service.MetricsExporterTimer]
	return func(labelValues ...string) service.MetricsExporterTimer {
		return last.get(labelValues, func() service.MetricsExporterTimer {
			o, ok := withLabelValues(ov.GetMetricWithLabelValues, labelValues)
			if !ok {
				return noopMetric{}
			}
			if seconds {
				return secondsTimer{o}
			}
			return nanosTimer{o}
		})
	}
}

// family returns the vector registered under the sanitised name, creating and
// registering it on first use. It reports false, after logging why, when the
// name is already taken by another kind or other label names.
func (e *exporter) family(name string, labelKeys []string, kind familyKind, build func(string, []string) prometheus.Collector) (prometheus.Collector, bool) {
	reserved := ""
	switch kind {
	case kindHistogram:
		reserved = "le"
	case kindSummary:
		reserved = "quantile"
	}
	pName, pLabels := sanitizeMetricName(name), sanitizeLabelNames(labelKeys, reserved)

	e.mu.Lock()
	defer e.mu.Unlock()
	if f, ok := e.families[pName]; ok {
		if f.kind != kind || !slices.Equal(f.labels, pLabels) {
			e.log.Errorf("Ignoring metric %q (exported as %q) with labels %v: the name is already used by another metric type or label set %v", name, pName, pLabels, f.labels)
			return nil, false
		}
		return f.vec, true
	}
	vec := build(pName, pLabels)
	if err := e.reg.Register(vec); err != nil {
		e.log.Errorf("Ignoring metric %q (exported as %q): registering: %v", name, pName, err)
		return nil, false
	}
	e.families[pName] = &family{kind: kind, labels: slices.Clone(pLabels), vec: vec}
	return vec, true
}

// withLabelValues returns the child metric for values. Values that are not
// valid UTF-8, which the client library rejects, are repaired and retried, so
// the common path validates them only once.
// recent remembers the instrument built for the last label values asked
// for. Benthos asks the constructor again on every increment or timing, so a
// component that records one series per message (the event lag timer) would
// otherwise pay the vector's label hashing, its lock and a boxing each time.
type recent[M any] struct {
	last atomic.Pointer[recentEntry[M]]
}

type recentEntry[M any] struct {
	labels []string
	m      M
}

func (r *recent[M]) get(labels []string, build func() M) M {
	if e := r.last.Load(); e != nil && slices.Equal(e.labels, labels) {
		return e.m
	}
	m := build()
	r.last.Store(&recentEntry[M]{labels: slices.Clone(labels), m: m})
	return m
}

func withLabelValues[M any](get func(...string) (M, error), values []string) (M, bool) {
	m, err := get(values...)
	if err != nil {
		m, err = get(validLabelValues(values)...)
	}
	return m, err == nil
}

type counter struct{ c prometheus.Counter }

// Incr adds count; negative counts are ignored because counters only go up.
func (c counter) Incr(count int64) {
	if count > 0 {
		c.c.Add(float64(count))
	}
}

// IncrFloat64 adds count; negative counts are ignored.
func (c counter) IncrFloat64(count float64) {
	if count > 0 {
		c.c.Add(count)
	}
}

type gauge struct{ g prometheus.Gauge }

func (g gauge) Set(value int64)          { g.g.Set(float64(value)) }
func (g gauge) SetFloat64(value float64) { g.g.Set(value) }

type nanosTimer struct{ o prometheus.Observer }

func (t nanosTimer) Timing(delta int64) { t.o.Observe(float64(delta)) }

type secondsTimer struct{ o prometheus.Observer }

func (t secondsTimer) Timing(delta int64) { t.o.Observe(float64(delta) / 1e9) }

// noopMetric stands in for a metric that could not be registered.
type noopMetric struct{}

func (noopMetric) Incr(int64)          {}
func (noopMetric) IncrFloat64(float64) {}
func (noopMetric) Set(int64)           {}
func (noopMetric) SetFloat64(float64)  {}
func (noopMetric) Timing(int64)        {}
