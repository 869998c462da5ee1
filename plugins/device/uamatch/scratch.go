package uamatch

// scratch is the per-call working memory, recycled through a sync.Pool so a
// parse allocates only its results.
type scratch struct {
	seen     []uint64 // bitset: literal ids found in the subject
	found    []int32  // the set bits of seen, to clear them cheaply
	cand     []uint64 // bitset: rule ids that may match
	head     []int32  // literal id -> its last entry in hits, or -1
	hits     []hit    // every occurrence, chained per literal
	folded   bool     // a multi-byte rune was folded: offsets are not byte offsets
	starts   []int    // start offsets tried for one rule
	buf      []byte   // template expansion
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
	sc.folded = false
}

func (sc *scratch) has(id int32) bool {
	return sc.seen[id>>6]&(1<<(id&63)) != 0
}
