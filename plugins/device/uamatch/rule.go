package uamatch

import (
	"bytes"
	"fmt"
	"math/bits"
	"regexp"
	"strings"
)

// rule is one compiled uap-core regex with its replacement templates.
type rule struct {
	re   *regexp.Regexp
	req  cquery
	tmpl [5]template
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
	sc.buf = r.re.ExpandString(sc.buf[:0], t.s, ua, m)
	if trim {
		return string(bytes.TrimSpace(sc.buf))
	}
	return string(sc.buf)
}

// compileRule compiles expr exactly as uap-go does: flags, when set, become
// a "(?flags)" prefix.
func compileRule(expr, flags string) (*regexp.Regexp, *query, error) {
	if flags != "" {
		expr = fmt.Sprintf("(?%s)%s", flags, expr)
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, nil, fmt.Errorf("compiling regex %q: %w", expr, err)
	}
	q, err := requirement(expr)
	if err != nil {
		return nil, nil, fmt.Errorf("analysing regex %q: %w", expr, err)
	}
	return re, q, nil
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
		m := r.re.FindStringSubmatchIndex(ua)
		if m != nil && found(r, m) {
			return
		}
	}
}
