package uamatch

import "slices"

// builder collects rules and interns the literals of their requirements.
type builder struct {
	rules    []rule
	triggers [][]int32 // by literal id
	lits     []string
	litID    map[string]int32
	always   []int
}

func newBuilder() *builder {
	return &builder{litID: map[string]int32{}}
}

func (b *builder) add(expr, flags string, tmpl [5]template) error {
	c, err := compileRule(expr, flags)
	if err != nil {
		return err
	}
	id := int32(len(b.rules))
	r := rule{re: c.re, req: b.compile(c.req), tmpl: tmpl, atBegin: c.atBegin, at0: c.at0, atN: c.atN, follow: c.follow, dot: c.dot}
	for _, s := range c.start {
		r.start = append(r.start, b.intern(s))
	}
	slices.Sort(r.start)
	r.start = slices.Compact(r.start)
	b.rules = append(b.rules, r)
	trig := triggerSet(c.req)
	if trig == nil {
		b.always = append(b.always, int(id))
		return nil
	}
	for _, lit := range trig {
		l := b.intern(lit)
		b.triggers[l] = append(b.triggers[l], id)
	}
	return nil
}

func (b *builder) intern(lit string) int32 {
	if id, ok := b.litID[lit]; ok {
		return id
	}
	id := int32(len(b.lits))
	b.litID[lit] = id
	b.lits = append(b.lits, lit)
	b.triggers = append(b.triggers, nil)
	return id
}

func (b *builder) compile(q *query) cquery {
	switch q.op {
	case qLit:
		return cquery{op: qLit, lit: b.intern(q.lit)}
	case qAnd, qOr:
		c := cquery{op: q.op, subs: make([]cquery, len(q.subs))}
		for i, s := range q.subs {
			c.subs[i] = b.compile(s)
		}
		return c
	}
	return cquery{op: qAll}
}

func (b *builder) build() *Parser {
	p := &Parser{
		rules:    b.rules,
		triggers: b.triggers,
		always:   make([]uint64, (len(b.rules)+63)/64),
		ac:       newAutomaton(b.lits),
		lits:     b.lits,
	}
	for _, r := range b.always {
		p.always[r>>6] |= 1 << (r & 63)
	}
	return p
}

// triggerSet returns literals at least one of which occurs whenever q holds,
// or nil when q has no requirement. For an AND it picks the operand whose
// literals look rarest: the longest shortest literal, then the fewest.
func triggerSet(q *query) []string {
	switch q.op {
	case qLit:
		return []string{q.lit}
	case qOr:
		var set []string
		for _, s := range q.subs {
			t := triggerSet(s)
			if t == nil {
				return nil
			}
			set = union(set, t)
		}
		return set
	case qAnd:
		var best []string
		for _, s := range q.subs {
			t := triggerSet(s)
			if t != nil && (best == nil || betterTrigger(t, best)) {
				best = t
			}
		}
		return best
	}
	return nil
}

func betterTrigger(a, b []string) bool {
	minLen := func(set []string) int {
		return len(slices.MinFunc(set, func(x, y string) int { return len(x) - len(y) }))
	}
	if la, lb := minLen(a), minLen(b); la != lb {
		return la > lb
	}
	return len(a) < len(b)
}
