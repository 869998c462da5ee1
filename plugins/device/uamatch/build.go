package uamatch

import "slices"

// builder collects rules and interns the literals of their requirements.
type builder struct {
	rules    []rule
	triggers [][]int32 // by literal id
	lits     []string
	litID    map[string]int32
	always   []int
	common   *commonness
}

func newBuilder() *builder {
	return &builder{litID: map[string]int32{}, common: newCommonness()}
}

func (b *builder) add(expr, flags string, tmpl [5]template) error {
	c, err := compileRule(expr, flags)
	if err != nil {
		return err
	}
	id := int32(len(b.rules))
	req := dropShort(c.req)
	r := rule{re: c.re, req: b.compile(b.order(req)), tmpl: tmpl, atBegin: c.atBegin, at0: c.at0, atN: c.atN, follow: c.follow, dot: c.dot, other: c.other}
	for _, s := range c.start {
		if len(s) < minLiteral {
			r.startBytes = append(r.startBytes, s[0])
			continue
		}
		if r.follow == nil {
			s = truncate(s, maxLiteral)
		}
		r.start = append(r.start, b.intern(s))
	}
	slices.Sort(r.start)
	r.start = slices.Compact(r.start)
	slices.Sort(r.startBytes)
	r.startBytes = slices.Compact(r.startBytes)
	b.rules = append(b.rules, r)
	trig := b.triggerSet(req)
	if trig == nil {
		b.always = append(b.always, int(id))
		return nil
	}
	for _, lit := range trig {
		l := b.intern(truncate(lit, maxLiteral))
		b.triggers[l] = append(b.triggers[l], id)
	}
	return nil
}

// minLiteral is the length of the shortest literal the automaton looks
// for. Single characters occur in nearly every user agent: as requirements
// they filter nothing, and as patterns they would cost a hit at most bytes
// of the scan. Requirements drop them; a rule that may start with one finds
// its occurrences itself when it runs (rule.startBytes).
const minLiteral = 2

// maxLiteral is the length of the longest literal the automaton looks for.
// Longer ones are cut to their first maxLiteral bytes, which occur wherever
// they do, so requirements and start strings stay necessary; the automaton
// stays small enough for the CPU caches. Start strings followed by a
// follow check keep their length: the check begins where they end.
var maxLiteral = 12

// dropShort weakens q by treating literals shorter than minLiteral as no
// requirement, which keeps it a necessary condition.
func dropShort(q *query) *query {
	switch q.op {
	case qLit:
		if len(q.lit) < minLiteral {
			return allQuery
		}
	case qAnd, qOr:
		subs := make([]*query, len(q.subs))
		for i, s := range q.subs {
			subs[i] = dropShort(s)
		}
		if q.op == qAnd {
			return andQuery(subs)
		}
		return orQuery(subs)
	}
	return q
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
		return cquery{op: qLit, lit: b.intern(truncate(q.lit, maxLiteral))}
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
// literals look rarest: the fewest common agents containing any of them,
// then the longest shortest literal, then the fewest literals.
func (b *builder) triggerSet(q *query) []string {
	switch q.op {
	case qLit:
		return []string{q.lit}
	case qOr:
		var set []string
		for _, s := range q.subs {
			t := b.triggerSet(s)
			if t == nil {
				return nil
			}
			set = union(set, t)
		}
		return set
	case qAnd:
		var best []string
		bestScore := 0
		for _, s := range q.subs {
			t := b.triggerSet(s)
			if t == nil {
				continue
			}
			score := b.common.score(t)
			if best == nil || score < bestScore || score == bestScore && betterTrigger(t, best) {
				best, bestScore = t, score
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

// order rewrites q so that evaluation stops early: an AND checks its
// rarest operands first, an OR its commonest first.
func (b *builder) order(q *query) *query {
	if q.op != qAnd && q.op != qOr {
		return q
	}
	type scored struct {
		q     *query
		score int
	}
	subs := make([]scored, len(q.subs))
	for i, s := range q.subs {
		s = b.order(s)
		subs[i] = scored{q: s, score: b.common.score(literals(s))}
	}
	slices.SortStableFunc(subs, func(x, y scored) int {
		if q.op == qAnd {
			return x.score - y.score
		}
		return y.score - x.score
	})
	out := &query{op: q.op, subs: make([]*query, len(subs))}
	for i, s := range subs {
		out.subs[i] = s.q
	}
	return out
}

// literals returns every literal in q.
func literals(q *query) []string {
	if q.op == qLit {
		return []string{q.lit}
	}
	var out []string
	for _, s := range q.subs {
		out = append(out, literals(s)...)
	}
	return out
}
