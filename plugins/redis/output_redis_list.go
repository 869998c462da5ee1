package redis

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
	"github.com/redpanda-data/benthos/v4/public/service"
)

const (
	rloFieldKey      = "key"
	rloFieldBatching = "batching"
	rloFieldCommand  = "command"

	cmdRPush = "rpush"
	cmdLPush = "lpush"
)

func redisListOutputSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Stable().
		Categories("Services").
		Summary("Pushes messages onto a Redis list (created if missing) with RPUSH, one pipelined round trip per batch.").
		Description(`A drop-in for the stock `+"`redis_list`"+` output: a stock config runs unchanged. The field `+"`key`"+` supports interpolation, so each message may name its own list.

A batch is written in one pipelined round trip: consecutive messages with the same key go in one `+"`RPUSH`"+` (or `+"`LPUSH`"+`) with many values, so the order within a list is the batch order. A command the server rejects (e.g. the key holds another type) fails only the messages it carried; a lost connection fails the whole batch and the output reconnects, so a batch may be written twice (at-least-once).`).
		Fields(clientFields()...).
		Fields(
			service.NewInterpolatedStringField(rloFieldKey).
				Description("The key of the list each message is pushed to; interpolations give each message its own key.").
				Example("click_queue").
				Example(`${! meta("kafka_key") }`).
				Example(`dead_${! @kafka_topic }`),
			service.NewOutputMaxInFlightField(),
			service.NewBatchPolicyField(rloFieldBatching),
			service.NewStringEnumField(rloFieldCommand, cmdRPush, cmdLPush).
				Description("The command that pushes: `rpush` appends to the tail, `lpush` prepends to the head.").
				Default(cmdRPush).
				Advanced(),
		).
		Example("Dead-letter list", "Push the lines that failed processing, unchanged, to a dead-letter list.", `
output:
  redis_list:
    url: redis://localhost:6379
    key: click_queue_dead
    batching:
      count: 500
      period: 100ms
`)
}

func init() {
	service.MustRegisterBatchOutput("redis_list", redisListOutputSpec(),
		func(conf *service.ParsedConfig, mgr *service.Resources) (service.BatchOutput, service.BatchPolicy, int, error) {
			var pol service.BatchPolicy
			maxInFlight, err := conf.FieldMaxInFlight()
			if err != nil {
				return nil, pol, 0, err
			}
			if pol, err = conf.FieldBatchPolicy(rloFieldBatching); err != nil {
				return nil, pol, 0, err
			}
			out, err := newRedisListOutputFromConfig(conf, mgr)
			return out, pol, maxInFlight, err
		})
}

func newRedisListOutputFromConfig(conf *service.ParsedConfig, mgr *service.Resources) (*redisListOutput, error) {
	cc, err := clientConfigFromParsed(conf)
	if err != nil {
		return nil, err
	}
	key, err := conf.FieldInterpolatedString(rloFieldKey)
	if err != nil {
		return nil, err
	}
	cmd, err := conf.FieldString(rloFieldCommand)
	if err != nil {
		return nil, err
	}
	return newRedisListOutput(cc, key, cmd, mgr.Logger())
}

// redisListOutput pushes batches onto lists.
type redisListOutput struct {
	cc     clientConfig
	client redis.UniversalClient
	key    *service.InterpolatedString
	push   func(ctx context.Context, p redis.Pipeliner, key string, values []any) *redis.IntCmd
	log    *service.Logger
	down   atomic.Bool
}

func newRedisListOutput(cc clientConfig, key *service.InterpolatedString, cmd string, log *service.Logger) (*redisListOutput, error) {
	o := &redisListOutput{cc: cc, key: key, log: log}
	switch cmd {
	case cmdRPush:
		o.push = func(ctx context.Context, p redis.Pipeliner, k string, v []any) *redis.IntCmd {
			return p.RPush(ctx, k, v...)
		}
	case cmdLPush:
		o.push = func(ctx context.Context, p redis.Pipeliner, k string, v []any) *redis.IntCmd {
			return p.LPush(ctx, k, v...)
		}
	default:
		return nil, fmt.Errorf("unknown command %q: use rpush or lpush", cmd)
	}
	var err error
	if o.client, err = cc.build(); err != nil {
		return nil, err
	}
	return o, nil
}

// Connect checks the server answers.
func (o *redisListOutput) Connect(ctx context.Context) error {
	if err := o.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("pinging redis at %s: %w", redactURLs(o.cc.urls), err)
	}
	if o.down.CompareAndSwap(true, false) {
		o.log.Info("Reconnected to redis")
	}
	return nil
}

// pushGroup is one push command: the messages [from, to) of a batch.
type pushGroup struct {
	from, to int
	cmd      *redis.IntCmd
}

// WriteBatch pushes the batch in one pipelined round trip, one command per
// run of consecutive messages with the same key.
func (o *redisListOutput) WriteBatch(ctx context.Context, batch service.MessageBatch) error {
	var bErr *service.BatchError
	fail := func(i int, err error) {
		if bErr == nil {
			bErr = service.NewBatchError(batch, err)
		}
		bErr.Failed(i, err)
	}
	pipe := o.client.Pipeline()
	groups := make([]pushGroup, 0, 1)
	values := make([]any, 0, len(batch))
	curKey, start := "", -1
	flush := func(end int) {
		if start >= 0 && len(values) > 0 {
			groups = append(groups, pushGroup{from: start, to: end, cmd: o.push(ctx, pipe, curKey, values)})
			values = values[len(values):] // keep the queued values intact
		}
		start = -1
	}
	for i, msg := range batch {
		key, err := batch.TryInterpolatedString(i, o.key)
		if err != nil {
			flush(i)
			fail(i, fmt.Errorf("interpolating key: %w", err))
			continue
		}
		b, err := msg.AsBytes()
		if err != nil {
			flush(i)
			fail(i, fmt.Errorf("reading message: %w", err))
			continue
		}
		if start < 0 || key != curKey {
			flush(i)
			curKey, start = key, i
		}
		values = append(values, b)
	}
	flush(len(batch))
	if len(groups) == 0 {
		return batchErr(bErr)
	}
	if _, err := pipe.Exec(ctx); err != nil && isConnErr(err) {
		if o.down.CompareAndSwap(false, true) {
			o.log.Warnf("Lost connection to redis, reconnecting: %v", err)
		}
		return service.ErrNotConnected
	}
	for _, g := range groups {
		if err := g.cmd.Err(); err != nil {
			for i := g.from; i < g.to; i++ {
				fail(i, fmt.Errorf("pushing to %q: %w", g.cmd.Args()[1], err))
			}
		}
	}
	return batchErr(bErr)
}

// batchErr returns err as an error, nil when there is none.
func batchErr(err *service.BatchError) error {
	if err == nil {
		return nil
	}
	return err
}

// Close closes the client.
func (o *redisListOutput) Close(context.Context) error {
	if err := o.client.Close(); err != nil && !errors.Is(err, redis.ErrClosed) {
		return err
	}
	return nil
}
