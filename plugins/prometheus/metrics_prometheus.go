package prometheus

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/push"
	"github.com/redpanda-data/benthos/v4/public/service"
)

const (
	pmFieldUseHistogramTiming = "use_histogram_timing"
	pmFieldHistogramBuckets   = "histogram_buckets"
	pmFieldSummaryObjectives  = "summary_quantiles_objectives"
	pmFieldObjectiveQuantile  = "quantile"
	pmFieldObjectiveError     = "error"
	pmFieldAddProcessMetrics  = "add_process_metrics"
	pmFieldAddGoMetrics       = "add_go_metrics"
	pmFieldPushURL            = "push_url"
	pmFieldPushInterval       = "push_interval"
	pmFieldPushTimeout        = "push_timeout"
	pmFieldPushJobName        = "push_job_name"
	pmFieldPushBasicAuth      = "push_basic_auth"
	pmFieldPushBasicAuthUser  = "username"
	pmFieldPushBasicAuthPass  = "password"
	pmFieldFileOutputPath     = "file_output_path"

	defaultPushJobName = "benthos_push"
	defaultPushTimeout = "10s"
)

// defaultObjectives are the stock summary quantiles and their errors, in the
// order the docs show them.
var defaultObjectives = [][2]float64{{0.5, 0.05}, {0.9, 0.01}, {0.99, 0.001}}

func defaultSummaryObjectives() map[float64]float64 {
	m := make(map[float64]float64, len(defaultObjectives))
	for _, o := range defaultObjectives {
		m[o[0]] = o[1]
	}
	return m
}

func defaultObjectivesYAML() []any {
	l := make([]any, 0, len(defaultObjectives))
	for _, o := range defaultObjectives {
		l = append(l, map[string]any{pmFieldObjectiveQuantile: o[0], pmFieldObjectiveError: o[1]})
	}
	return l
}

func prometheusSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Stable().
		Summary("Host endpoints (`/metrics` and `/stats`) for Prometheus scraping.").
		Description(`
Serves every metric in the Prometheus text exposition format at `+"`/metrics`"+` (and `+"`/stats`"+`) on the Benthos HTTP server (`+"`http.address`"+`, default `+"`0.0.0.0:4195`"+`).

Metric and label names are sanitised to valid Prometheus names: every character outside `+"`[a-zA-Z0-9_:]`"+` (`+"`[a-zA-Z0-9_]`"+` for labels) becomes `+"`_`"+` and a leading digit gets a `+"`_`"+` prefix. A timer label named `+"`le`"+` or `+"`quantile`"+`, which Prometheus reserves, gets a `+"`_`"+` suffix. Timers are summaries of nanoseconds, or histograms of seconds with `+"`use_histogram_timing`"+`.

This is a drop-in replacement for the Redpanda Connect `+"`prometheus`"+` exporter: a stock config runs unchanged. kafkastore extensions are marked as such.`).
		Footnotes(`
## Push Gateway

When `+"`push_url`"+` is set, metrics are pushed to a [Prometheus Push Gateway](https://prometheus.io/docs/instrumenting/pushing/) when the pipeline shuts down and, when `+"`push_interval`"+` is set, periodically. Do not include the "/metrics/job/..." path in the push URL, it is built from `+"`push_job_name`"+`. If the gateway requires HTTP Basic Authentication set `+"`push_basic_auth`"+`.`).
		Fields(
			service.NewBoolField(pmFieldUseHistogramTiming).
				Description("Whether to export timing metrics as a histogram, if `false` a summary is used instead. Histogram timings are converted from nanoseconds into seconds to fit the bucket definitions; summaries stay in nanoseconds.").
				Advanced().Default(false),
			service.NewFloatListField(pmFieldHistogramBuckets).
				Description("Timing histogram buckets in seconds, strictly increasing. Empty means the client library's DefBuckets (5ms to 10s). Applies when `use_histogram_timing` is `true`.").
				Advanced().Default([]any{}),
			service.NewObjectListField(pmFieldSummaryObjectives,
				service.NewFloatField(pmFieldObjectiveQuantile).
					Description("Quantile to report, between 0 and 1.").
					Default(0.0),
				service.NewFloatField(pmFieldObjectiveError).
					Description("Permissible absolute error of the quantile, between 0 and 1: quantile `0.9` with error `0.01` reports a value whose true rank lies between 0.89 and 0.91.").
					Default(0.0),
			).
				Description("Quantiles reported by timing summaries. An empty list means the defaults. Applies when `use_histogram_timing` is `false`.").
				Advanced().
				Default(defaultObjectivesYAML()),
			service.NewBoolField(pmFieldAddProcessMetrics).
				Description("Whether to export process metrics such as CPU and memory usage in addition to Benthos metrics.").
				Advanced().Default(false),
			service.NewBoolField(pmFieldAddGoMetrics).
				Description("Whether to export Go runtime metrics such as GC pauses in addition to Benthos metrics.").
				Advanced().Default(false),
			service.NewURLField(pmFieldPushURL).
				Description("An optional [Push Gateway](#push-gateway) URL to push metrics to, such as `http://pushgateway:9091`. Empty means no pushes.").
				Advanced().Optional(),
			service.NewDurationField(pmFieldPushInterval).
				Description("The period between pushes to the Push Gateway. Empty means push only on shutdown.").
				Advanced().Optional(),
			service.NewDurationField(pmFieldPushTimeout).
				Description("kafkastore extension: the maximum time one push to the Push Gateway may take, including the final push on shutdown.").
				Advanced().Default(defaultPushTimeout),
			service.NewStringField(pmFieldPushJobName).
				Description("The job name metrics are pushed under.").
				Advanced().Default(defaultPushJobName),
			service.NewObjectField(pmFieldPushBasicAuth,
				service.NewStringField(pmFieldPushBasicAuthUser).
					Description("The Basic Authentication username. Empty means no authentication.").
					Default(""),
				service.NewStringField(pmFieldPushBasicAuthPass).
					Description("The Basic Authentication password.").
					Secret().Default(""),
			).Description("The Basic Authentication credentials for the Push Gateway.").Advanced(),
			service.NewStringField(pmFieldFileOutputPath).
				Description("An optional file path to write all metrics to, in the text exposition format, on shutdown. The file is replaced atomically.").
				Advanced().Default(""),
		).
		LintRule(`root = match {
  this.push_interval.or("") != "" && this.push_url.or("") == "" => [ "`+"`push_interval`"+` has no effect without `+"`push_url`"+`" ],
}`).
		Example("Scrape and push", "Serve `/metrics` for scraping and push to a gateway every 30 seconds and on shutdown.", `
metrics:
  prometheus:
    push_url: http://pushgateway:9091
    push_interval: 30s
    push_job_name: kafkastore
`)
}

func init() {
	service.MustRegisterMetricsExporter("prometheus", prometheusSpec(),
		func(conf *service.ParsedConfig, log *service.Logger) (service.MetricsExporter, error) {
			return newExporterFromConfig(conf, log)
		})
}

// exporter is the prometheus metrics exporter: one registry served over HTTP,
// optionally pushed to a gateway and written to a file on Close.
type exporter struct {
	log                *service.Logger
	reg                *prometheus.Registry
	handler            http.Handler
	useHistogramTiming bool
	histogramBuckets   []float64
	summaryObjectives  map[float64]float64

	mu       sync.Mutex
	families map[string]*family

	pusher      *push.Pusher
	pushURL     string
	pushTimeout time.Duration
	stopPush    context.CancelFunc
	pushDone    chan struct{}
	filePath    string

	closeOnce sync.Once
	closeErr  error
}

func newExporter(cfg exporterConfig, log *service.Logger) (*exporter, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	e := &exporter{
		log:                log,
		reg:                prometheus.NewRegistry(),
		useHistogramTiming: cfg.UseHistogramTiming,
		histogramBuckets:   cfg.HistogramBuckets,
		summaryObjectives:  cfg.SummaryObjectives,
		families:           map[string]*family{},
		filePath:           cfg.FileOutputPath,
		pushTimeout:        cfg.PushTimeout,
	}
	if len(e.histogramBuckets) == 0 {
		e.histogramBuckets = prometheus.DefBuckets
	}
	if len(e.summaryObjectives) == 0 {
		e.summaryObjectives = defaultSummaryObjectives()
	}
	e.handler = promhttp.HandlerFor(e.reg, promhttp.HandlerOpts{})
	if cfg.AddProcessMetrics {
		if err := e.reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
			return nil, fmt.Errorf("registering process metrics: %w", err)
		}
	}
	if cfg.AddGoMetrics {
		if err := e.reg.Register(collectors.NewGoCollector()); err != nil {
			return nil, fmt.Errorf("registering go metrics: %w", err)
		}
	}
	if cfg.PushURL != "" {
		e.startPusher(cfg)
	}
	return e, nil
}

// HandlerFunc serves the text exposition; Benthos mounts it at /metrics and
// /stats on its HTTP server.
func (e *exporter) HandlerFunc() http.HandlerFunc {
	return e.handler.ServeHTTP
}

// Close stops periodic pushes, then pushes once more and writes the file
// output when those are configured. Later calls return the first result.
func (e *exporter) Close(ctx context.Context) error {
	e.closeOnce.Do(func() {
		var errs []error
		if e.pusher != nil {
			e.stopPush()
			<-e.pushDone
			if err := e.push(ctx); err != nil {
				errs = append(errs, fmt.Errorf("pushing metrics to %q: %w", e.pushURL, err))
			}
		}
		if e.filePath != "" {
			if err := prometheus.WriteToTextfile(e.filePath, e.reg); err != nil {
				errs = append(errs, fmt.Errorf("writing metrics to file %q: %w", e.filePath, err))
			}
		}
		e.closeErr = errors.Join(errs...)
	})
	return e.closeErr
}
