package uamatch

import (
	"regexp"
	"regexp/syntax"
	"sync"
	"unicode/utf8"
)

// minLoosen is the smallest upper bound of a counted repetition worth
// loosening: Go expands x{n,m} into m copies of x, and a long run of them
// makes the compiled program too large for regexp's backtracker, so every
// such search falls back to the much slower NFA simulation.
const minLoosen = 5

// program is one regex as the matcher runs it: the exact expression and,
// when it has long counted repetitions of single characters, a loosened copy
// in which each x{n,m} (outside other repetitions) becomes a capturing
// x{n,}. Both compile on first use.
//
// Every match of the exact regex is a match of the loosened one, and among
// the matches the two share, the loosened regex prefers the same one (the
// repetition x{n,m} only stops offering choices after m copies). So when the
// loosened regex finds nothing, neither does the exact one; when its
// preferred match repeats each loosened x at most m times (the injected
// capture spans at most m runes, as x matches one rune) it is also the exact
// regex's preferred match, with the same submatches; only otherwise does the
// exact regex run.
type program struct {
	exact, loose lazyRegexp
	capMap       []int   // exact group -> loosened group (index 0 unused)
	limits       []limit // the injected groups
}

// limit bounds the runes captured by an injected group.
type limit struct {
	group, max int
}

// lazyRegexp compiles a validated expression on first use.
type lazyRegexp struct {
	once sync.Once
	expr string
	re   *regexp.Regexp
}

func (l *lazyRegexp) get() *regexp.Regexp {
	l.once.Do(func() {
		// The expression was parsed when the rule was built.
		l.re = regexp.MustCompile(l.expr)
	})
	return l.re
}

// newProgram prepares the exact expression expr and its loosened form l
// (see loosen), both wrapped by wrap.
func newProgram(expr string, l *loosened, wrap func(string) string) *program {
	p := &program{exact: lazyRegexp{expr: wrap(expr)}}
	if l != nil {
		p.loose.expr, p.capMap, p.limits = wrap(l.expr), l.capMap, l.limits
	}
	return p
}

// find returns the leftmost-first match of the exact regex in s with its
// submatches, as regexp's FindStringSubmatchIndex.
func (p *program) find(s string) []int {
	if p.limits == nil {
		return p.exact.get().FindStringSubmatchIndex(s)
	}
	m := p.loose.get().FindStringSubmatchIndex(s)
	if m == nil {
		return nil
	}
	for _, l := range p.limits {
		if a, b := m[2*l.group], m[2*l.group+1]; a >= 0 && b-a > l.max && utf8.RuneCountInString(s[a:b]) > l.max {
			return p.exact.get().FindStringSubmatchIndex(s)
		}
	}
	// Loosened group numbers only grow, so moving the exact groups down in
	// order never overwrites one still to be read.
	for g := 1; g < len(p.capMap); g++ {
		m[2*g], m[2*g+1] = m[2*p.capMap[g]], m[2*p.capMap[g]+1]
	}
	return m[:2*len(p.capMap)]
}

// loosened is a regex with its long counted repetitions loosened.
type loosened struct {
	expr   string
	capMap []int   // original group -> loosened group
	limits []limit // the injected groups
}

// loosen rewrites tree into its loosened form, or returns nil when it has
// nothing to loosen.
func loosen(tree *syntax.Regexp) *loosened {
	var bounds []int // by injected node order: max, or -1 for original groups
	var walk func(re *syntax.Regexp, inRepeat bool) *syntax.Regexp
	walk = func(re *syntax.Regexp, inRepeat bool) *syntax.Regexp {
		if re.Op == syntax.OpRepeat && !inRepeat && re.Max >= minLoosen && singleRune(re.Sub[0]) {
			max := re.Max
			re.Max = -1
			return &syntax.Regexp{Op: syntax.OpCapture, Sub: []*syntax.Regexp{re}, Cap: -max}
		}
		rep := inRepeat
		switch re.Op {
		case syntax.OpStar, syntax.OpPlus, syntax.OpRepeat:
			rep = true
		}
		for i, sub := range re.Sub {
			re.Sub[i] = walk(sub, rep)
		}
		return re
	}
	tree = walk(tree, false)
	// Number the groups as a re-parse of tree.String() will: in the order
	// of their opening parentheses, which is a pre-order walk.
	capMap := []int{0}
	var number func(re *syntax.Regexp)
	number = func(re *syntax.Regexp) {
		if re.Op == syntax.OpCapture {
			if re.Cap < 0 {
				bounds = append(bounds, -re.Cap)
			} else {
				bounds = append(bounds, -1)
				capMap = append(capMap, len(bounds))
			}
		}
		for _, sub := range re.Sub {
			number(sub)
		}
	}
	number(tree)
	var limits []limit
	for i, max := range bounds {
		if max >= 0 {
			limits = append(limits, limit{group: i + 1, max: max})
		}
	}
	if limits == nil {
		return nil
	}
	return &loosened{expr: tree.String(), capMap: capMap, limits: limits}
}

// singleRune reports whether re always matches exactly one rune.
func singleRune(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL, syntax.OpCharClass:
		return true
	case syntax.OpLiteral:
		return len(re.Rune) == 1
	}
	return false
}
