package uamatch

import (
	"bytes"
	"fmt"
	"math/bits"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode/utf8"
)

// rule is one compiled uap-core regex with its replacement templates.
type rule struct {
	re   *program
	req  cquery
	tmpl [5]template

	// When start is set, every match begins with an occurrence of one of
	// these literal ids (at offset 0 only when atBegin), and at0 and atN are
	// re anchored at such an offset: at0 for offset 0, atN for a later one,
	// where it first consumes the preceding rune so that \b and ^ see the
	// same context as re does.
	start      []int32
	startBytes []byte // folded one-byte start literals, not in the automaton
	atBegin    bool
	at0, atN   *program

	// follow, when set, is a necessary condition on the text after a start
	// literal; dot, when set, means re is ^.{0,n}Y: start, follow, at0 and
	// atN are then Y's, and a match runs from offset 0 to Y's end.
	follow *follow
	dot    *dotPrefix

	// other, when set, finds where a match may begin other than at a start
	// string: its leftmost match (see partialStart).
	other *lazyRegexp
}

// template is a replacement string; static ones need no expansion.
type template struct {
	s      string
	expand bool
}

func newTemplate(s, def string) template {
	if s == "" {
		s = def
	}
	return template{s: s, expand: strings.Contains(s, "$")}
}

// value expands t against the match m of r on ua, as uap-go does with
// Regexp.ExpandString; trim applies strings.TrimSpace (device fields).
func (r *rule) value(sc *scratch, t template, ua string, m []int, trim bool) string {
	if !t.expand {
		if trim {
			return strings.TrimSpace(t.s)
		}
		return t.s
	}
	sc.buf = r.re.exact.get().ExpandString(sc.buf[:0], t.s, ua, m)
	if trim {
		return string(bytes.TrimSpace(sc.buf))
	}
	return string(sc.buf)
}

// compiled is a rule's regex in the forms the matcher uses.
type compiled struct {
	re, at0, atN *program
	req          *query
	start        []string
	atBegin      bool
	follow       *follow
	dot          *dotPrefix
	other        *lazyRegexp
}

// compileRule parses expr exactly as uap-go compiles it (flags, when set,
// become a "(?flags)" prefix) and derives its requirement, start set and
// loosened form. The regexes themselves compile on first use.
func compileRule(expr, flags string) (*compiled, error) {
	if flags != "" {
		expr = fmt.Sprintf("(?%s)%s", flags, expr)
	}
	tree, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, fmt.Errorf("compiling regex %q: %w", expr, err)
	}
	c := &compiled{req: toQuery(analyse(tree))}
	anchored := func(expr string, l *loosened) {
		c.at0 = newProgram(expr, l, func(s string) string { return `^(?:` + s + `)` })
		c.atN = newProgram(expr, l, func(s string) string { return `^(?s:.)(?:` + s + `)` })
	}
	if d := dotPrefixOf(tree); d != nil {
		if start, _ := startSet(d.y); start != nil {
			// render and loosen rewrite the trees they are given.
			fresh := func() *syntax.Regexp {
				t, _ := syntax.Parse(expr, syntax.Perl)
				return dotPrefixOf(t).y
			}
			c.start, c.follow = start, followOf(d.y, start)
			anchored(render(fresh()), loosen(fresh()))
			d.y = nil
			c.dot = d
		}
	}
	if c.dot == nil {
		c.start, c.atBegin = startSet(tree)
		if c.start == nil {
			if start, _ := partialStart(tree); start != nil {
				// render rewrites the tree it is given.
				fresh, _ := syntax.Parse(expr, syntax.Perl)
				_, other := partialStart(fresh)
				c.start, c.other = start, &lazyRegexp{expr: render(other)}
			}
		}
		if long := longStart(tree, c.start); long != nil {
			c.req = andQuery([]*query{c.req, exactQuery(long)})
			c.start = long
		} else {
			c.follow = followOf(tree, c.start)
		}
	}
	l := loosen(tree) // rewrites tree
	if l != nil {
		if _, err := syntax.Parse(l.expr, syntax.Perl); err != nil {
			return nil, fmt.Errorf("loosening regex %q: %w", expr, err)
		}
	}
	c.re = newProgram(expr, l, func(s string) string { return s })
	if c.start != nil && c.dot == nil {
		anchored(expr, l)
	}
	return c, nil
}

// cquery is a query with its literals replaced by automaton pattern ids.
type cquery struct {
	op   qop
	lit  int32
	subs []cquery
}

func (q *cquery) eval(sc *scratch) bool {
	switch q.op {
	case qLit:
		return sc.has(q.lit)
	case qAnd:
		for i := range q.subs {
			if !q.subs[i].eval(sc) {
				return false
			}
		}
		return true
	case qOr:
		for i := range q.subs {
			if q.subs[i].eval(sc) {
				return true
			}
		}
		return false
	}
	return true
}

// next returns the first candidate rule id in [from, end) whose requirement
// holds, or end.
func (p *Parser) next(sc *scratch, from, end int) int {
	for from < end {
		w := from >> 6
		word := sc.cand[w] >> (from & 63)
		if word == 0 {
			from = (w + 1) << 6
			continue
		}
		from += bits.TrailingZeros64(word)
		if from >= end {
			break
		}
		if p.rules[from].req.eval(sc) {
			return from
		}
		from++
	}
	return end
}

// match runs the candidate rules of [lo, hi) in order and calls found with
// each match until found reports true.
func (p *Parser) match(sc *scratch, ua string, lo, hi int, found func(r *rule, m []int) bool) {
	for i := p.next(sc, lo, hi); i < hi; i = p.next(sc, i+1, hi) {
		r := &p.rules[i]
		var m []int
		if r.at0 != nil && !sc.folded {
			m = p.findAnchored(sc, r, ua)
		} else {
			m = r.re.find(ua)
		}
		if m != nil && found(r, m) {
			return
		}
	}
}

// findAnchored returns r.re's leftmost-first match in ua by trying the
// anchored forms at the offsets where a start literal occurs, in order. A
// match can begin nowhere else, and from a given offset the anchored form
// prefers the same match as the unanchored search.
func (p *Parser) findAnchored(sc *scratch, r *rule, ua string) []int {
	sc.starts = sc.starts[:0]
	limit := len(ua)
	if r.dot != nil {
		limit = r.dot.limit(ua)
	}
	switch {
	case r.atBegin:
		for _, id := range sc.atZero {
			if _, ok := slices.BinarySearch(r.start, id); ok {
				r.addStart(sc, ua, 0, len(p.lits[id]), limit)
			}
		}
	case len(r.start) <= len(sc.found):
		for _, id := range r.start {
			p.addStarts(sc, r, id, ua, limit)
		}
	default:
		for _, id := range sc.found {
			if _, ok := slices.BinarySearch(r.start, id); ok {
				p.addStarts(sc, r, id, ua, limit)
			}
		}
	}
	for _, b := range r.startBytes {
		p.addByteStarts(sc, r, b, ua, limit)
	}
	if r.other != nil {
		return r.findPartial(sc, ua)
	}
	if len(sc.starts) == 0 {
		return nil
	}
	slices.Sort(sc.starts)
	if r.dot != nil && r.dot.greedy {
		slices.Reverse(sc.starts)
	}
	for i, s := range sc.starts {
		if i > 0 && s == sc.starts[i-1] {
			continue
		}
		if m := r.findAt(ua, s); m != nil {
			if r.dot != nil {
				m[0] = 0
			}
			return m
		}
	}
	return nil
}

// findPartial finishes findAnchored for a rule with a partial start set:
// the match begins at the first start offset where the anchored form
// matches, if that comes before the leftmost match of the other branches,
// else where those match.
func (r *rule) findPartial(sc *scratch, ua string) []int {
	loc := r.other.get().FindStringIndex(ua)
	slices.Sort(sc.starts)
	for _, s := range sc.starts {
		if loc != nil && s >= loc[0] {
			break
		}
		if m := r.findAt(ua, s); m != nil {
			return m
		}
	}
	if loc == nil {
		return nil
	}
	if m := r.findAt(ua, loc[0]); m != nil {
		return m
	}
	return r.re.find(ua) // unreachable: a branch matches at loc[0]
}

// findAt runs the anchored form of r at offset s of ua.
func (r *rule) findAt(ua string, s int) []int {
	if s == 0 {
		return r.at0.find(ua)
	}
	_, size := utf8.DecodeLastRuneInString(ua[:s])
	q := s - size
	m := r.atN.find(ua[q:])
	if m == nil {
		return nil
	}
	for j := range m {
		if m[j] >= 0 {
			m[j] += q
		}
	}
	m[0] = s
	return m
}

// addStarts adds the start offsets, up to limit, of the occurrences of
// literal id that pass r's follow check.
func (p *Parser) addStarts(sc *scratch, r *rule, id int32, ua string, limit int) {
	n := len(p.lits[id])
	for h := sc.head[id]; h >= 0; h = sc.hits[h].prev {
		end := int(sc.hits[h].end) + 1
		s := end - n
		r.addStart(sc, ua, s, end, limit)
	}
}

// addByteStarts adds the start offsets, up to limit, of the occurrences of
// the folded byte b that pass r's follow check.
func (p *Parser) addByteStarts(sc *scratch, r *rule, b byte, ua string, limit int) {
	for _, i := range sc.positions(ua, b) {
		if int(i) > limit || r.atBegin && i > 0 {
			break
		}
		r.addStart(sc, ua, int(i), int(i)+1, limit)
	}
}

// addStart adds the start offset s of a start literal ending before end,
// unless r cannot match there.
func (r *rule) addStart(sc *scratch, ua string, s, end, limit int) {
	if r.atBegin && s != 0 || s > limit {
		return
	}
	if r.follow != nil && !r.follow.ok(ua, end) {
		return
	}
	sc.starts = append(sc.starts, s)
}
