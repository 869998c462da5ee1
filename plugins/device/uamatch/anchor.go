package uamatch

import (
	"regexp/syntax"
	"slices"
	"strings"
	"unicode/utf8"
)

// byteSet is a set of bytes.
type byteSet [4]uint64

func (s *byteSet) add(b byte)      { s[b>>6] |= 1 << (b & 63) }
func (s *byteSet) has(b byte) bool { return s[b>>6]&(1<<(b&63)) != 0 }

func (s *byteSet) union(t *byteSet) {
	for i := range s {
		s[i] |= t[i]
	}
}

var allBytes = byteSet{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}

// addRune adds the folded byte of r when r is ASCII or folds to an ASCII
// letter. Other runes are left out: follow checks let every non-ASCII byte
// through.
func (s *byteSet) addRune(r rune) {
	if c, ok := foldRune(r); ok {
		s.add(c)
	}
}

// addRange adds the runes of lo-hi as addRune does.
func (s *byteSet) addRange(lo, hi rune) {
	for r := lo; r <= hi && r < utf8.RuneSelf; r++ {
		s.addRune(r)
	}
	for _, r := range []rune{0x17F, 0x212A} {
		if lo <= r && r <= hi {
			s.addRune(r)
		}
	}
}

// prefix summarises the first two runes of a regex's matches, folded:
// first holds the first bytes of its non-empty matches, second the second
// runes' first bytes of those two runes long or longer; single reports a
// match of exactly one rune and nullable an empty one. Only ASCII is
// tracked (follow checks let every non-ASCII byte through), and the sets
// may hold too much, never too little.
type prefix struct {
	first, second    byteSet
	nullable, single bool
}

var unknownPrefix = prefix{first: allBytes, second: allBytes, nullable: true, single: true}

func prefixOf(re *syntax.Regexp) prefix {
	var p prefix
	switch re.Op {
	case syntax.OpNoMatch:
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine,
		syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		p.nullable = true
	case syntax.OpLiteral:
		switch len(re.Rune) {
		case 0:
			p.nullable = true
		case 1:
			p.first.addRune(re.Rune[0])
			p.single = true
		default:
			p.first.addRune(re.Rune[0])
			p.second.addRune(re.Rune[1])
		}
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			p.first.addRange(re.Rune[i], re.Rune[i+1])
		}
		p.single = true
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		p.first, p.single = allBytes, true
	case syntax.OpCapture:
		return prefixOf(re.Sub[0])
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		return repeatPrefix(re)
	case syntax.OpConcat:
		p.nullable = true
		for _, sub := range re.Sub {
			p = concatPrefix(p, prefixOf(sub))
		}
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			q := prefixOf(sub)
			p.first.union(&q.first)
			p.second.union(&q.second)
			p.nullable = p.nullable || q.nullable
			p.single = p.single || q.single
		}
	default:
		return unknownPrefix
	}
	return p
}

// repeatPrefix is prefixOf for x*, x+, x? and x{n,m}.
func repeatPrefix(re *syntax.Regexp) prefix {
	p := prefixOf(re.Sub[0])
	if re.Op != syntax.OpQuest && !(re.Op == syntax.OpRepeat && re.Max == 1) {
		// Copies follow copies: treat the repetition as x followed by x.
		q := p
		q.nullable = true
		p = concatPrefix(p, q)
		p.single = p.single || q.single
	}
	p.nullable = p.nullable || re.Op == syntax.OpStar || re.Op == syntax.OpQuest ||
		re.Op == syntax.OpRepeat && re.Min == 0
	return p
}

// concatPrefix returns the prefix of a match of a followed by one of b.
func concatPrefix(a, b prefix) prefix {
	p := a
	if a.single {
		p.second.union(&b.first)
	}
	if a.nullable {
		p.first.union(&b.first)
		p.second.union(&b.second)
	}
	p.single = a.single && b.nullable || a.nullable && b.single
	p.nullable = a.nullable && b.nullable
	return p
}

// follow is a cheap necessary condition on what comes right after a start
// literal: up to gapMax (-1: any number, at least gapMin) copies of the
// byte gap, then the start of a match of the rest of the regex, described
// by first and second (see prefix; non-ASCII bytes always pass). Unless
// the rest can match a single rune, a second byte must follow.
type follow struct {
	gap            byte
	gapMin, gapMax int
	first, second  byteSet
	single         bool
}

// ok reports whether the text of ua from pos can continue a match.
func (f *follow) ok(ua string, pos int) bool {
	for k := 0; pos+k < len(ua); k++ {
		if k >= f.gapMin && f.fits(ua, pos+k) {
			return true
		}
		if k == f.gapMax || ua[pos+k] != f.gap {
			return false
		}
	}
	return false
}

// fits reports whether a match of the rest may begin at ua[i].
func (f *follow) fits(ua string, i int) bool {
	b := ua[i]
	if b >= utf8.RuneSelf {
		return true
	}
	if !f.first.has(lower(b)) {
		return false
	}
	if f.single {
		return true
	}
	if i+1 >= len(ua) {
		return false
	}
	b = ua[i+1]
	return b >= utf8.RuneSelf || f.second.has(lower(b))
}

func lower(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// followOf returns the follow check of re, whose start set is start, or
// nil when there is none (see splitStart).
func followOf(re *syntax.Regexp, start []string) *follow {
	sp := splitStart(re, start)
	if sp == nil {
		return nil
	}
	p := prefixOf(sp.rest)
	if p.nullable {
		return nil
	}
	return &follow{gap: sp.gap, gapMin: sp.gapMin, gapMax: sp.gapMax, first: p.first, second: p.second, single: p.single}
}

// startSplit is a regex cut after its start strings: an optional gap (up
// to gapMax copies of the byte gap, -1: any number, at least gapMin), then
// rest.
type startSplit struct {
	gap            byte
	gapMin, gapMax int
	rest           *syntax.Regexp
}

// splitStart cuts re after its start strings, or returns nil: re must be a
// concatenation whose leading exact elements are exactly the start strings
// (as concatStart computes them), optionally followed by a repeated ASCII
// non-letter.
func splitStart(re *syntax.Regexp, start []string) *startSplit {
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	if re.Op != syntax.OpConcat || start == nil {
		return nil
	}
	subs := re.Sub
	acc := []string{""}
	j := 0
	for ; j < len(subs); j++ {
		if subs[j].Op == syntax.OpBeginText && len(acc) == 1 && acc[0] == "" {
			continue
		}
		in := analyse(subs[j])
		if in.exact == nil || len(acc)*len(in.exact) > maxStart {
			break
		}
		acc = cross(acc, in.exact)
	}
	if !sameSet(acc, start) {
		return nil
	}
	sp := &startSplit{}
	if j < len(subs) {
		if g, lo, hi, ok := gapOf(subs[j]); ok {
			sp.gap, sp.gapMin, sp.gapMax = g, lo, hi
			j++
		}
	}
	sp.rest = &syntax.Regexp{Op: syntax.OpConcat, Sub: subs[j:]}
	return sp
}

// longStart extends short start strings (shorter than minStrong) across
// the gap and two bytes of the rest, when that set stays small: ";" before
// " {0,2}(K00[A-Z]|...)" becomes "; k0", ";k0", ";  k0"... Such strings are
// rare where a lone ";" is everywhere, which makes them better triggers and
// fewer start offsets.
func longStart(re *syntax.Regexp, start []string) []string {
	const minStrong, maxGap = 3, 3
	for _, s := range start {
		if len(s) >= minStrong {
			return nil
		}
	}
	sp := splitStart(re, start)
	if sp == nil || sp.gapMax > maxGap || sp.gapMax < 0 {
		return nil
	}
	rest := prefixSet(sp.rest, 2)
	if rest == nil || slices.Contains(rest, "") {
		return nil
	}
	var gaps []string
	for k := sp.gapMin; k <= sp.gapMax; k++ {
		gaps = append(gaps, strings.Repeat(string(rune(sp.gap)), k))
	}
	if sp.gapMax == 0 {
		gaps = []string{""}
	}
	if len(start)*len(gaps)*len(rest) > maxStart {
		return nil
	}
	return cross(cross(start, gaps), rest)
}

// gapOf recognises x*, x+, x? and x{n,m} of one ASCII non-letter x.
func gapOf(re *syntax.Regexp) (gap byte, lo, hi int, ok bool) {
	switch re.Op {
	case syntax.OpStar:
		lo, hi = 0, -1
	case syntax.OpPlus:
		lo, hi = 1, -1
	case syntax.OpQuest:
		lo, hi = 0, 1
	case syntax.OpRepeat:
		lo, hi = re.Min, re.Max
	default:
		return 0, 0, 0, false
	}
	sub := re.Sub[0]
	if sub.Op != syntax.OpLiteral || len(sub.Rune) != 1 || sub.Rune[0] >= 0x80 {
		return 0, 0, 0, false
	}
	r := sub.Rune[0]
	if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
		return 0, 0, 0, false
	}
	return byte(r), lo, hi, true
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// dotPrefix describes a rule of the form ^.{0,max}Y (or .{0,max}?, or .*):
// its matches all begin at offset 0, and Y begins at the largest (greedy)
// or smallest (lazy) offset s within the prefix where Y matches.
type dotPrefix struct {
	max    int  // runes the prefix may span, or -1 for any number
	nl     bool // the prefix cannot span a newline
	greedy bool
	y      *syntax.Regexp // Y, a fresh tree
}

// dotPrefixOf recognises ^.{0,max}Y in tree, with no capture in the
// prefix.
func dotPrefixOf(tree *syntax.Regexp) *dotPrefix {
	if tree.Op != syntax.OpConcat || len(tree.Sub) < 3 || tree.Sub[0].Op != syntax.OpBeginText {
		return nil
	}
	rep := tree.Sub[1]
	d := &dotPrefix{greedy: rep.Flags&syntax.NonGreedy == 0}
	switch {
	case rep.Op == syntax.OpRepeat && rep.Min == 0:
		d.max = rep.Max
	case rep.Op == syntax.OpStar:
		d.max = -1
	default:
		return nil
	}
	switch rep.Sub[0].Op {
	case syntax.OpAnyCharNotNL:
		d.nl = true
	case syntax.OpAnyChar:
	default:
		return nil
	}
	if len(tree.Sub) == 3 {
		d.y = tree.Sub[2]
	} else {
		d.y = &syntax.Regexp{Op: syntax.OpConcat, Flags: tree.Flags, Sub: tree.Sub[2:]}
	}
	return d
}

// limit returns the largest offset where Y may begin in ua.
func (d *dotPrefix) limit(ua string) int {
	if d.max < 0 && !d.nl {
		return len(ua)
	}
	i, n := 0, 0
	for i < len(ua) && (d.max < 0 || n < d.max) {
		if ua[i] == '\n' && d.nl {
			break
		}
		if ua[i] < 0x80 {
			i++
		} else {
			_, size := utf8.DecodeRuneInString(ua[i:])
			i += size
		}
		n++
	}
	return i
}
