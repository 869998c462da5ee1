package uamatch

// scratch is the per-call working memory, recycled through a sync.Pool so a
// parse allocates only its results.
type scratch struct {
	seen     []uint64 // bitset: literal ids found in the subject
	found    []int32  // the set bits of seen, to clear them cheaply
	cand     []uint64 // bitset: rule ids that may match
	buf      []byte   // template expansion
	triggers [][]int32
}

func newScratch(p *Parser) *scratch {
	return &scratch{
		seen:     make([]uint64, (len(p.triggers)+63)/64),
		cand:     make([]uint64, len(p.always)),
		triggers: p.triggers,
	}
}

// see records literal id and marks the rules it triggers as candidates.
func (sc *scratch) see(id int32) {
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
	}
	sc.found = sc.found[:0]
}

func (sc *scratch) has(id int32) bool {
	return sc.seen[id>>6]&(1<<(id&63)) != 0
}
