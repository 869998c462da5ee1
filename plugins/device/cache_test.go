package device

import (
	"fmt"
	"sync"
	"testing"
)

// sameShardKeys returns n keys that land in one shard of c.
func sameShardKeys(c *resultCache, n int) []string {
	byShard := map[*cacheShard][]string{}
	for i := 0; ; i++ {
		k := fmt.Sprintf("ua-%d", i)
		s := c.shard(k)
		byShard[s] = append(byShard[s], k)
		if len(byShard[s]) == n {
			return byShard[s]
		}
	}
}

func valueFor(key string) *classified {
	return newClassified(Result{DeviceName: key})
}

func TestResultCacheEviction(t *testing.T) {
	tests := []struct {
		name      string
		touch     bool // read the oldest key before the overflowing put
		wantKept  []int
		wantGone  []int
		shardSize int
	}{
		{name: "least recently put goes", wantKept: []int{1, 2}, wantGone: []int{0}, shardSize: 2},
		{name: "a read keeps a key", touch: true, wantKept: []int{0, 2}, wantGone: []int{1}, shardSize: 2},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			c := newResultCache(test.shardSize * cacheShards)
			keys := sameShardKeys(c, 3)
			c.put(keys[0], valueFor(keys[0]))
			c.put(keys[1], valueFor(keys[1]))
			if test.touch {
				if _, ok := c.get(keys[0]); !ok {
					t.Fatalf("%q missing before eviction", keys[0])
				}
			}
			c.put(keys[2], valueFor(keys[2]))
			for _, i := range test.wantKept {
				if v, ok := c.get(keys[i]); !ok || v.DeviceName != keys[i] {
					t.Errorf("%q: got %v, %v; want kept", keys[i], v, ok)
				}
			}
			for _, i := range test.wantGone {
				if _, ok := c.get(keys[i]); ok {
					t.Errorf("%q still cached, want evicted", keys[i])
				}
			}
		})
	}
}

func TestResultCacheBounded(t *testing.T) {
	c := newResultCache(100)
	for i := range 10000 {
		k := fmt.Sprint(i)
		c.put(k, valueFor(k))
	}
	perShard := (100 + cacheShards - 1) / cacheShards
	if got := c.len(); got > perShard*cacheShards || got < 100 {
		t.Errorf("len = %d, want between 100 and %d", got, perShard*cacheShards)
	}
	// Updating a key replaces its value without growing the cache.
	c.put("9999", valueFor("new"))
	if v, ok := c.get("9999"); !ok || v.DeviceName != "new" {
		t.Errorf("updated value: got %v, %v", v, ok)
	}
}

func TestResultCacheDisabled(t *testing.T) {
	c := newResultCache(0)
	c.put("a", valueFor("a"))
	if _, ok := c.get("a"); ok {
		t.Error("a disabled cache returned a value")
	}
	if c.len() != 0 {
		t.Errorf("len = %d, want 0", c.len())
	}
}

func TestResultCacheConcurrent(t *testing.T) {
	c := newResultCache(200)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 5000 {
				k := fmt.Sprint((i * (g + 1)) % 1000)
				if v, ok := c.get(k); ok {
					if v.DeviceName != k {
						t.Errorf("key %q holds %q", k, v.DeviceName)
						return
					}
					continue
				}
				c.put(k, valueFor(k))
			}
		})
	}
	wg.Wait()
	if got := c.len(); got > 208 {
		t.Errorf("len = %d, want at most 208", got)
	}
}
