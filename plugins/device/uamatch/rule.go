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
	start    []int32
	atBegin  bool
	at0, atN *program
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
	c.start, c.atBegin = startSet(tree)
	l := loosen(tree) // rewrites tree
	if l != nil {
		if _, err := syntax.Parse(l.expr, syntax.Perl); err != nil {
			return nil, fmt.Errorf("loosening regex %q: %w", expr, err)
		}
	}
	c.re = newProgram(expr, l, func(s string) string { return s })
	if c.start != nil {
		c.at0 = newProgram(expr, l, func(s string) string { return `^(?:` + s + `)` })
		c.atN = newProgram(expr, l, func(s string) string { return `^(?s:.)(?:` + s + `)` })
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
		if r.start != nil && !sc.folded {
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
	if len(r.start) <= len(sc.found) {
		for _, id := range r.start {
			p.addStarts(sc, r, id)
		}
	} else {
		for _, id := range sc.found {
			if _, ok := slices.BinarySearch(r.start, id); ok {
				p.addStarts(sc, r, id)
			}
		}
	}
	slices.Sort(sc.starts)
	for i, s := range sc.starts {
		if i > 0 && s == sc.starts[i-1] {
			continue
		}
		if s == 0 {
			if m := r.at0.find(ua); m != nil {
				return m
			}
			continue
		}
		_, size := utf8.DecodeLastRuneInString(ua[:s])
		q := s - size
		m := r.atN.find(ua[q:])
		if m == nil {
			continue
		}
		for j := range m {
			if m[j] >= 0 {
				m[j] += q
			}
		}
		m[0] = s
		return m
	}
	return nil
}

// addStarts adds the start offsets of the occurrences of literal id.
func (p *Parser) addStarts(sc *scratch, r *rule, id int32) {
	for h := sc.head[id]; h >= 0; h = sc.hits[h].prev {
		s := int(sc.hits[h].end) + 1 - len(p.lits[id])
		if !r.atBegin || s == 0 {
			sc.starts = append(sc.starts, s)
		}
	}
}
