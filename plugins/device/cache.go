package device

import (
	"hash/maphash"
	"sync"
)

// cacheShards is the number of independently locked parts of a
// resultCache; a power of two so a shard is picked with a mask.
const cacheShards = 16

// resultCache is a concurrency-safe LRU cache from user agent to its
// classification, split in cacheShards shards by a hash of the user agent
// so the pipeline threads rarely wait on the same lock. Each shard holds at
// most ceil(size/cacheShards) entries and evicts its least recently used
// one. Values are shared between callers and must not be modified.
type resultCache struct {
	seed   maphash.Seed
	shards [cacheShards]cacheShard
}

type cacheShard struct {
	mu    sync.Mutex
	items map[string]*cacheNode
	// root is the sentinel of a circular list, most recently used first.
	root cacheNode
	max  int
}

type cacheNode struct {
	key        string
	val        *classified
	prev, next *cacheNode
}

// newResultCache returns a cache of about size entries, or nil when size
// is not positive: a nil *resultCache caches nothing.
func newResultCache(size int) *resultCache {
	if size <= 0 {
		return nil
	}
	c := &resultCache{seed: maphash.MakeSeed()}
	perShard := (size + cacheShards - 1) / cacheShards
	for i := range c.shards {
		s := &c.shards[i]
		s.items = make(map[string]*cacheNode, perShard)
		s.root.prev, s.root.next = &s.root, &s.root
		s.max = perShard
	}
	return c
}

func (c *resultCache) shard(key string) *cacheShard {
	return &c.shards[maphash.String(c.seed, key)&(cacheShards-1)]
}

// get returns the cached value of key and marks it recently used.
func (c *resultCache) get(key string) (*classified, bool) {
	if c == nil {
		return nil, false
	}
	s := c.shard(key)
	s.mu.Lock()
	n, ok := s.items[key]
	if !ok {
		s.mu.Unlock()
		return nil, false
	}
	s.moveToFront(n)
	v := n.val
	s.mu.Unlock()
	return v, true
}

// put stores val under key, evicting the shard's least recently used entry
// when it is full. The evicted node is reused, so a full cache does not
// allocate.
func (c *resultCache) put(key string, val *classified) {
	if c == nil {
		return
	}
	s := c.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if n, ok := s.items[key]; ok {
		n.val = val
		s.moveToFront(n)
		return
	}
	var n *cacheNode
	if len(s.items) >= s.max {
		n = s.root.prev
		s.unlink(n)
		delete(s.items, n.key)
	} else {
		n = new(cacheNode)
	}
	n.key, n.val = key, val
	s.items[key] = n
	s.pushFront(n)
}

// len returns the number of cached entries.
func (c *resultCache) len() int {
	if c == nil {
		return 0
	}
	total := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		total += len(s.items)
		s.mu.Unlock()
	}
	return total
}

func (s *cacheShard) moveToFront(n *cacheNode) {
	if s.root.next == n {
		return
	}
	s.unlink(n)
	s.pushFront(n)
}

func (s *cacheShard) unlink(n *cacheNode) {
	n.prev.next = n.next
	n.next.prev = n.prev
	n.prev, n.next = nil, nil
}

func (s *cacheShard) pushFront(n *cacheNode) {
	n.prev = &s.root
	n.next = s.root.next
	s.root.next.prev = n
	s.root.next = n
}
