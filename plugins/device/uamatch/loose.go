package uamatch

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
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
	return &loosened{expr: render(tree), capMap: capMap, limits: limits}
}

// placeholder is the first of the runes that stand for character classes
// while render prints a tree (plane 16, private use, absent from uap-core).
const placeholder = 0x100000

// render prints tree as syntax.Regexp.String does, but writes character
// classes itself: String works out whether each class is case-sensitive by
// folding every rune it holds, which for a class like [^;] costs
// milliseconds. A class is written as its exact ranges with case folding
// off, which matches the same runes wherever it stands.
func render(tree *syntax.Regexp) string {
	var classes []*syntax.Regexp
	var swap func(re *syntax.Regexp)
	swap = func(re *syntax.Regexp) {
		for i, sub := range re.Sub {
			if sub.Op == syntax.OpCharClass {
				re.Sub[i] = &syntax.Regexp{Op: syntax.OpLiteral, Rune: []rune{rune(placeholder + len(classes))}}
				classes = append(classes, sub)
				continue
			}
			swap(sub)
		}
	}
	if tree.Op == syntax.OpCharClass {
		tree = &syntax.Regexp{Op: syntax.OpConcat, Sub: []*syntax.Regexp{tree}}
	}
	swap(tree)
	s := tree.String()
	pairs := make([]string, 0, 2*len(classes))
	for i, c := range classes {
		var b strings.Builder
		b.WriteString("(?-i:[")
		for j := 0; j+1 < len(c.Rune); j += 2 {
			fmt.Fprintf(&b, `\x{%x}-\x{%x}`, c.Rune[j], c.Rune[j+1])
		}
		b.WriteString("])")
		pairs = append(pairs, fmt.Sprintf(`\x{%x}`, placeholder+i), b.String())
	}
	return strings.NewReplacer(pairs...).Replace(s)
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
