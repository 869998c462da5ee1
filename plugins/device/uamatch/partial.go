package uamatch

import (
	"regexp/syntax"
	"slices"
)

// maxPartialStart bounds the start strings of a rule whose start set
// covers only some of its leading alternatives (see partialStart).
const maxPartialStart = 1024

// partialStart handles a regex that begins with an alternation of which
// only some branches have a start set, such as uap-core's big crawler rule
// ("(CSimpleSpider|...|\b\w{0,30}favicon...|...)(?:[ /]v?(\d+)...|)"). It
// returns the start strings of those branches and the expression of the
// others followed by the rest of re: the leftmost match of that expression
// is the leftmost offset where a match may begin other than at a start
// string. It returns nil when re has no such shape or the branches without
// a start set are the majority. re is not modified.
func partialStart(re *syntax.Regexp) (start []string, other *syntax.Regexp) {
	head, rest := re, []*syntax.Regexp(nil)
	if re.Op == syntax.OpConcat && len(re.Sub) > 0 {
		head, rest = re.Sub[0], re.Sub[1:]
	}
	for head.Op == syntax.OpCapture {
		head = head.Sub[0]
	}
	if head.Op != syntax.OpAlternate {
		return nil, nil
	}
	var others []*syntax.Regexp
	for _, b := range head.Sub {
		s, _ := startSet(b)
		if s == nil || slices.Contains(s, "") {
			others = append(others, b)
			continue
		}
		if start = union(start, s); len(start) > maxPartialStart {
			return nil, nil
		}
	}
	if start == nil || len(others) == 0 || 2*len(others) > len(head.Sub) {
		return nil, nil
	}
	alt := &syntax.Regexp{Op: syntax.OpAlternate, Flags: head.Flags, Sub: others}
	if len(others) == 1 {
		alt = others[0]
	}
	return start, &syntax.Regexp{Op: syntax.OpConcat, Flags: re.Flags, Sub: append([]*syntax.Regexp{alt}, rest...)}
}
