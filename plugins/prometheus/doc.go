// Package prometheus holds kafkastore's `prometheus` metrics exporter, a
// drop-in replacement for the Redpanda Connect exporter of the same name and
// fields, built on github.com/prometheus/client_golang.
//
// # Endpoints
//
// With `metrics: prometheus: {}` the Benthos HTTP server (`http.address`,
// default 0.0.0.0:4195) serves:
//
//	GET /metrics   every metric in the Prometheus text exposition format
//	GET /stats     the same, kept for compatibility
//
// # What is exported
//
//   - Counters and gauges as Prometheus counters and gauges, with their labels.
//   - Timers as summaries of nanoseconds with the quantiles of
//     summary_quantiles_objectives (default 0.5, 0.9, 0.99), or, with
//     use_histogram_timing, as histograms of seconds over histogram_buckets
//     (default prometheus.DefBuckets), as the stock exporter does.
//   - Process and Go runtime metrics when add_process_metrics and
//     add_go_metrics are set.
//
// Metric and label names are sanitised to valid Prometheus names (invalid
// characters become `_`, a leading digit gets a `_` prefix), so a custom
// `metric` processor name such as `events.by-topic` is exported as
// `events_by_topic`. A metric whose name is already used by another metric
// type or label set is logged and dropped rather than failing the pipeline.
//
// # Push Gateway and file output
//
// With push_url set, metrics are pushed (HTTP PUT, job push_job_name, default
// benthos_push, optional basic auth) every push_interval and once more on
// shutdown; each push is bounded by push_timeout (a kafkastore extension,
// default 10s). With file_output_path set, the text exposition is written
// atomically to that file on shutdown. Errors of the final push and file write
// are returned from Close, and so from the stream's Stop.
package prometheus
