package uamatch

import (
	"regexp/syntax"
	"slices"
	"strings"
	"unicode/utf8"
)

// maxExact bounds the set of exact strings tracked for one sub-expression
// before it is turned into a requirement; maxClass bounds the character
// classes expanded into single-character alternatives.
const (
	maxExact = 16
	maxClass = 4
)

// qop is the kind of a requirement node.
type qop uint8

const (
	qAll qop = iota // no requirement: always satisfied
	qLit            // the literal must occur
	qAnd            // every sub-requirement must hold
	qOr             // at least one sub-requirement must hold
)

// query is a necessary condition for a regular expression to match: a tree
// of literals (lower-cased ASCII, see foldRune) that must occur in the
// folded subject.
type query struct {
	op   qop
	lit  string
	subs []*query
}

var allQuery = &query{op: qAll}

// String renders the query for tests and debugging: literals are quoted,
// AND joins with " ", OR with "|", and ALL is "*".
func (q *query) String() string {
	switch q.op {
	case qLit:
		return `"` + q.lit + `"`
	case qAnd, qOr:
		sep, parts := " ", make([]string, len(q.subs))
		if q.op == qOr {
			sep = "|"
		}
		for i, s := range q.subs {
			parts[i] = s.String()
		}
		return "(" + strings.Join(parts, sep) + ")"
	}
	return "*"
}

// info is what the analysis knows about one sub-expression: either the
// exact (folded) strings it can match, or a requirement on its match.
type info struct {
	exact []string // non-nil: the node matches exactly one of these
	q     *query   // used when exact is nil
}

// foldRune maps a rune onto the byte the matcher sees for it: ASCII letters
// are lower-cased, U+017F (long s) and U+212A (Kelvin sign), the only
// non-ASCII runes that case-fold to ASCII letters, become 's' and 'k'.
// Any other non-ASCII rune reports false: it never takes part in a literal.
func foldRune(r rune) (byte, bool) {
	switch {
	case r >= 'A' && r <= 'Z':
		return byte(r) + 'a' - 'A', true
	case r < utf8.RuneSelf:
		return byte(r), true
	case r == 0x17F:
		return 's', true
	case r == 0x212A:
		return 'k', true
	}
	return 0, false
}

func analyse(re *syntax.Regexp) info {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine,
		syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return info{exact: []string{""}}
	case syntax.OpLiteral:
		return literalInfo(re.Rune)
	case syntax.OpCharClass:
		return classInfo(re.Rune)
	case syntax.OpCapture:
		return analyse(re.Sub[0])
	case syntax.OpConcat:
		return concatInfo(re.Sub)
	case syntax.OpAlternate:
		return alternateInfo(re.Sub)
	case syntax.OpQuest:
		sub := analyse(re.Sub[0])
		if sub.exact != nil && len(sub.exact) < maxExact {
			return info{exact: union(sub.exact, []string{""})}
		}
		return info{q: allQuery}
	case syntax.OpPlus:
		return info{q: toQuery(analyse(re.Sub[0]))}
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return info{q: toQuery(analyse(re.Sub[0]))}
		}
		return info{q: allQuery}
	}
	// OpStar, OpAnyChar, OpAnyCharNotNL, OpNoMatch and anything unknown:
	// no requirement, which is always safe.
	return info{q: allQuery}
}

// literalInfo folds a literal; a rune foldRune cannot map splits it, as if
// it were any character.
func literalInfo(runes []rune) info {
	parts := make([]info, 0, 1)
	var b []byte
	for _, r := range runes {
		c, ok := foldRune(r)
		if ok {
			b = append(b, c)
			continue
		}
		parts = append(parts, info{exact: []string{string(b)}}, info{q: allQuery})
		b = b[:0]
	}
	if len(parts) == 0 {
		return info{exact: []string{string(b)}}
	}
	parts = append(parts, info{exact: []string{string(b)}})
	return concatInfos(parts)
}

// classInfo expands a small character class into its folded characters.
func classInfo(ranges []rune) info {
	var set []string
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		if hi-lo >= 2*maxClass {
			return info{q: allQuery}
		}
		for r := lo; r <= hi; r++ {
			c, ok := foldRune(r)
			if !ok {
				return info{q: allQuery}
			}
			set = union(set, []string{string(c)})
			if len(set) > maxClass {
				return info{q: allQuery}
			}
		}
	}
	if len(set) == 0 {
		return info{q: allQuery} // matches nothing; stay conservative
	}
	return info{exact: set}
}

func concatInfo(subs []*syntax.Regexp) info {
	infos := make([]info, len(subs))
	for i, s := range subs {
		infos[i] = analyse(s)
	}
	return concatInfos(infos)
}

// concatInfos keeps a run of exact strings as long as their cross product
// stays small; each finished run becomes one AND operand.
func concatInfos(infos []info) info {
	var and []*query
	run := []string{""}
	for _, in := range infos {
		if in.exact != nil && len(run)*len(in.exact) <= maxExact {
			run = cross(run, in.exact)
			continue
		}
		and = append(and, exactQuery(run))
		if in.exact != nil {
			run = in.exact
			continue
		}
		and = append(and, in.q)
		run = []string{""}
	}
	if len(and) == 0 {
		return info{exact: run}
	}
	and = append(and, exactQuery(run))
	return info{q: andQuery(and)}
}

func alternateInfo(subs []*syntax.Regexp) info {
	infos := make([]info, len(subs))
	var all []string
	exact := true
	for i, s := range subs {
		infos[i] = analyse(s)
		if infos[i].exact == nil {
			exact = false
		} else if exact {
			all = union(all, infos[i].exact)
		}
	}
	if exact && len(all) <= maxExact {
		return info{exact: all}
	}
	or := make([]*query, len(infos))
	for i, in := range infos {
		or[i] = toQuery(in)
	}
	return info{q: orQuery(or)}
}

func toQuery(in info) *query {
	if in.exact != nil {
		return exactQuery(in.exact)
	}
	return in.q
}

// exactQuery requires one of set. Since a string occurring implies every
// substring of it occurs, a string containing another member is dropped.
func exactQuery(set []string) *query {
	var keep []*query
	for i, s := range set {
		if s == "" {
			return allQuery
		}
		redundant := false
		for j, t := range set {
			if j != i && strings.Contains(s, t) && (len(t) < len(s) || j < i) {
				redundant = true
				break
			}
		}
		if !redundant {
			keep = append(keep, &query{op: qLit, lit: s})
		}
	}
	return orQuery(keep)
}

func andQuery(subs []*query) *query {
	var keep []*query
	for _, s := range subs {
		switch s.op {
		case qAll:
		case qAnd:
			keep = append(keep, s.subs...)
		default:
			keep = append(keep, s)
		}
	}
	switch len(keep) {
	case 0:
		return allQuery
	case 1:
		return keep[0]
	}
	return &query{op: qAnd, subs: keep}
}

func orQuery(subs []*query) *query {
	var keep []*query
	for _, s := range subs {
		switch s.op {
		case qAll:
			return allQuery
		case qOr:
			keep = append(keep, s.subs...)
		default:
			keep = append(keep, s)
		}
	}
	switch len(keep) {
	case 0:
		return allQuery
	case 1:
		return keep[0]
	}
	return &query{op: qOr, subs: keep}
}

func cross(a, b []string) []string {
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = union(out, []string{x + y})
		}
	}
	return out
}

func union(a, b []string) []string {
	for _, s := range b {
		if !slices.Contains(a, s) {
			a = append(a, s)
		}
	}
	return a
}

// maxStart bounds the strings a start set may hold.
const maxStart = 256

// startSet returns folded, non-empty strings one of which every match of re
// begins with, and whether matches can only begin at the start of the text
// (a leading ^). It returns nil when no such set is known.
func startSet(re *syntax.Regexp) (set []string, atBegin bool) {
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return startSet(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return startSet(re.Sub[0])
		}
	case syntax.OpConcat:
		return concatStart(re.Sub)
	case syntax.OpAlternate:
		begin := true
		for _, sub := range re.Sub {
			s, b := startSet(sub)
			if s == nil || len(set)+len(s) > maxStart {
				return nil, false
			}
			set, begin = union(set, s), begin && b
		}
		return set, begin
	case syntax.OpLiteral, syntax.OpCharClass:
		in := analyse(re)
		if in.exact == nil {
			// A literal with an unmappable rune: keep what precedes it.
			if re.Op == syntax.OpLiteral {
				if c, ok := foldRune(re.Rune[0]); ok {
					return []string{string(c)}, false
				}
			}
			return nil, false
		}
		if slices.Contains(in.exact, "") {
			return nil, false
		}
		return in.exact, false
	}
	return nil, false
}

// concatStart extends the start strings across leading exact elements.
func concatStart(subs []*syntax.Regexp) ([]string, bool) {
	acc, atBegin := []string{""}, false
	for _, sub := range subs {
		if sub.Op == syntax.OpBeginText && len(acc) == 1 && acc[0] == "" {
			atBegin = true
			continue
		}
		in := analyse(sub)
		if in.exact != nil && len(acc)*len(in.exact) <= maxStart {
			acc = cross(acc, in.exact)
			continue
		}
		switch {
		case !slices.Contains(acc, ""):
			// Syntax factors alternations ("lg-a|lg-b" parses as
			// "lg-[ab]", "lexi|lg g" as "l(?:exi|g g)"): extend the
			// strings across a sub-expression with a start set.
			if s, _ := startSet(sub); s != nil && len(acc)*len(s) <= maxStart {
				return cross(acc, s), atBegin
			}
			return acc, atBegin
		case len(acc) == 1:
			set, begin := startSet(sub)
			return set, atBegin || begin
		}
		return nil, false
	}
	if slices.Contains(acc, "") {
		return nil, false
	}
	return acc, atBegin
}
