package ops

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	rediscomp "github.com/kafkastore/kafkastore/plugins/redis"
)

// Default key names, as in config/kafkastore.yaml.
const (
	DefaultQueueKey   = "click_queue"
	DefaultInvalidKey = "click_invalid"
	DefaultRedisURL   = "redis://127.0.0.1:6379/0"
)

// Keys names the lists the pipeline uses.
type Keys struct {
	Queue   string // the list trackers push to and redis_list pops from
	Invalid string // the dead-letter list
}

// processingPrefix is the prefix of the reliable redis_list input's keys for
// the queue: the queue itself when it has a hash tag, {queue} when it has no
// '}', and the queue as is otherwise (what plugins/redis does outside
// cluster mode).
func (k Keys) processingPrefix() string {
	q := k.Queue
	if hasHashTag(q) || strings.Contains(q, "}") {
		return q
	}
	return "{" + q + "}"
}

func (k Keys) consumersKey() string { return k.processingPrefix() + ":consumers" }

func (k Keys) ownedListsKey(id string) string {
	return k.processingPrefix() + ":consumer:" + id + ":lists"
}

// ProcessingPattern describes where the processing lists live, for humans.
func (k Keys) ProcessingPattern() string { return k.processingPrefix() + ":processing:*" }

func hasHashTag(key string) bool {
	open := strings.IndexByte(key, '{')
	if open < 0 {
		return false
	}
	return strings.IndexByte(key[open+1:], '}') > 0
}

// Dial connects to the Redis server at rawURL (redis:// or rediss://) and
// checks it answers. Errors name the URL with its password redacted.
func Dial(ctx context.Context, rawURL string) (redis.UniversalClient, error) {
	c, err := NewClient(rawURL)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("connecting to redis at %s: %w", RedactURL(rawURL), err)
	}
	return c, nil
}

// NewClient returns a client for the Redis server at rawURL (redis:// or
// rediss://) without connecting, for callers that outlive outages. Its
// errors never quote the URL, even when a password holds an unescaped '#',
// '/' or '?'.
func NewClient(rawURL string) (redis.UniversalClient, error) {
	opts, err := rediscomp.ParseURL(rawURL)
	if err != nil {
		if redacted := RedactURL(rawURL); redacted != rediscomp.MalformedURL {
			return nil, fmt.Errorf("parsing redis url %s: %w", redacted, err)
		}
		return nil, fmt.Errorf("parsing redis url: %w", err)
	}
	opts.ClientName = "kafkastore-ops"
	opts.MaxRetries = 1
	return redis.NewClient(opts), nil
}

// RedactURL returns rawURL with any password replaced by "xxxxx", or
// "<malformed url>" when it does not parse or a password is not
// percent-encoded.
func RedactURL(rawURL string) string { return rediscomp.RedactURL(rawURL) }

// listLen returns the length of the list at key, 0 when it does not exist,
// and a clear error when key holds another type.
func listLen(ctx context.Context, c redis.UniversalClient, key string) (int64, error) {
	n, err := c.LLen(ctx, key).Result()
	if err != nil {
		return 0, keyErr(ctx, c, key, "reading length of", err)
	}
	return n, nil
}

// keyErr explains a WRONGTYPE reply with the type the key holds, and wraps
// any other error with what was being done.
func keyErr(ctx context.Context, c redis.UniversalClient, key, doing string, err error) error {
	if strings.HasPrefix(err.Error(), "WRONGTYPE") {
		typ, terr := c.Type(ctx, key).Result()
		if terr == nil {
			return fmt.Errorf("%s %q: the key holds a %s, not a list: check the key name", doing, key, typ)
		}
	}
	return fmt.Errorf("%s %q: %w", doing, key, err)
}

// Processing counts the reliable input's processing lists of unacknowledged
// batches and their elements.
type Processing struct {
	Lists    int64
	Elements int64
}

// processing reads the consumer registry of the queue and the length of
// every registered processing list, in two pipelined round trips plus one
// for the registry.
func processing(ctx context.Context, c redis.UniversalClient, k Keys) (Processing, error) {
	var p Processing
	ids, err := c.SMembers(ctx, k.consumersKey()).Result()
	if err != nil {
		return p, fmt.Errorf("reading consumer registry %q: %w", k.consumersKey(), err)
	}
	if len(ids) == 0 {
		return p, nil
	}
	pipe := c.Pipeline()
	sets := make([]*redis.StringSliceCmd, len(ids))
	for i, id := range ids {
		sets[i] = pipe.SMembers(ctx, k.ownedListsKey(id))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return p, fmt.Errorf("reading processing lists of %d consumers: %w", len(ids), err)
	}
	pipe = c.Pipeline()
	var lens []*redis.IntCmd
	for _, s := range sets {
		for _, l := range s.Val() {
			lens = append(lens, pipe.LLen(ctx, l))
		}
	}
	if len(lens) == 0 {
		return p, nil
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return p, fmt.Errorf("reading processing list lengths: %w", err)
	}
	for _, l := range lens {
		if n := l.Val(); n > 0 {
			p.Lists++
			p.Elements += n
		}
	}
	return p, nil
}

// Depths are the lengths of the pipeline's lists at one moment.
type Depths struct {
	Queue      int64
	Processing Processing
	Invalid    int64
}

// ReadDepths returns the queue, processing and dead-letter depths.
func ReadDepths(ctx context.Context, c redis.UniversalClient, k Keys) (Depths, error) {
	var d Depths
	var err error
	if d.Queue, err = listLen(ctx, c, k.Queue); err != nil {
		return d, err
	}
	if d.Invalid, err = listLen(ctx, c, k.Invalid); err != nil {
		return d, err
	}
	if d.Processing, err = processing(ctx, c, k); err != nil {
		return d, err
	}
	return d, nil
}
