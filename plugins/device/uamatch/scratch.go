package uamatch

import "strings"

// scratch is the per-call working memory, recycled through a sync.Pool so a
// parse allocates only its results.
type scratch struct {
	seen     []uint64 // bitset: literal ids found in the subject
	found    []int32  // the set bits of seen, to clear them cheaply
	cand     []uint64 // bitset: rule ids that may match
	head     []int32  // literal id -> its last entry in hits, or -1
	hits     []hit    // every occurrence, chained per literal
	atZero   []int32  // literal ids found at offset 0
	folded   bool     // a multi-byte rune was folded: offsets are not byte offsets
	starts   []int    // start offsets tried for one rule
	buf      []byte   // template expansion
	bytePos  []int32  // offsets of one-byte start literals, by byteSpan
	byteSpan [256]struct{ lo, hi int32 }
	byteDone byteSet // the bytes whose offsets bytePos holds
	triggers [][]int32
	agent    Agent // handed out by Parser.Prepare
}

// hit is one occurrence of a literal: its last byte's offset and the
// literal's previous occurrence (an index into hits, or -1).
type hit struct {
	end, prev int32
}

func newScratch(p *Parser) *scratch {
	sc := &scratch{
		seen:     make([]uint64, (len(p.triggers)+63)/64),
		cand:     make([]uint64, len(p.always)),
		head:     make([]int32, len(p.triggers)),
		triggers: p.triggers,
	}
	for i := range sc.head {
		sc.head[i] = -1
	}
	return sc
}

// see records an occurrence of literal id ending at end and, the first
// time, marks the rules it triggers as candidates.
func (sc *scratch) see(id int32, end int) {
	sc.hits = append(sc.hits, hit{end: int32(end), prev: sc.head[id]})
	sc.head[id] = int32(len(sc.hits) - 1)
	w, bit := id>>6, uint64(1)<<(id&63)
	if sc.seen[w]&bit != 0 {
		return
	}
	sc.seen[w] |= bit
	sc.found = append(sc.found, id)
	for _, r := range sc.triggers[id] {
		sc.cand[r>>6] |= 1 << (r & 63)
	}
}

// reset forgets the literals found, ready for the next subject.
func (sc *scratch) reset() {
	for _, id := range sc.found {
		sc.seen[id>>6] = 0
		sc.head[id] = -1
	}
	sc.found = sc.found[:0]
	sc.hits = sc.hits[:0]
	sc.atZero = sc.atZero[:0]
	sc.folded = false
	sc.bytePos = sc.bytePos[:0]
	sc.byteDone = byteSet{}
}

// positions returns the offsets in ua of the folded byte b, found on the
// first request for b since the last reset.
func (sc *scratch) positions(ua string, b byte) []int32 {
	if sc.byteDone.has(b) {
		sp := sc.byteSpan[b]
		return sc.bytePos[sp.lo:sp.hi]
	}
	lo := len(sc.bytePos)
	if b >= 'a' && b <= 'z' {
		for i := range len(ua) {
			if lower(ua[i]) == b {
				sc.bytePos = append(sc.bytePos, int32(i))
			}
		}
	} else {
		for i := 0; ; {
			j := strings.IndexByte(ua[i:], b)
			if j < 0 {
				break
			}
			sc.bytePos = append(sc.bytePos, int32(i+j))
			i += j + 1
		}
	}
	sc.byteDone.add(b)
	sc.byteSpan[b].lo, sc.byteSpan[b].hi = int32(lo), int32(len(sc.bytePos))
	return sc.bytePos[lo:]
}

func (sc *scratch) has(id int32) bool {
	return sc.seen[id>>6]&(1<<(id&63)) != 0
}
