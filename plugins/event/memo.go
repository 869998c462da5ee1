package event

import (
	"hash/maphash"
	"strings"
	"sync/atomic"

	"github.com/kafkastore/kafkastore/plugins/device"
)

// memoBits sets the size of a uaMemo: 2^12 slots.
const memoBits = 12

// uaMemo is a small lock-free direct-mapped cache in front of the shared
// device cache. A hit costs one hash and one string compare instead of the
// shared cache's shard lock, map lookup and LRU update, which is most of the
// cost of a classification once the cache is warm. A slot holds the last
// user agent stored in it; concurrent stores race harmlessly (last one
// wins) and a memo miss falls through to the shared cache, so answers are
// the shared cache's. It is safe for concurrent use.
type uaMemo struct {
	det   *device.Detector
	seed  maphash.Seed
	slots [1 << memoBits]atomic.Pointer[memoEntry]
}

type memoEntry struct {
	ua  string // a copy: never part of a batch's lines
	cls device.Classified
}

func newUAMemo(det *device.Detector) *uaMemo {
	return &uaMemo{det: det, seed: maphash.MakeSeed()}
}

// holds reports whether the memo has ua, without classifying it.
func (m *uaMemo) holds(ua string) bool {
	e := m.slots[maphash.String(m.seed, ua)&(1<<memoBits-1)].Load()
	return e != nil && e.ua == ua
}

// lookup classifies ua and reports whether the answer was cached, here or
// in the shared cache.
func (m *uaMemo) lookup(ua string) (device.Classified, bool) {
	if ua == "" {
		return m.det.Lookup(ua)
	}
	slot := &m.slots[maphash.String(m.seed, ua)&(1<<memoBits-1)]
	if e := slot.Load(); e != nil && e.ua == ua {
		return e.cls, true
	}
	cls, hit := m.det.Lookup(ua)
	if hit {
		// Seen before: worth a slot. A user agent seen once (the long
		// tail) costs no copy here.
		slot.Store(&memoEntry{ua: strings.Clone(ua), cls: cls})
	}
	return cls, hit
}
