package uamatch

import (
	"regexp/syntax"
	"slices"
	"unicode/utf8"
)

// byteSet is a set of bytes.
type byteSet [4]uint64

func (s *byteSet) add(b byte)      { s[b>>6] |= 1 << (b & 63) }
func (s *byteSet) has(b byte) bool { return s[b>>6]&(1<<(b&63)) != 0 }

// addRune adds the folded first byte of r. Non-ASCII runes are left out:
// the follow check lets every non-ASCII byte through.
func (s *byteSet) addRune(r rune) {
	if c, ok := foldRune(r); ok && r < 0x80 {
		s.add(c)
	}
}

// firstBytes adds to set the folded first byte of every non-empty match of
// re and reports whether re can match the empty string. Unknown operators
// report true, which the callers treat as "no information".
func firstBytes(re *syntax.Regexp, set *byteSet) (nullable bool) {
	switch re.Op {
	case syntax.OpNoMatch:
		return false
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine,
		syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return true
		}
		set.addRune(re.Rune[0])
		return false
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1] && r < 0x80; r++ {
				set.addRune(r)
			}
		}
		return false
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		*set = byteSet{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
		return false
	case syntax.OpCapture, syntax.OpPlus:
		return firstBytes(re.Sub[0], set)
	case syntax.OpStar, syntax.OpQuest:
		firstBytes(re.Sub[0], set)
		return true
	case syntax.OpRepeat:
		return firstBytes(re.Sub[0], set) || re.Min == 0
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if !firstBytes(sub, set) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		nullable = false
		for _, sub := range re.Sub {
			nullable = firstBytes(sub, set) || nullable
		}
		return nullable
	}
	return true
}

// follow is a cheap necessary condition on what comes right after a start
// literal: up to gapMax (-1: any number, at least gapMin) copies of the
// byte gap, then a byte of first (non-ASCII bytes always pass).
type follow struct {
	gap            byte
	gapMin, gapMax int
	first          byteSet
}

// ok reports whether the text of ua from pos can continue a match.
func (f *follow) ok(ua string, pos int) bool {
	for k := 0; ; k++ {
		if pos+k >= len(ua) {
			return false
		}
		b := ua[pos+k]
		if k >= f.gapMin {
			if b >= 'A' && b <= 'Z' {
				b += 'a' - 'A'
			}
			if b >= 0x80 || f.first.has(b) {
				return true
			}
		}
		if k == f.gapMax || ua[pos+k] != f.gap {
			return false
		}
	}
}

// followOf returns the follow check of re, whose start set is start, or
// nil when there is none: re must be a concatenation whose leading exact
// elements are exactly the start strings (as concatStart computes them),
// optionally followed by a repeated ASCII non-letter, then by elements
// that cannot match the empty string.
func followOf(re *syntax.Regexp, start []string) *follow {
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
	f := &follow{}
	if j < len(subs) {
		if g, lo, hi, ok := gapOf(subs[j]); ok {
			f.gap, f.gapMin, f.gapMax = g, lo, hi
			j++
		}
	}
	if firstBytes(&syntax.Regexp{Op: syntax.OpConcat, Sub: subs[j:]}, &f.first) {
		return nil
	}
	return f
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
