package prometheus

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/redpanda-data/benthos/v4/public/service"

	_ "github.com/redpanda-data/benthos/v4/public/components/pure"
)

// newTestExporter builds the exporter the way Benthos does, from YAML.
func newTestExporter(t *testing.T, yaml string) (*exporter, error) {
	t.Helper()
	conf, err := prometheusSpec().ParseYAML(yaml, nil)
	noErr(t, err)
	return newExporterFromConfig(conf, service.MockResources().Logger())
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// errContains fails unless err contains want, or is nil when want is "".
func errContains(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != "" && err == nil:
		t.Fatalf("no error, want one containing %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Fatalf("error %q does not contain %q", err, want)
	}
}

func scrape(t *testing.T, h http.Handler) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape status %d", rec.Code)
	}
	return rec.Body.String()
}

func assertLines(t *testing.T, body string, want, notWant []string) {
	t.Helper()
	lines := strings.Split(body, "\n")
	for _, w := range want {
		if !slices.Contains(lines, w) {
			t.Errorf("missing line %q in:\n%s", w, body)
		}
	}
	for _, n := range notWant {
		if strings.Contains(body, n) {
			t.Errorf("unexpected %q in:\n%s", n, body)
		}
	}
}

func TestStreamServesMetrics(t *testing.T) {
	sb := service.NewStreamBuilder()
	mux := http.NewServeMux()
	sb.SetHTTPMux(mux)
	noErr(t, sb.SetYAML(`
input:
  generate:
    count: 5
    interval: ""
    mapping: 'root = "abc"'
pipeline:
  processors:
    - metric:
        type: counter
        name: events.by-topic
        labels:
          topic: clicks
    - metric:
        type: gauge
        name: last_size
        value: '${! content().length() }'
output:
  drop: {}
metrics:
  prometheus: {}
logger:
  level: none
`))
	stream, err := sb.Build()
	noErr(t, err)
	noErr(t, stream.Run(t.Context()))

	body := scrape(t, mux)
	assertLines(t, body, []string{
		"# TYPE events_by_topic counter",
		`events_by_topic{label="",path="root.pipeline.processors.0",topic="clicks"} 5`,
		"# TYPE last_size gauge",
		`last_size{label="",path="root.pipeline.processors.1"} 3`,
		`input_received{label="",path="root.input"} 5`,
		"# TYPE output_latency_ns summary",
	}, nil)
	if !regexp.MustCompile(`(?m)^output_latency_ns\{label="",path="root.output",quantile="0.99"\} \d`).MatchString(body) {
		t.Errorf("no output latency quantile in:\n%s", body)
	}
	stats := scrape(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.URL.Path = "/stats"
		mux.ServeHTTP(w, r)
	}))
	if stats != body {
		t.Errorf("/stats differs from /metrics:\n%s", stats)
	}
}

func TestExporterScrape(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		record  func(e *exporter)
		want    []string
		notWant []string
	}{
		{
			name: "counters gauges and summary timers with labels",
			yaml: `{}`,
			record: func(e *exporter) {
				c := e.NewCounterCtor("kafka.produced-total", "topic", "2nd")
				c("clicks", "x").Incr(3)
				c("clicks", "x").(interface{ IncrFloat64(float64) }).IncrFloat64(0.5)
				c("views", "y").Incr(1)
				c("views", "y").Incr(-4) // ignored: counters only go up
				e.NewGaugeCtor("queue_depth")().Set(7)
				e.NewTimerCtor("proc_latency_ns", "quantile")("x").Timing(2_000_000)
			},
			want: []string{
				"# TYPE kafka_produced_total counter",
				`kafka_produced_total{_2nd="x",topic="clicks"} 3.5`,
				`kafka_produced_total{_2nd="y",topic="views"} 1`,
				"queue_depth 7",
				"# TYPE proc_latency_ns summary",
				`proc_latency_ns{quantile_="x",quantile="0.5"} 2e+06`,
				`proc_latency_ns{quantile_="x",quantile="0.9"} 2e+06`,
				`proc_latency_ns_sum{quantile_="x"} 2e+06`,
				`proc_latency_ns_count{quantile_="x"} 1`,
			},
			notWant: []string{"_bucket", "go_goroutines", "process_cpu_seconds_total"},
		},
		{
			name: "histogram timing in seconds with custom buckets",
			yaml: `
use_histogram_timing: true
histogram_buckets: [0.1, 0.3, 1]
`,
			record: func(e *exporter) {
				tm := e.NewTimerCtor("proc_latency_ns", "topic", "le")
				tm("clicks", "a").Timing(250_000_000)
				tm("clicks", "a").Timing(500_000_000)
			},
			want: []string{
				"# TYPE proc_latency_ns histogram",
				`proc_latency_ns_bucket{le_="a",topic="clicks",le="0.1"} 0`,
				`proc_latency_ns_bucket{le_="a",topic="clicks",le="0.3"} 1`,
				`proc_latency_ns_bucket{le_="a",topic="clicks",le="1"} 2`,
				`proc_latency_ns_bucket{le_="a",topic="clicks",le="+Inf"} 2`,
				`proc_latency_ns_sum{le_="a",topic="clicks"} 0.75`,
				`proc_latency_ns_count{le_="a",topic="clicks"} 2`,
			},
			notWant: []string{"quantile="},
		},
		{
			name: "custom summary objectives",
			yaml: `
summary_quantiles_objectives:
  - quantile: 0.75
    error: 0.01
`,
			record:  func(e *exporter) { e.NewTimerCtor("t")().Timing(10) },
			want:    []string{`t{quantile="0.75"} 10`, "t_count 1"},
			notWant: []string{`quantile="0.5"`},
		},
		{
			name: "conflicting names and bad label values do not panic",
			yaml: `{}`,
			record: func(e *exporter) {
				e.NewCounterCtor("dup", "a")("1").Incr(1)
				e.NewGaugeCtor("dup", "a")("1").Set(9)      // other type: dropped
				e.NewCounterCtor("dup", "b")("1").Incr(100) // other labels: dropped
				e.NewCounterCtor("dup", "a")("1").Incr(1)   // same family: shared
				e.NewCounterCtor("utf", "v")("bad\xff").Incr(1)
			},
			want: []string{`dup{a="1"} 2`, "utf{v=\"bad\uFFFD\"} 1"},
		},
		{
			name:   "go and process metrics",
			yaml:   "add_go_metrics: true\nadd_process_metrics: true",
			record: func(*exporter) {},
			want:   []string{"# TYPE go_goroutines gauge", "# TYPE process_cpu_seconds_total counter"},
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			e, err := newTestExporter(t, test.yaml)
			noErr(t, err)
			test.record(e)
			assertLines(t, scrape(t, e.HandlerFunc()), test.want, test.notWant)
			noErr(t, e.Close(t.Context()))
		})
	}
}

func TestFileOutputOnClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.prom")
	e, err := newTestExporter(t, "file_output_path: "+path)
	noErr(t, err)
	e.NewCounterCtor("events", "topic")("clicks").Incr(2)

	_, err = os.Stat(path)
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("file exists before Close: %v", err)
	}
	noErr(t, e.Close(t.Context()))

	b, err := os.ReadFile(path)
	noErr(t, err)
	assertLines(t, string(b), []string{`events{topic="clicks"} 2`}, nil)
}

// gateway is a fake Push Gateway recording every push.
type gateway struct {
	mu     sync.Mutex
	pushes []gatewayPush
	status int
	got    chan struct{}
}

type gatewayPush struct {
	method, path, user, pass string
	auth                     bool
	families                 map[string]*dto.MetricFamily
}

func newGateway(t *testing.T, status int) (*gateway, *httptest.Server) {
	g := &gateway{status: status, got: make(chan struct{}, 100)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := gatewayPush{method: r.Method, path: r.URL.Path, families: map[string]*dto.MetricFamily{}}
		p.user, p.pass, p.auth = r.BasicAuth()
		dec := expfmt.NewDecoder(r.Body, expfmt.ResponseFormat(r.Header))
		for {
			mf := &dto.MetricFamily{}
			if err := dec.Decode(mf); err != nil {
				if !errors.Is(err, io.EOF) {
					t.Errorf("decoding push body: %v", err)
				}
				break
			}
			p.families[mf.GetName()] = mf
		}
		g.mu.Lock()
		g.pushes = append(g.pushes, p)
		g.mu.Unlock()
		g.got <- struct{}{}
		w.WriteHeader(g.status)
	}))
	t.Cleanup(srv.Close)
	return g, srv
}

func (g *gateway) all() []gatewayPush {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]gatewayPush(nil), g.pushes...)
}

func TestPushGateway(t *testing.T) {
	g, srv := newGateway(t, http.StatusOK)
	e, err := newTestExporter(t, `
push_url: `+srv.URL+`
push_interval: 20ms
push_job_name: kafkastore_test
push_basic_auth:
  username: pusher
  password: s3cret
`)
	noErr(t, err)
	e.NewCounterCtor("events", "topic")("clicks").Incr(4)

	select {
	case <-g.got:
	case <-time.After(5 * time.Second):
		t.Fatal("no periodic push within 5s")
	}
	noErr(t, e.Close(t.Context()))
	noErr(t, e.Close(t.Context())) // idempotent

	pushes := g.all()
	if len(pushes) < 2 {
		t.Fatalf("got %d pushes, want periodic ones plus the one on Close", len(pushes))
	}
	for _, p := range pushes {
		if p.method != http.MethodPut || p.path != "/metrics/job/kafkastore_test" {
			t.Errorf("push %s %s, want PUT /metrics/job/kafkastore_test", p.method, p.path)
		}
		if !p.auth || p.user != "pusher" || p.pass != "s3cret" {
			t.Errorf("push basic auth %v %q %q, want pusher s3cret", p.auth, p.user, p.pass)
		}
	}
	last := pushes[len(pushes)-1].families["events"]
	if last == nil || len(last.GetMetric()) != 1 {
		t.Fatalf("events family not pushed as one series: %v", last)
	}
	if v := last.GetMetric()[0].GetCounter().GetValue(); v != 4 {
		t.Errorf("pushed events = %v, want 4", v)
	}
}

func TestPushOnCloseOnlyAndErrors(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		errContains string
	}{
		{name: "push once on close", status: http.StatusOK},
		{name: "gateway error is returned from Close", status: http.StatusInternalServerError, errContains: "pushing metrics to"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			g, srv := newGateway(t, test.status)
			e, err := newTestExporter(t, "push_url: "+srv.URL)
			noErr(t, err)
			e.NewGaugeCtor("g")().Set(1)
			err = e.Close(t.Context())
			errContains(t, err, test.errContains)
			pushes := g.all()
			if len(pushes) != 1 {
				t.Fatalf("got %d pushes, want 1", len(pushes))
			}
			if pushes[0].path != "/metrics/job/benthos_push" || pushes[0].auth {
				t.Errorf("push to %s with auth %v, want /metrics/job/benthos_push without auth", pushes[0].path, pushes[0].auth)
			}
		})
	}
}

func TestBadConfig(t *testing.T) {
	tests := []struct {
		name        string
		yaml        string
		errContains string
	}{
		{"negative push_interval", "push_url: http://gw:9091\npush_interval: -1s", "push_interval must be a positive duration"},
		{"zero push_interval", "push_url: http://gw:9091\npush_interval: 0s", "push_interval must be a positive duration"},
		{"unparsable push_interval", "push_url: http://gw:9091\npush_interval: soon", `parsing push_interval "soon"`},
		{"decreasing buckets", "histogram_buckets: [1, 0.5]", "histogram_buckets must be strictly increasing"},
		{"quantile above one", "summary_quantiles_objectives: [{quantile: 1.5, error: 0.01}]", "out of range"},
		{"non-http push_url", "push_url: ftp://gw/", "must be an http or https URL"},
		{"push_url with job path", "push_url: http://gw:9091/metrics/job/x", "must not include the /metrics/job"},
		{"empty job name", "push_url: http://gw:9091\npush_job_name: \"\"", "push_job_name must not be empty"},
		{"zero push_timeout", "push_url: http://gw:9091\npush_timeout: 0s", "push_timeout must be a positive duration"},
		{"file in missing directory", "file_output_path: /nonexistent/dir/m.prom", `directory "/nonexistent/dir" does not exist`},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			_, err := newTestExporter(t, test.yaml)
			if test.errContains == "" {
				t.Fatal("errContains must be set")
			}
			errContains(t, err, test.errContains)
		})
	}
}

// stockAdvancedConfig is the advanced example from the Redpanda Connect docs,
// with its empty optional fields spelled out.
const stockAdvancedConfig = `
use_histogram_timing: false
histogram_buckets: []
summary_quantiles_objectives:
  - error: 0.05
    quantile: 0.5
  - error: 0.01
    quantile: 0.9
  - error: 0.001
    quantile: 0.99
add_process_metrics: false
add_go_metrics: false
push_url: ""
push_interval: ""
push_job_name: benthos_push
push_basic_auth:
  username: ""
  password: ""
file_output_path: ""
`

func TestStockConfigRunsUnchanged(t *testing.T) {
	lints, err := service.GlobalEnvironment().FullConfigSchema("", "").NewStreamConfigLinter().
		LintYAML([]byte("metrics:\n  prometheus:\n" + indent(strings.TrimSpace(stockAdvancedConfig))))
	noErr(t, err)
	if len(lints) > 0 {
		t.Errorf("stock config lints: %v", lints)
	}
	e, err := newTestExporter(t, stockAdvancedConfig)
	noErr(t, err)
	if e.pusher != nil {
		t.Error("pusher set for an empty push_url")
	}
	if len(e.summaryObjectives) != 3 || e.summaryObjectives[0.99] != 0.001 {
		t.Errorf("objectives %v, want the stock defaults", e.summaryObjectives)
	}
	noErr(t, e.Close(t.Context()))
}

func TestLintRule(t *testing.T) {
	tests := []struct {
		name, yaml, lint string
	}{
		{"interval without url", "push_interval: 10s", "has no effect without"},
		{"interval with url", "push_url: http://gw:9091\npush_interval: 10s", ""},
		{"defaults", "{}", ""},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			yaml := "metrics:\n  prometheus:\n" + indent(test.yaml)
			lints, lerr := service.GlobalEnvironment().FullConfigSchema("", "").NewStreamConfigLinter().LintYAML([]byte(yaml))
			noErr(t, lerr)
			got := ""
			for _, l := range lints {
				got += l.Error()
			}
			if (test.lint == "") != (got == "") || !strings.Contains(got, test.lint) {
				t.Errorf("lints %q, want %q", got, test.lint)
			}
		})
	}
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ") + "\n"
}

func BenchmarkCounterWithIncr(b *testing.B) {
	conf, err := prometheusSpec().ParseYAML("{}", nil)
	if err != nil {
		b.Fatal(err)
	}
	e, err := newExporterFromConfig(conf, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctor := e.NewCounterCtor("events", "label", "path", "topic")
	b.ReportAllocs()
	for b.Loop() {
		ctor("", "root.pipeline.processors.0", "clicks").Incr(1)
	}
}
