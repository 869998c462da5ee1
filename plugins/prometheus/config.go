package prometheus

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
)

// exporterConfig is the plain form of the prometheus exporter config.
type exporterConfig struct {
	UseHistogramTiming bool
	HistogramBuckets   []float64           // seconds; empty means prometheus.DefBuckets
	SummaryObjectives  map[float64]float64 // quantile to error; empty means the stock defaults
	AddProcessMetrics  bool
	AddGoMetrics       bool
	PushURL            string        // empty means no pushes
	PushInterval       time.Duration // zero means push on Close only
	PushTimeout        time.Duration
	PushJobName        string
	PushUsername       string
	PushPassword       string
	FileOutputPath     string // empty means no file
}

func newExporterFromConfig(conf *service.ParsedConfig, log *service.Logger) (*exporter, error) {
	var cfg exporterConfig
	var err error
	if cfg.UseHistogramTiming, err = conf.FieldBool(pmFieldUseHistogramTiming); err != nil {
		return nil, err
	}
	if cfg.HistogramBuckets, err = conf.FieldFloatList(pmFieldHistogramBuckets); err != nil {
		return nil, err
	}
	if cfg.SummaryObjectives, err = objectivesFromConfig(conf); err != nil {
		return nil, err
	}
	if cfg.AddProcessMetrics, err = conf.FieldBool(pmFieldAddProcessMetrics); err != nil {
		return nil, err
	}
	if cfg.AddGoMetrics, err = conf.FieldBool(pmFieldAddGoMetrics); err != nil {
		return nil, err
	}
	if cfg.PushURL, err = optionalString(conf, pmFieldPushURL); err != nil {
		return nil, err
	}
	if cfg.PushInterval, err = optionalDuration(conf, pmFieldPushInterval); err != nil {
		return nil, err
	}
	if cfg.PushTimeout, err = conf.FieldDuration(pmFieldPushTimeout); err != nil {
		return nil, err
	}
	if cfg.PushJobName, err = conf.FieldString(pmFieldPushJobName); err != nil {
		return nil, err
	}
	if cfg.PushUsername, err = conf.FieldString(pmFieldPushBasicAuth, pmFieldPushBasicAuthUser); err != nil {
		return nil, err
	}
	if cfg.PushPassword, err = conf.FieldString(pmFieldPushBasicAuth, pmFieldPushBasicAuthPass); err != nil {
		return nil, err
	}
	if cfg.FileOutputPath, err = conf.FieldString(pmFieldFileOutputPath); err != nil {
		return nil, err
	}
	return newExporter(cfg, log)
}

func objectivesFromConfig(conf *service.ParsedConfig) (map[float64]float64, error) {
	list, err := conf.FieldObjectList(pmFieldSummaryObjectives)
	if err != nil {
		return nil, err
	}
	objectives := make(map[float64]float64, len(list))
	for _, o := range list {
		q, err := o.FieldFloat(pmFieldObjectiveQuantile)
		if err != nil {
			return nil, err
		}
		if objectives[q], err = o.FieldFloat(pmFieldObjectiveError); err != nil {
			return nil, err
		}
	}
	return objectives, nil
}

// optionalString reads an optional string field, treating absence as "" so
// that stock configs that spell out `push_url: ""` keep working.
func optionalString(conf *service.ParsedConfig, field string) (string, error) {
	if !conf.Contains(field) {
		return "", nil
	}
	return conf.FieldString(field)
}

// optionalDuration reads an optional duration field, treating absence and ""
// as zero.
func optionalDuration(conf *service.ParsedConfig, field string) (time.Duration, error) {
	s, err := optionalString(conf, field)
	if err != nil || s == "" {
		return 0, err
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("parsing %s %q: %w", field, s, err)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%s must be a positive duration such as 30s, got %q", field, s)
	}
	return d, nil
}

// validate checks everything the client library would otherwise panic on or
// fail late with.
func (c *exporterConfig) validate() error {
	for i := 1; i < len(c.HistogramBuckets); i++ {
		if c.HistogramBuckets[i] <= c.HistogramBuckets[i-1] {
			return fmt.Errorf("%s must be strictly increasing, got %v", pmFieldHistogramBuckets, c.HistogramBuckets)
		}
	}
	for q, e := range c.SummaryObjectives {
		if q < 0 || q > 1 || e < 0 || e > 1 {
			return fmt.Errorf("%s: quantile %v with error %v is out of range, both must lie between 0 and 1", pmFieldSummaryObjectives, q, e)
		}
	}
	if c.PushInterval < 0 {
		return fmt.Errorf("%s must be a positive duration such as 30s, got %v", pmFieldPushInterval, c.PushInterval)
	}
	if c.PushURL != "" {
		if err := c.validatePush(); err != nil {
			return err
		}
	}
	if c.FileOutputPath != "" {
		dir := filepath.Dir(c.FileOutputPath)
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return fmt.Errorf("%s %q: directory %q does not exist", pmFieldFileOutputPath, c.FileOutputPath, dir)
		}
	}
	return nil
}

func (c *exporterConfig) validatePush() error {
	raw := c.PushURL
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw // as the push client does
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("parsing %s %q: %w", pmFieldPushURL, c.PushURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s %q must be an http or https URL with a host, such as http://pushgateway:9091", pmFieldPushURL, c.PushURL)
	}
	if strings.Contains(u.Path, "/metrics/job") {
		return fmt.Errorf("%s %q must not include the /metrics/job/... path, it is added from %s", pmFieldPushURL, c.PushURL, pmFieldPushJobName)
	}
	if c.PushJobName == "" {
		return errors.New(pmFieldPushJobName + " must not be empty when " + pmFieldPushURL + " is set")
	}
	if c.PushTimeout <= 0 {
		return fmt.Errorf("%s must be a positive duration such as 10s, got %v", pmFieldPushTimeout, c.PushTimeout)
	}
	return nil
}
