package uamatch

// keyLen is the length of the keys the automaton's DFA looks for: patterns
// are cut to their first keyLen bytes, and a key occurrence is extended to
// the longer patterns that begin with it by comparing the bytes that
// follow. Short keys keep the DFA small enough to stay in the CPU caches,
// which matters more than the comparisons.
const keyLen = 8

// automaton is an Aho-Corasick matcher compiled to a dense DFA over the
// folded byte alphabet (see foldRune). Bytes that occur in no pattern share
// one class, so the transition table stays small. States are numbered so
// that those where a key ends (theirs or a suffix's) come last, from
// firstOut on: the scan tests the state number, not a table. The table
// holds 16-bit states when they fit (delta16), halving its cache
// footprint, else 32-bit ones (delta).
type automaton struct {
	class    [256]byte // input byte -> alphabet class
	nclass   int
	delta    []uint32 // state*nclass+class -> next state
	delta16  []uint16 // delta, when every state fits in 16 bits
	firstOut uint32   // states from here on have an output or a dictionary link
	out      []int32  // state -> key ending here, or -1
	dictLink []uint32 // state -> nearest proper suffix state with an output, or 0
	keyPats  [][]int32
	keyLen   []int32 // key id -> its length
	pats     []string
}

// newAutomaton builds the matcher for patterns, which must be non-empty,
// distinct, folded strings. Pattern i is reported as id i.
func newAutomaton(patterns []string) *automaton {
	a := &automaton{pats: patterns}
	used := [256]bool{}
	keyID := map[string]int32{}
	var keys []string
	for id, p := range patterns {
		for i := 0; i < len(p); i++ {
			used[p[i]] = true
		}
		k := truncate(p, keyLen)
		kid, ok := keyID[k]
		if !ok {
			kid = int32(len(keys))
			keyID[k] = kid
			keys = append(keys, k)
			a.keyPats = append(a.keyPats, nil)
			a.keyLen = append(a.keyLen, int32(len(k)))
		}
		a.keyPats[kid] = append(a.keyPats[kid], int32(id))
	}
	a.nclass = 1 // class 0: bytes in no pattern
	for b := range 256 {
		if used[b] {
			a.class[b] = byte(a.nclass)
			a.nclass++
		}
	}
	for b := 'A'; b <= 'Z'; b++ {
		a.class[b] = a.class[b+'a'-'A']
	}

	// Trie with goto transitions; 0 means "no edge" (the root is never a
	// target of an edge).
	a.delta = make([]uint32, a.nclass)
	a.out = []int32{-1}
	for id, p := range keys {
		s := uint32(0)
		for i := 0; i < len(p); i++ {
			c := uint32(a.class[p[i]])
			next := a.delta[s*uint32(a.nclass)+c]
			if next == 0 {
				next = uint32(len(a.out))
				a.out = append(a.out, -1)
				a.delta = append(a.delta, make([]uint32, a.nclass)...)
				a.delta[s*uint32(a.nclass)+c] = next
			}
			s = next
		}
		a.out[s] = int32(id)
	}
	a.link()
	a.renumber()
	return a
}

// renumber moves the states with an output or a dictionary link after all
// the others, keeping the root at 0, and fills delta16 when it can.
func (a *automaton) renumber() {
	n := len(a.out)
	order := make([]uint32, 0, n) // new -> old
	for _, interesting := range []bool{false, true} {
		for s := range n {
			if (a.out[s] >= 0 || a.dictLink[s] != 0) == interesting {
				order = append(order, uint32(s))
			}
		}
		if !interesting {
			a.firstOut = uint32(len(order))
		}
	}
	newID := make([]uint32, n)
	for nw, old := range order {
		newID[old] = uint32(nw)
	}
	nc := a.nclass
	delta, out, dict := make([]uint32, len(a.delta)), make([]int32, n), make([]uint32, n)
	for nw, old := range order {
		for c := range nc {
			delta[nw*nc+c] = newID[a.delta[int(old)*nc+c]]
		}
		out[nw] = a.out[old]
		dict[nw] = newID[a.dictLink[old]]
	}
	a.delta, a.out, a.dictLink = delta, out, dict
	if n <= 1<<16 {
		a.delta16 = make([]uint16, len(delta))
		for i, t := range delta {
			a.delta16[i] = uint16(t)
		}
		a.delta = nil
	}
}

// link computes failure transitions breadth first and folds them into delta,
// turning the trie into a DFA, and records dictionary links.
func (a *automaton) link() {
	n := uint32(a.nclass)
	fail := make([]uint32, len(a.out))
	a.dictLink = make([]uint32, len(a.out))
	queue := make([]uint32, 0, len(a.out))
	for c := range n {
		if s := a.delta[c]; s != 0 {
			queue = append(queue, s)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		f := fail[s]
		if a.out[f] >= 0 {
			a.dictLink[s] = f
		} else {
			a.dictLink[s] = a.dictLink[f]
		}
		for c := range n {
			t := a.delta[s*n+c]
			if t == 0 {
				a.delta[s*n+c] = a.delta[f*n+c]
				continue
			}
			fail[t] = a.delta[f*n+c]
			queue = append(queue, t)
		}
	}
}

// scan feeds the folded form of s through the DFA and records every pattern
// occurrence in sc.
func (a *automaton) scan(s string, sc *scratch) {
	if a.delta16 != nil {
		scanWith(a, a.delta16, s, sc)
	} else {
		scanWith(a, a.delta, s, sc)
	}
}

func scanWith[T uint16 | uint32](a *automaton, delta []T, s string, sc *scratch) {
	n := uint32(a.nclass)
	state := uint32(0)
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b >= 0x80 {
			b = foldMultibyte(s, &i)
			sc.folded = sc.folded || b != 0x80
		}
		state = uint32(delta[state*n+uint32(a.class[b])])
		if state < a.firstOut {
			continue
		}
		if k := a.out[state]; k >= 0 {
			a.seeKey(k, s, i, sc)
		}
		for d := a.dictLink[state]; d != 0; d = a.dictLink[d] {
			a.seeKey(a.out[d], s, i, sc)
		}
	}
}

// seeKey records the patterns of key k, which ends at s[i]: the key itself
// when it is a pattern, and the longer patterns the text after it spells.
func (a *automaton) seeKey(k int32, s string, i int, sc *scratch) {
	kl := a.keyLen[k]
	for _, id := range a.keyPats[k] {
		end := i
		if p := a.pats[id]; len(p) > int(kl) {
			var ok bool
			if end, ok = extend(s, i+1, p[kl:]); !ok {
				continue
			}
		}
		sc.see(id, end)
		if int(kl) == i+1 && !sc.folded {
			// The key, so the pattern, starts at offset 0.
			sc.atZero = append(sc.atZero, id)
		}
	}
}

// extend reports whether the folded text of s from j starts with rest, and
// the offset of its last byte.
func extend(s string, j int, rest string) (int, bool) {
	for k := 0; k < len(rest); k, j = k+1, j+1 {
		if j >= len(s) {
			return 0, false
		}
		b := s[j]
		if b >= 0x80 {
			b = foldMultibyte(s, &j)
		} else if b >= 'A' && b <= 'Z' {
			b += 'a' - 'A'
		}
		if b != rest[k] {
			return 0, false
		}
	}
	return j - 1, true
}

// foldMultibyte folds the UTF-8 sequence starting at s[*i]: U+017F and
// U+212A become 's' and 'k' (advancing *i past them); any other non-ASCII
// byte becomes 0x80, which is in no pattern.
func foldMultibyte(s string, i *int) byte {
	j := *i
	switch {
	case s[j] == 0xC5 && j+1 < len(s) && s[j+1] == 0xBF:
		*i = j + 1
		return 's'
	case s[j] == 0xE2 && j+2 < len(s) && s[j+1] == 0x84 && s[j+2] == 0xAA:
		*i = j + 2
		return 'k'
	}
	return 0x80
}
