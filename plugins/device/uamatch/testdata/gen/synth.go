package main

import (
	"math/rand/v2"
	"regexp/syntax"
	"strings"
	"unicode"
)

// anyChars are what "." may stand for in a synthesised string.
const anyChars = "abcxyzABCXYZ0189 ;/._-()"

// synth writes a random string matched by the syntax tree re (anchors and
// word boundaries are ignored; callers check the result with the regexp).
func synth(rng *rand.Rand, re *syntax.Regexp, sb *strings.Builder) {
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 && rng.IntN(2) == 0 {
				r = unicode.SimpleFold(r)
			}
			sb.WriteRune(r)
		}
	case syntax.OpCharClass:
		sb.WriteRune(pickClass(rng, re.Rune))
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		sb.WriteByte(anyChars[rng.IntN(len(anyChars))])
	case syntax.OpCapture:
		synth(rng, re.Sub[0], sb)
	case syntax.OpConcat:
		for _, s := range re.Sub {
			synth(rng, s, sb)
		}
	case syntax.OpAlternate:
		synth(rng, re.Sub[rng.IntN(len(re.Sub))], sb)
	case syntax.OpStar:
		repeat(rng, re.Sub[0], 0, -1, sb)
	case syntax.OpPlus:
		repeat(rng, re.Sub[0], 1, -1, sb)
	case syntax.OpQuest:
		repeat(rng, re.Sub[0], 0, 1, sb)
	case syntax.OpRepeat:
		repeat(rng, re.Sub[0], re.Min, re.Max, sb)
	}
}

// repeat emits sub between lo and hi times (hi < 0: unbounded), staying
// close to lo so strings keep a realistic length.
func repeat(rng *rand.Rand, sub *syntax.Regexp, lo, hi int, sb *strings.Builder) {
	top := lo + 3
	if hi >= 0 && hi < top {
		top = hi
	}
	n := lo + rng.IntN(top-lo+1)
	for range n {
		synth(rng, sub, sb)
	}
}

// pickClass picks a rune of a class, preferring printable ASCII.
func pickClass(rng *rand.Rand, ranges []rune) rune {
	var ascii []rune
	for i := 0; i+1 < len(ranges); i += 2 {
		for r := max(ranges[i], ' '); r <= min(ranges[i+1], '~'); r++ {
			ascii = append(ascii, r)
		}
	}
	if len(ascii) > 0 {
		return ascii[rng.IntN(len(ascii))]
	}
	i := rng.IntN(len(ranges)/2) * 2
	return ranges[i]
}
