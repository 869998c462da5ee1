package main

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"os"
	"sync/atomic"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/kafkastore/kafkastore/plugins/ops"
)

// statusHooks starts the status page (plugins/ops) next to a running stream:
// the config is checked when the main config is parsed, so bad credentials
// stop kafkastore before it pops anything, and the page is served once the
// stream runs. lint, test and list never reach these hooks.
type statusHooks struct {
	ctx  context.Context // ends the page; nil serves until the process exits
	log  *service.Logger
	page *ops.StatusPage
	cfg  ops.StatusConfig
	url  atomic.Pointer[string] // where the page listens, once it does
}

var status statusHooks

// onLoggerInit keeps the service logger for the one line naming the URL.
func (h *statusHooks) onLoggerInit(l *service.Logger) { h.log = l }

// onConfigParse reads STATUS_* and builds the page; the process's own
// metrics are scraped from the Benthos HTTP server's /metrics.
func (h *statusHooks) onConfigParse(pConf *service.ParsedConfig) error {
	h.cfg = ops.StatusConfigFromEnv(os.LookupEnv)
	if !h.cfg.Enabled() {
		return nil
	}
	client, err := ops.NewClient(cmp.Or(os.Getenv("REDIS_URL"), ops.DefaultRedisURL))
	if err != nil {
		return fmt.Errorf("starting the status page: %w", err)
	}
	keys := ops.Keys{
		Queue:   cmp.Or(os.Getenv("QUEUE_KEY"), ops.DefaultQueueKey),
		Invalid: cmp.Or(os.Getenv("INVALID_KEY"), ops.DefaultInvalidKey),
	}
	var metrics ops.ScrapeGatherer
	if url := ownMetricsURL(pConf); url != "" {
		metrics.URL = url
	}
	h.page, err = ops.NewStatusPage(h.cfg, client, keys, metricsOrNil(metrics))
	if err != nil {
		return fmt.Errorf("starting the status page: %w", err)
	}
	return nil
}

func metricsOrNil(g ops.ScrapeGatherer) ops.Gatherer {
	if g.URL == "" {
		return nil
	}
	return g
}

// ownMetricsURL returns the /metrics URL of this process's HTTP server, or
// "" when it is off.
func ownMetricsURL(pConf *service.ParsedConfig) string {
	if pConf == nil {
		return ""
	}
	if on, err := pConf.FieldBool("http", "enabled"); err == nil && !on {
		return ""
	}
	addr, err := pConf.FieldString("http", "address")
	if err != nil || addr == "" {
		return ""
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/metrics"
}

// onStreamStart listens, logs the URL once and serves until the process
// exits.
func (h *statusHooks) onStreamStart(*service.RunningStreamSummary) error {
	if h.page == nil {
		return nil
	}
	ready := make(chan net.Addr, 1)
	failed := make(chan error, 1)
	ctx := h.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	go func() { failed <- h.page.Serve(ctx, func(a net.Addr) { ready <- a }) }()
	select {
	case err := <-failed:
		return err
	case addr := <-ready:
		url := h.page.URL(addr)
		h.url.Store(&url)
		msg := "Serving the status page at " + url
		if h.page.GeneratedToken() != "" {
			msg += " (token generated for this run: set STATUS_TOKEN to choose one)"
		}
		if h.log != nil {
			h.log.Info(msg)
		} else {
			fmt.Fprintln(os.Stderr, msg)
		}
	}
	go func() {
		if err := <-failed; err != nil && h.log != nil {
			h.log.Errorf("Status page stopped: %v", err)
		}
	}()
	return nil
}
