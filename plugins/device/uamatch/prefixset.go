package uamatch

import "regexp/syntax"

// maxPrefixes bounds the strings a prefix set may hold.
const maxPrefixes = 256

// prefixSet returns, folded, the first k bytes of every match of re, or the
// whole match when it is shorter: every match begins with one of the
// strings, and a string shorter than k is a whole match. It returns nil
// when that set is unknown (a rune foldRune cannot map, "." or a large
// class) or holds more than maxPrefixes strings.
func prefixSet(re *syntax.Regexp, k int) []string {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine,
		syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return []string{""}
	case syntax.OpCharClass:
		return classPrefixes(re.Rune)
	case syntax.OpLiteral:
		in := analyse(re)
		if in.exact == nil {
			return nil
		}
		return truncateAll(in.exact, k)
	case syntax.OpCapture:
		return prefixSet(re.Sub[0], k)
	case syntax.OpConcat:
		acc := []string{""}
		for _, sub := range re.Sub {
			if allLong(acc, k) {
				break
			}
			acc = crossPrefixes(acc, prefixSet(sub, k), k)
			if acc == nil {
				return nil
			}
		}
		return acc
	case syntax.OpAlternate:
		var set []string
		for _, sub := range re.Sub {
			s := prefixSet(sub, k)
			if s == nil {
				return nil
			}
			if set = union(set, s); len(set) > maxPrefixes {
				return nil
			}
		}
		return set
	case syntax.OpQuest:
		return repeatPrefixes(re.Sub[0], 0, 1, k)
	case syntax.OpStar:
		return repeatPrefixes(re.Sub[0], 0, -1, k)
	case syntax.OpPlus:
		return repeatPrefixes(re.Sub[0], 1, -1, k)
	case syntax.OpRepeat:
		return repeatPrefixes(re.Sub[0], re.Min, re.Max, k)
	}
	return nil
}

// repeatPrefixes is prefixSet for sub{min,max} (max -1: unbounded). Copies
// beyond min+k add nothing: by then every string is k long or some copy
// was empty, and an empty copy adds no string.
func repeatPrefixes(sub *syntax.Regexp, min, max, k int) []string {
	x := prefixSet(sub, k)
	if x == nil {
		return nil
	}
	cur := []string{""}
	for range min {
		if allLong(cur, k) {
			break
		}
		if cur = crossPrefixes(cur, x, k); cur == nil {
			return nil
		}
	}
	set := cur
	for j := min; (max < 0 || j < max) && j < min+k && !allLong(cur, k); j++ {
		if cur = crossPrefixes(cur, x, k); cur == nil {
			return nil
		}
		if set = union(set, cur); len(set) > maxPrefixes {
			return nil
		}
	}
	return set
}

// crossPrefixes extends the strings of acc shorter than k with those of
// next, truncating to k; nil when next is nil or the result too large.
func crossPrefixes(acc, next []string, k int) []string {
	if next == nil {
		return nil
	}
	var out []string
	for _, a := range acc {
		if len(a) >= k {
			out = union(out, []string{a})
			continue
		}
		for _, b := range next {
			out = union(out, []string{truncate(a+b, k)})
		}
		if len(out) > maxPrefixes {
			return nil
		}
	}
	return out
}

func truncate(s string, k int) string {
	if len(s) > k {
		return s[:k]
	}
	return s
}

func truncateAll(set []string, k int) []string {
	var out []string
	for _, s := range set {
		out = union(out, []string{truncate(s, k)})
	}
	return out
}

func allLong(set []string, k int) bool {
	for _, s := range set {
		if len(s) < k {
			return false
		}
	}
	return true
}

// maxPrefixClass bounds the runes of a class that prefixSet expands.
const maxPrefixClass = 64

func classPrefixes(ranges []rune) []string {
	var set []string
	n := 0
	for i := 0; i+1 < len(ranges); i += 2 {
		if n += int(ranges[i+1]-ranges[i]) + 1; n > maxPrefixClass {
			return nil
		}
		for r := ranges[i]; r <= ranges[i+1]; r++ {
			c, ok := foldRune(r)
			if !ok {
				return nil
			}
			set = union(set, []string{string(c)})
		}
	}
	return set
}
