package redis

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redpanda-data/benthos/v4/public/service"
)

// Gauges the redis_list input samples every depth_interval. Benthos adds the
// input's `label` and `path` labels to each.
const (
	metricQueueDepth      = "redis_list_queue_depth"
	metricProcessingDepth = "redis_list_processing_depth"
	metricDepth           = "redis_list_depth"
	metricLabelKey        = "key"

	// minSampleTimeout and maxSampleTimeout bound one sample; within them
	// it may take depth_interval.
	minSampleTimeout = time.Second
	maxSampleTimeout = 5 * time.Second
)

// depthScript returns the length of the queue KEYS[1] and the summed length
// of every processing list registered by any consumer in the registry
// KEYS[2]; ARGV[1] is the key prefix. The lists it reads share the queue's
// hash slot, so it runs in cluster mode too. It only reads.
var depthScript = redis.NewScript(`
local processing = 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  for _, l in ipairs(redis.call('SMEMBERS', ARGV[1] .. ':consumer:' .. id .. ':lists')) do
    processing = processing + redis.call('LLEN', l)
  end
end
return {redis.call('LLEN', KEYS[1]), processing}
`)

// gaugeSetter is the part of *service.MetricGauge the sampler uses.
type gaugeSetter interface {
	Set(value int64, labelValues ...string)
}

// depthSampler samples list lengths into gauges with one pipelined round
// trip: the queue, in reliable mode the processing lists of all its
// consumers, and the extra depth_keys (a dead-letter list, say).
type depthSampler struct {
	client redis.UniversalClient
	queue  string
	keys   *queueKeys // nil: plain mode, no processing lists
	extra  []string
	log    *service.Logger

	queueDepth, processingDepth, depth gaugeSetter

	failing bool // a failure has been logged and no sample succeeded since
}

func newDepthSampler(client redis.UniversalClient, queue string, keys *queueKeys, extra []string, m *service.Metrics, log *service.Logger) *depthSampler {
	return &depthSampler{
		client: client, queue: queue, keys: keys, extra: extra, log: log,
		queueDepth:      m.NewGauge(metricQueueDepth, metricLabelKey),
		processingDepth: m.NewGauge(metricProcessingDepth, metricLabelKey),
		depth:           m.NewGauge(metricDepth, metricLabelKey),
	}
}

// sample reads every length in one pipeline and sets the gauges of those it
// got. It returns the first error.
func (s *depthSampler) sample(ctx context.Context) error {
	pipe := s.client.Pipeline()
	var both *redis.Cmd
	var queued *redis.IntCmd
	if s.keys != nil {
		both = depthScript.Eval(ctx, pipe, []string{s.queue, s.keys.consumers()}, s.keys.prefix)
	} else {
		queued = pipe.LLen(ctx, s.queue)
	}
	extra := make([]*redis.IntCmd, len(s.extra))
	for i, k := range s.extra {
		extra[i] = pipe.LLen(ctx, k)
	}
	_, err := pipe.Exec(ctx)
	if both != nil {
		if n, err := both.Int64Slice(); err == nil && len(n) == 2 {
			s.queueDepth.Set(n[0], s.queue)
			s.processingDepth.Set(n[1], s.queue)
		}
	} else if n, err := queued.Result(); err == nil {
		s.queueDepth.Set(n, s.queue)
	}
	for i, cmd := range extra {
		if n, err := cmd.Result(); err == nil {
			s.depth.Set(n, s.extra[i])
		}
	}
	return err
}

// run samples at once and then every interval until stop is closed. A
// failure is logged once until a sample succeeds again.
func (s *depthSampler) run(interval time.Duration, stop, done chan struct{}) {
	defer close(done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-stop
		cancel()
	}()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		sctx, scancel := context.WithTimeout(ctx, min(max(interval, minSampleTimeout), maxSampleTimeout))
		err := s.sample(sctx)
		scancel()
		switch {
		case ctx.Err() != nil:
			return
		case err != nil && !s.failing:
			s.failing = true
			s.log.Warnf("Sampling the depth of redis list %q and depth_keys %v: %v; retrying every %v", s.queue, s.extra, err, interval)
		case err == nil:
			s.failing = false
		}
		select {
		case <-stop:
			return
		case <-tick.C:
		}
	}
}

// startSampler starts depth sampling once, when metrics and depth_interval
// are set.
func (r *redisListInput) startSampler() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sampler == nil || r.conf.depthInterval <= 0 || r.sampleStop != nil {
		return
	}
	r.sampleStop, r.sampleDone = make(chan struct{}), make(chan struct{})
	go r.sampler.run(r.conf.depthInterval, r.sampleStop, r.sampleDone)
}

// stopSampler stops depth sampling and waits for it.
func (r *redisListInput) stopSampler() {
	r.mu.Lock()
	stop, done := r.sampleStop, r.sampleDone
	r.sampleStop = nil
	r.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
}
