package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/redis/go-redis/v9"
	"github.com/redpanda-data/benthos/v4/public/service"
)

const (
	rliFieldKey             = "key"
	rliFieldTimeout         = "timeout"
	rliFieldCommand         = "command"
	rliFieldBatchSize       = "batch_size"
	rliFieldReliable        = "reliable"
	rliFieldReclaimInterval = "reclaim_interval"
	rliFieldHeartbeatTTL    = "heartbeat_ttl"
	rliFieldConsumerID      = "consumer_id"
	rliFieldMaxInFlight     = "max_in_flight"
	rliFieldDepthKeys       = "depth_keys"
	rliFieldDepthInterval   = "depth_interval"

	cmdBLPop = "blpop"
	cmdBRPop = "brpop"
)

func redisListInputSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Stable().
		Categories("Services").
		Summary("Pops messages from a Redis list in batches, by default crash-safely: nothing popped is lost if kafkastore dies before the batch is delivered.").
		Description(`A drop-in for the stock `+"`redis_list`"+` input: a stock config runs unchanged. Two extensions matter for throughput and safety.

### Batches
`+"`batch_size`"+` elements are popped in one round trip (`+"`LPOP key count`"+`) and delivered as one batch. The input blocks (`+"`timeout`"+` at a time) only when the list is empty, then takes whatever else is there with the woken element.

### Reliable delivery (default)
With `+"`reliable: true`"+` every batch is moved atomically (a Lua script that copies it server-side with `+"`SORT ... BY nosort LIMIT ... STORE`"+` and trims the queue, or `+"`BLMOVE`"+` while blocking) from the queue into a processing list owned by this consumer. Acknowledging the batch deletes that list (one O(1) round trip). On a clean shutdown, batches not yet acknowledged go back to the head of the queue in their original order. Each consumer refreshes a heartbeat key; at start and every `+"`reclaim_interval`"+` every consumer returns the processing lists of consumers whose heartbeat expired. Delivery is at-least-once: duplicates appear only after a crash or a network split.

Keys, for queue key `+"`K`"+` and consumer id `+"`ID`"+`; `+"`P`"+` is `+"`K`"+` itself when `+"`K`"+` has a hash tag (e.g. `+"`{clicks}`"+`), otherwise `+"`{K}`"+`, so every key hashes to the queue's cluster slot:

| key | type | what |
|---|---|---|
| `+"`K`"+` | list | the queue |
| `+"`P:consumers`"+` | set | ids of live and not yet reclaimed consumers |
| `+"`P:consumer:ID`"+` | string with TTL | heartbeat, refreshed every `+"`heartbeat_ttl`"+`/3 |
| `+"`P:consumer:ID:lists`"+` | set | processing lists owned by the consumer |
| `+"`P:processing:ID:N`"+` | list | the elements of one unacknowledged batch |

Reliable mode needs Redis 6.2 or later (LMOVE, LPOP with a count, Lua scripting). Under an ACL that refuses `+"`SORT`"+` (it is in `+"`@dangerous`"+`) the script falls back to popping through Lua, which costs the server about twice the CPU per element. Set `+"`reliable: false`"+` for the stock at-most-once behaviour: popped elements are lost if the process dies before delivering them.

### Nacks
With `+"`auto_replay_nacks: true`"+` (default) the input replays a nacked batch itself, without Benthos' generic wrapper and its per-message allocations: the whole batch is delivered again, built afresh from the popped elements, before any batch the input has not yet handed to the pipeline (batches popped later but already handed on, at most a few, may reach the output first, as with Benthos' wrapper: set the input's `+"`max_in_flight: 1`"+` when order must hold across failed writes too; a replay that falls due while the input waits on an empty list goes out when that wait ends, within `+"`timeout`"+`). In reliable mode its processing list stays in Redis until the replay is acknowledged, so a crash meanwhile loses nothing; in plain mode a clean shutdown pushes batches awaiting replay back to the queue head. With `+"`false`"+` a nack returns the batch to the head of the queue in reliable mode and drops it in plain mode, as the stock input does. Consecutive nacks pause reading (10ms doubling up to 1s) so a failing output does not spin the queue.

A lost connection makes the input reconnect with backoff; the outage is logged once.

### Depth metrics (extension)
Every `+"`depth_interval`"+` the input samples, in one pipelined round trip, the gauges `+"`redis_list_queue_depth{key}`"+` (elements waiting in the queue), `+"`redis_list_processing_depth{key}`"+` (reliable mode: elements in the processing lists of all of the queue's consumers, popped but not yet acknowledged) and `+"`redis_list_depth{key}`"+` for each of `+"`depth_keys`"+`. A failing sample is logged once and retried at the next interval.`).
		Fields(clientFields()...).
		Fields(
			service.NewStringField(rliFieldKey).
				Description("The key of the list to read from. In cluster mode a key with a `}` but no hash tag is rejected; write it with a hash tag.").
				Example("click_queue"),
			service.NewAutoRetryNacksToggleField(),
			service.NewInputMaxInFlightField(),
			service.NewDurationField(rliFieldTimeout).
				Description("How long one blocking pop waits for an element when the list is empty before trying again. Redis counts it in whole seconds (minimum 1s). A shutdown may wait this long for the pending pop.").
				Default("5s").
				Advanced(),
			service.NewStringEnumField(rliFieldCommand, cmdBLPop, cmdBRPop).
				Description("Which end of the list is its head: `blpop` pops from the left (pair with an `rpush` producer for FIFO), `brpop` from the right.").
				Default(cmdBLPop).
				Advanced(),
			service.NewIntField(rliFieldBatchSize).
				Description("Extension (not in the stock input): the most elements popped in one round trip and delivered as one batch. The default 1 keeps the stock one-message batches; hundreds give far higher throughput.").
				Default(1).
				LintRule(`root = if this < 1 || this > 100000 { [ "batch_size must be between 1 and 100000" ] }`),
			service.NewBoolField(rliFieldReliable).
				Description("Extension (not in the stock input): move popped elements into a processing list owned by this consumer until the batch is acknowledged, so a crash loses nothing (at-least-once). `false` gives the stock at-most-once pops.").
				Default(true),
			service.NewDurationField(rliFieldReclaimInterval).
				Description("Extension, reliable mode: how often this consumer returns the processing lists of consumers whose heartbeat expired to the queue. It also does so at every connect.").
				Default("15s").
				Advanced(),
			service.NewDurationField(rliFieldHeartbeatTTL).
				Description("Extension, reliable mode: how long a consumer counts as alive after its last heartbeat; heartbeats are sent every third of it. A consumer stalled longer than this (long GC pause, network split) has its batches redelivered to others.").
				Default("30s").
				Advanced(),
			service.NewStringField(rliFieldConsumerID).
				Description("Extension, reliable mode: this consumer's id in key names. Empty (default) uses `hostname-pid-random`, unique per start. A fixed id must never be shared by two running consumers.").
				Default("").
				Advanced(),
			service.NewStringListField(rliFieldDepthKeys).
				Description("Extension (not in the stock input): more lists whose length is sampled with the queue's, as the gauge `redis_list_depth{key}`, for example the dead-letter list. In cluster mode they may live on any node.").
				Example([]string{"click_invalid"}).
				Default([]string{}).
				Advanced(),
			service.NewDurationField(rliFieldDepthInterval).
				Description("Extension (not in the stock input): how often the depth gauges are sampled (see Depth metrics). `0s` switches sampling off.").
				Default("10s").
				Advanced(),
		).
		Example("Batched crash-safe queue", "Pop up to 500 tracker lines per round trip from a queue fed with RPUSH.", `
input:
  redis_list:
    url: redis://localhost:6379
    key: click_queue
    batch_size: 500
`)
}

func init() {
	service.MustRegisterBatchInput("redis_list", redisListInputSpec(), newRedisListBatchInput)
}

// newRedisListBatchInput builds the input as registered, with max_in_flight.
// The input replays nacked batches itself (auto_replay_nacks): Benthos'
// generic wrapper would cost several allocations per message.
func newRedisListBatchInput(conf *service.ParsedConfig, mgr *service.Resources) (service.BatchInput, error) {
	in, err := newRedisListInputFromConfig(conf, mgr)
	if err != nil {
		return nil, err
	}
	maxInFlight, err := conf.FieldInt(rliFieldMaxInFlight)
	if err != nil {
		return nil, err
	}
	return service.InputBatchedWithMaxInFlight(maxInFlight, in), nil
}

// listInputConfig holds the plain settings of a redis_list input.
type listInputConfig struct {
	client          clientConfig
	key             string
	timeout         time.Duration
	head            queueSide
	batchSize       int
	reliable        bool
	replayNacks     bool
	reclaimInterval time.Duration
	heartbeatTTL    time.Duration
	consumerID      string
	depthKeys       []string
	depthInterval   time.Duration
}

func newRedisListInputFromConfig(conf *service.ParsedConfig, mgr *service.Resources) (*redisListInput, error) {
	var c listInputConfig
	var err error
	if c.client, err = clientConfigFromParsed(conf); err != nil {
		return nil, err
	}
	if c.key, err = conf.FieldString(rliFieldKey); err != nil {
		return nil, err
	}
	if c.timeout, err = conf.FieldDuration(rliFieldTimeout); err != nil {
		return nil, err
	}
	cmd, err := conf.FieldString(rliFieldCommand)
	if err != nil {
		return nil, err
	}
	if c.head, err = headForCommand(cmd); err != nil {
		return nil, err
	}
	if c.batchSize, err = conf.FieldInt(rliFieldBatchSize); err != nil {
		return nil, err
	}
	if c.reliable, err = conf.FieldBool(rliFieldReliable); err != nil {
		return nil, err
	}
	if c.replayNacks, err = conf.FieldBool(service.AutoRetryNacksToggleFieldName); err != nil {
		return nil, err
	}
	if c.reclaimInterval, err = conf.FieldDuration(rliFieldReclaimInterval); err != nil {
		return nil, err
	}
	if c.heartbeatTTL, err = conf.FieldDuration(rliFieldHeartbeatTTL); err != nil {
		return nil, err
	}
	if c.consumerID, err = conf.FieldString(rliFieldConsumerID); err != nil {
		return nil, err
	}
	if c.depthKeys, err = conf.FieldStringList(rliFieldDepthKeys); err != nil {
		return nil, err
	}
	if c.depthInterval, err = conf.FieldDuration(rliFieldDepthInterval); err != nil {
		return nil, err
	}
	r, err := newRedisListInput(c, mgr.Logger())
	if err != nil {
		return nil, err
	}
	r.withDepthMetrics(mgr.Metrics())
	return r, nil
}

func headForCommand(cmd string) (queueSide, error) {
	switch cmd {
	case cmdBLPop:
		return sideLeft, nil
	case cmdBRPop:
		return sideRight, nil
	}
	return "", fmt.Errorf("unknown command %q: use blpop or brpop", cmd)
}

// defaultConsumerID returns hostname-pid-random.
func defaultConsumerID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return host + "-" + strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(b[:])
}

// redisListInput pops batches from one list. ReadBatch and Connect are
// called from one goroutine; ack funcs run concurrently.
type redisListInput struct {
	conf   listInputConfig
	log    *service.Logger
	client redis.UniversalClient
	q      *reliableQueue // nil unless reliable

	seq       atomic.Uint64
	pops      uint64 // batches popped, numbering them in pop order
	blockList string // processing list reserved for the next blocking pop
	down      atomic.Bool
	nackPause atomic.Int64 // time.Duration to wait before the next pop

	popMu   sync.Mutex  // held by a reliable pop; Close takes it to leave
	closing atomic.Bool // set by Close: no pop starts after it

	mu         sync.Mutex
	inFlight   map[string]struct{}
	replays    []*popped // nacked batches awaiting redelivery, oldest pop first
	held       *popped   // popped while a replay was due: delivered next
	stop       chan struct{}
	done       chan struct{}
	acks       *acker      // reliable mode, once connected: background acknowledgements
	ackFailing atomic.Bool // the acker has logged a failure

	sampler    *depthSampler // nil: no depth metrics
	sampleStop chan struct{}
	sampleDone chan struct{}
}

func newRedisListInput(c listInputConfig, log *service.Logger) (*redisListInput, error) {
	if c.key == "" {
		return nil, errors.New("key must not be empty: name the list to read from")
	}
	if c.batchSize < 1 {
		return nil, fmt.Errorf("batch_size %d must be at least 1", c.batchSize)
	}
	client, err := c.client.build()
	if err != nil {
		return nil, err
	}
	r := &redisListInput{conf: c, log: log, client: client, inFlight: map[string]struct{}{}}
	if !c.reliable {
		return r, nil
	}
	if c.heartbeatTTL < 3*time.Millisecond || c.reclaimInterval <= 0 {
		return nil, fmt.Errorf("heartbeat_ttl (%v) and reclaim_interval (%v) must be positive", c.heartbeatTTL, c.reclaimInterval)
	}
	keys, err := newQueueKeys(c.key, c.client.kind == kindCluster)
	if err != nil {
		return nil, err
	}
	if c.consumerID == "" {
		c.consumerID = defaultConsumerID()
		r.conf.consumerID = c.consumerID
	}
	r.q = &reliableQueue{client: client, keys: keys, id: c.consumerID, head: c.head}
	return r, nil
}

// withDepthMetrics makes the input sample its depth gauges into m every
// depth_interval once connected. m may be nil.
func (r *redisListInput) withDepthMetrics(m *service.Metrics) {
	if m == nil || r.conf.depthInterval <= 0 {
		return
	}
	var keys *queueKeys
	if r.q != nil {
		keys = &r.q.keys
	}
	r.sampler = newDepthSampler(r.client, r.conf.key, keys, r.conf.depthKeys, m, r.log)
}

// Connect checks the server and, in reliable mode, announces this consumer,
// returns its own orphaned lists and those of dead consumers to the queue,
// and starts the heartbeat.
func (r *redisListInput) Connect(ctx context.Context) error {
	if err := r.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("pinging redis at %s: %w", redactURLs(r.conf.client.urls), err)
	}
	if r.q != nil {
		if err := r.q.heartbeat(ctx, r.conf.heartbeatTTL); err != nil {
			return fmt.Errorf("registering consumer %q: %w", r.q.id, err)
		}
		if err := r.returnOrphans(ctx); err != nil {
			return err
		}
		r.reclaim(ctx)
		r.startBackground()
	}
	r.startSampler()
	if r.down.CompareAndSwap(true, false) {
		r.log.Infof("Reconnected to redis list %q", r.conf.key)
	}
	return nil
}

// ReadBatch returns the next batch: a nacked batch due for replay first,
// then one popped from the list, blocking while the list is empty.
func (r *redisListInput) ReadBatch(ctx context.Context) (service.MessageBatch, service.AckFunc, error) {
	for {
		if r.q != nil || r.conf.replayNacks {
			r.waitAfterNack(ctx)
		}
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		if b := r.nextDue(); b != nil {
			return r.deliver(b)
		}
		b, err := r.pop(ctx)
		if err != nil {
			return nil, nil, r.readErr(ctx, err)
		}
		if b != nil {
			return r.deliver(r.replayBefore(b))
		}
	}
}

// pop pops the next batch from the list; nil when it stayed empty for
// timeout.
func (r *redisListInput) pop(ctx context.Context) (*popped, error) {
	var items []string
	var list string
	var err error
	if r.q != nil {
		items, list, err = r.popReliable(ctx)
	} else {
		items, err = r.popPlain(ctx)
	}
	if err != nil || len(items) == 0 {
		return nil, err
	}
	if list != "" {
		r.mu.Lock()
		r.inFlight[list] = struct{}{}
		r.mu.Unlock()
	}
	r.pops++
	return &popped{items: items, list: list, seq: r.pops}, nil
}

// deliver builds fresh messages from b's elements.
func (r *redisListInput) deliver(b *popped) (service.MessageBatch, service.AckFunc, error) {
	// Each message's content is its element's bytes, not a copy: Benthos
	// components must not modify the bytes a message holds (they set new
	// ones), and go-redis allocated each element on its own. Copying
	// every line again cost an allocation and a copy of the whole batch.
	batch := make(service.MessageBatch, len(b.items))
	for i, it := range b.items {
		batch[i] = service.NewMessage(unsafe.Slice(unsafe.StringData(it), len(it)))
	}
	if b.list == "" && !r.conf.replayNacks {
		return batch, func(context.Context, error) error { return nil }, nil
	}
	return batch, func(ctx context.Context, err error) error { return r.settle(ctx, b, err) }, nil
}

// popPlain pops without a processing list (reliable: false), as stock does.
func (r *redisListInput) popPlain(ctx context.Context) ([]string, error) {
	if r.conf.batchSize > 1 {
		items, err := r.popCount(ctx, r.conf.batchSize)
		if err != nil || len(items) > 0 {
			return items, err
		}
	}
	bpop := r.client.BLPop
	if r.conf.head == sideRight {
		bpop = r.client.BRPop
	}
	res, err := bpop(ctx, r.conf.timeout, r.conf.key).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil || len(res) < 2 {
		return nil, err
	}
	items := res[1:2]
	if r.conf.batchSize > 1 {
		// The woken element is already popped: deliver it even if this fails.
		more, _ := r.popCount(ctx, r.conf.batchSize-1)
		items = append(items, more...)
	}
	return items, nil
}

// popCount pops up to n elements from the head without blocking.
func (r *redisListInput) popCount(ctx context.Context, n int) ([]string, error) {
	pop := r.client.LPopCount
	if r.conf.head == sideRight {
		pop = r.client.RPopCount
	}
	items, err := pop(ctx, r.conf.key, n).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	return items, err
}

// readErr maps a pop error: connection trouble becomes ErrNotConnected,
// logged once per outage.
func (r *redisListInput) readErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if !isConnErr(err) {
		return fmt.Errorf("popping from redis list %q: %w", r.conf.key, err)
	}
	if r.down.CompareAndSwap(false, true) {
		r.log.Warnf("Lost connection to redis list %q, reconnecting: %v", r.conf.key, err)
	}
	return service.ErrNotConnected
}

// Close stops the heartbeat and, in reliable mode, returns every batch not
// yet acknowledged to the queue and unregisters this consumer. In plain
// mode it returns the nacked batches that await replay.
func (r *redisListInput) Close(ctx context.Context) error {
	r.mu.Lock()
	stop, done := r.stop, r.done
	r.stop = nil
	r.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
	r.stopSampler()
	if !r.conf.reliable {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if n, err := r.pushBackPlain(ctx); err != nil {
			r.log.Errorf("Returning %d undelivered elements to redis list %q: %v; they are lost", n, r.conf.key, err)
		}
	}
	if r.q != nil {
		r.mu.Lock()
		acks := r.acks
		r.mu.Unlock()
		if acks != nil {
			// Delete what was acknowledged before giving the rest back.
			acks.stop(5 * time.Second)
		}
		r.closing.Store(true)
		r.popMu.Lock() // wait for a pop under way (at most timeout)
		defer r.popMu.Unlock()
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := r.leave(ctx); err != nil {
			r.log.Errorf("Returning unacknowledged batches to redis list %q: %v; consumers will reclaim them after heartbeat_ttl", r.conf.key, err)
		}
	}
	return r.client.Close()
}
