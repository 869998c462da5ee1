package redis

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// queueKeys names every key the reliable redis_list input uses for one queue.
// All of them share the queue's cluster hash slot, so the Lua scripts that
// touch several of them at once run in cluster mode too.
type queueKeys struct {
	queue  string // the list trackers push to
	prefix string // hashes to the same slot as queue
}

// newQueueKeys derives the key prefix for queue. A queue with a hash tag
// (`{click_queue}`, `jobs{eu}`) keeps it, since anything appended to the key
// hashes like the key. A queue without one hashes as a whole, so the prefix
// wraps it in braces: `click_queue` gives `{click_queue}`, which Redis
// Cluster hashes exactly like `click_queue`. A key without a tag that holds a
// `}` (or an empty `{}`) cannot be wrapped; cluster mode rejects it.
func newQueueKeys(queue string, cluster bool) (queueKeys, error) {
	if queue == "" {
		return queueKeys{}, errors.New("key must not be empty")
	}
	if hasHashTag(queue) {
		return queueKeys{queue: queue, prefix: queue}, nil
	}
	if !strings.Contains(queue, "}") {
		return queueKeys{queue: queue, prefix: "{" + queue + "}"}, nil
	}
	if cluster {
		return queueKeys{}, fmt.Errorf("key %q contains '}' without a hash tag, so its processing lists cannot share its cluster slot: add a hash tag, e.g. {%s}", queue, strings.NewReplacer("{", "", "}", "").Replace(queue))
	}
	return queueKeys{queue: queue, prefix: queue}, nil
}

// hasHashTag reports whether Redis Cluster hashes key by a tag: a '{'
// followed later by a '}' with at least one byte between them.
func hasHashTag(key string) bool {
	open := strings.IndexByte(key, '{')
	if open < 0 {
		return false
	}
	end := strings.IndexByte(key[open+1:], '}')
	return end > 0
}

func (k queueKeys) consumers() string           { return k.prefix + ":consumers" }
func (k queueKeys) heartbeat(id string) string  { return k.prefix + ":consumer:" + id }
func (k queueKeys) ownedLists(id string) string { return k.prefix + ":consumer:" + id + ":lists" }
func (k queueKeys) processing(id string, seq uint64) string {
	return k.prefix + ":processing:" + id + ":" + strconv.FormatUint(seq, 10)
}

// popScript fills the processing list KEYS[2] up to ARGV[1] elements from
// the head (ARGV[2]: LEFT or RIGHT) of the queue KEYS[1], registers the list
// in the consumer's set KEYS[3] and the consumer ARGV[3] in the registry
// KEYS[4] (so that a list registered while the consumer is leaving is still
// found and reclaimed by others), and returns the list's length. The caller
// reads the list back with LRANGE in the same round trip (pop).
//
// An empty processing list is filled with SORT BY nosort LIMIT STORE, which
// copies the head's elements server-side in queue order, and LTRIM: no
// element passes through Lua, which would cost the server several times
// more (each becomes a Lua string). A list that already holds elements (a
// blocking pop's woken one) is topped up through Lua, since STORE would
// overwrite it; so is every list when SORT is refused (an ACL without
// @dangerous, where SORT belongs). It is idempotent: when go-redis retries it after a lost
// reply, the list is already full (or the queue empty), so the retry pops
// nothing and no popped element is ever missing from what is delivered.
var popScript = redis.NewScript(`
local have = redis.call('LLEN', KEYS[2])
local need = tonumber(ARGV[1]) - have
if need <= 0 then return have end
local got = 0
local copied = false
if have == 0 then
  local order = 'DESC'
  if ARGV[2] == 'LEFT' then order = 'ASC' end
  local n = redis.pcall('SORT', KEYS[1], 'BY', 'nosort', 'LIMIT', 0, need, order, 'STORE', KEYS[2])
  if type(n) == 'number' then
    copied, got = true, n
    if got > 0 and ARGV[2] == 'LEFT' then
      redis.call('LTRIM', KEYS[1], got, -1)
    elseif got > 0 then
      redis.call('LTRIM', KEYS[1], 0, -got - 1)
    end
  end
end
if not copied then
  local cmd = 'RPOP'
  if ARGV[2] == 'LEFT' then cmd = 'LPOP' end
  local items = redis.call(cmd, KEYS[1], need)
  if items then
    for i = 1, #items, 1000 do
      redis.call('RPUSH', KEYS[2], unpack(items, i, math.min(i + 999, #items)))
    end
    got = #items
  end
end
if got > 0 then
  redis.call('SADD', KEYS[3], KEYS[2])
  redis.call('SADD', KEYS[4], ARGV[3])
end
return have + got
`)

// ackScript deletes the processing lists KEYS[1..n-1] and unregisters them
// from the consumer's set KEYS[n].
var ackScript = redis.NewScript(`
local owned = KEYS[#KEYS]
for i = 1, #KEYS - 1 do
  redis.call('DEL', KEYS[i])
  redis.call('SREM', owned, KEYS[i])
end
return 1
`)

// returnScript gives processing lists back. KEYS are the queue, the owner's
// list set, the owner's heartbeat, the lists to return, then the consumer
// registry last; ARGV are the queue head (LEFT or RIGHT), the mode ("own" or
// "dead") and the owner's id. Each list is moved element by element from its
// tail to the queue head, which restores the original order, and is
// unregistered. In "dead" mode nothing happens (-1) while the owner's
// heartbeat lives, and an owner left with no lists leaves the registry. It
// returns the number of elements moved.
var returnScript = redis.NewScript(`
local nlists = #KEYS - 4
local registry = KEYS[#KEYS]
if ARGV[2] == 'dead' and redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
local moved = 0
for i = 4, 3 + nlists do
  while redis.call('LMOVE', KEYS[i], KEYS[1], 'RIGHT', ARGV[1]) do moved = moved + 1 end
  redis.call('SREM', KEYS[2], KEYS[i])
end
if ARGV[2] == 'dead' and redis.call('SCARD', KEYS[2]) == 0 then
  redis.call('SREM', registry, ARGV[3])
end
return moved
`)

// queueSide is the end of the queue a consumer pops from, the "head".
type queueSide string

const (
	sideLeft  queueSide = "LEFT"
	sideRight queueSide = "RIGHT"
)

// reliableQueue is the crash-safe consumer protocol on one queue for one
// consumer id, free of Benthos types.
type reliableQueue struct {
	client redis.UniversalClient
	keys   queueKeys
	id     string
	head   queueSide
}

// pop atomically fills the processing list up to n elements and returns
// its content; none when the queue and the list are empty. The script and
// the LRANGE that reads the list back go in one round trip.
func (q *reliableQueue) pop(ctx context.Context, list string, n int) ([]string, error) {
	keys := []string{q.keys.queue, list, q.keys.ownedLists(q.id), q.keys.consumers()}
	args := []any{n, string(q.head), q.id}
	items, err := q.popPipelined(ctx, keys, args)
	if err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
		if err = popScript.Load(ctx, q.client).Err(); err == nil {
			items, err = q.popPipelined(ctx, keys, args)
		}
	}
	return items, err
}

func (q *reliableQueue) popPipelined(ctx context.Context, keys []string, args []any) ([]string, error) {
	var items *redis.StringSliceCmd
	_, err := q.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		popScript.EvalSha(ctx, p, keys, args...)
		items = p.LRange(ctx, keys[1], 0, -1)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return items.Val(), nil
}

// blockingPop registers list, then blocks up to timeout for one element and
// moves it there (BLMOVE). Registering first means an element moved by a
// BLMOVE whose reply was lost is still found and returned later. The caller
// delivers the list's content (pop), not the returned element: a retried
// BLMOVE may have moved two.
func (q *reliableQueue) blockingPop(ctx context.Context, list string, timeout time.Duration) (string, bool, error) {
	if _, err := q.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.SAdd(ctx, q.keys.ownedLists(q.id), list)
		p.SAdd(ctx, q.keys.consumers(), q.id)
		return nil
	}); err != nil {
		return "", false, err
	}
	v, err := q.client.BLMove(ctx, q.keys.queue, list, string(q.head), string(sideRight), timeout).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	return v, err == nil, err
}

// ack drops processed batches, any number in one round trip, no LREM.
func (q *reliableQueue) ack(ctx context.Context, lists ...string) error {
	keys := append(lists[:len(lists):len(lists)], q.keys.ownedLists(q.id))
	return ackScript.Run(ctx, q.client, keys).Err()
}

// giveBack returns lists of this consumer to the head of the queue in their
// original order.
func (q *reliableQueue) giveBack(ctx context.Context, lists ...string) (int64, error) {
	if len(lists) == 0 {
		return 0, nil
	}
	sortNewestFirst(lists)
	keys := append([]string{q.keys.queue, q.keys.ownedLists(q.id), q.keys.heartbeat(q.id)}, lists...)
	keys = append(keys, q.keys.consumers())
	return returnScript.Run(ctx, q.client, keys, string(q.head), "own", q.id).Int64()
}

// ownLists returns every processing list registered to this consumer.
func (q *reliableQueue) ownLists(ctx context.Context) ([]string, error) {
	return q.client.SMembers(ctx, q.keys.ownedLists(q.id)).Result()
}

// heartbeat marks this consumer alive for ttl and (re)registers it.
func (q *reliableQueue) heartbeat(ctx context.Context, ttl time.Duration) error {
	_, err := q.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, q.keys.heartbeat(q.id), "1", ttl)
		p.SAdd(ctx, q.keys.consumers(), q.id)
		return nil
	})
	return err
}

// leave unregisters this consumer after its lists were returned.
func (q *reliableQueue) leave(ctx context.Context) error {
	_, err := q.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, q.keys.heartbeat(q.id))
		p.SRem(ctx, q.keys.consumers(), q.id)
		return nil
	})
	return err
}

// reclaimDead returns to the queue the processing lists of every registered
// consumer whose heartbeat has expired, and unregisters those consumers. It
// returns the number of elements returned.
func (q *reliableQueue) reclaimDead(ctx context.Context) (int64, error) {
	ids, err := q.client.SMembers(ctx, q.keys.consumers()).Result()
	if err != nil {
		return 0, err
	}
	var total int64
	for _, id := range ids {
		if id == q.id {
			continue
		}
		alive, err := q.client.Exists(ctx, q.keys.heartbeat(id)).Result()
		if err != nil {
			return total, err
		}
		if alive == 1 {
			continue
		}
		lists, err := q.client.SMembers(ctx, q.keys.ownedLists(id)).Result()
		if err != nil {
			return total, err
		}
		sortNewestFirst(lists)
		keys := append([]string{q.keys.queue, q.keys.ownedLists(id), q.keys.heartbeat(id)}, lists...)
		keys = append(keys, q.keys.consumers())
		n, err := returnScript.Run(ctx, q.client, keys, string(q.head), "dead", id).Int64()
		if err != nil {
			return total, fmt.Errorf("reclaiming lists of consumer %q: %w", id, err)
		}
		if n > 0 {
			total += n
		}
	}
	return total, nil
}

// sortNewestFirst orders processing lists by descending sequence number, so
// returning them one by one to the queue head leaves the oldest batch first.
func sortNewestFirst(lists []string) {
	seqOf := func(l string) uint64 {
		n, _ := strconv.ParseUint(l[strings.LastIndexByte(l, ':')+1:], 10, 64)
		return n
	}
	slices.SortFunc(lists, func(a, b string) int { return cmp.Compare(seqOf(b), seqOf(a)) })
}
