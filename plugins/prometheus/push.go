package prometheus

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus/push"
)

// startPusher sets up the Push Gateway client and, when an interval is set,
// the goroutine that pushes periodically until Close.
func (e *exporter) startPusher(cfg exporterConfig) {
	e.pushURL = cfg.PushURL
	e.pusher = push.New(cfg.PushURL, cfg.PushJobName).Gatherer(e.reg)
	if cfg.PushUsername != "" {
		e.pusher = e.pusher.BasicAuth(cfg.PushUsername, cfg.PushPassword)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.stopPush = cancel
	e.pushDone = make(chan struct{})
	if cfg.PushInterval <= 0 {
		close(e.pushDone)
		return
	}
	go e.pushLoop(ctx, cfg.PushInterval)
}

// pushLoop pushes every interval until ctx is cancelled. A failing gateway is
// logged when it starts failing and when it recovers, not on every push.
func (e *exporter) pushLoop(ctx context.Context, interval time.Duration) {
	defer close(e.pushDone)
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		err := e.push(ctx)
		switch {
		case err != nil && ctx.Err() != nil:
			return
		case err != nil && !failing:
			e.log.Errorf("Pushing metrics to %q: %v (further failures are not logged until a push succeeds)", e.pushURL, err)
		case err == nil && failing:
			e.log.Infof("Pushing metrics to %q succeeds again", e.pushURL)
		}
		failing = err != nil
	}
}

// push sends the whole registry to the gateway, replacing the job's metrics.
func (e *exporter) push(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, e.pushTimeout)
	defer cancel()
	return e.pusher.PushContext(ctx)
}
