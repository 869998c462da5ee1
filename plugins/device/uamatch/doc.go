// Package uamatch is a fast uap-core user-agent matcher that returns exactly
// what github.com/ua-parser/uap-go/uaparser returns, without a result cache
// (the caller caches).
//
// # Guarantee
//
// For every input, ParseOs, ParseDevice, ParseUserAgent and Parse return
// values deep-equal to uap-go's for the same rules: the regexes are compiled
// the same way (a regex_flag becomes a "(?flag)" prefix, Go's regexp), the
// replacements are expanded with Regexp.ExpandString with the same defaults
// ($1.. for OS and user agent; $1 for device and model, nothing for brand),
// device fields are trimmed, a match whose family expands to "" does not end
// the search (its other fields stay, as in uap-go), and the family falls back
// to "Other". Rules are tried in their original order and the first match
// whose family is not empty wins.
//
// # How it is fast
//
// uap-go runs hundreds of regexes per user agent. uamatch only runs those
// that can match, and runs them where they can match:
//
//   - Requirements. Each regex's syntax tree (regexp/syntax) is reduced to a
//     necessary condition: an AND/OR tree of literals that every match must
//     contain. Concatenation ANDs, alternation ORs, captures pass through,
//     x+ and x{n,m} with n >= 1 keep x's requirement, while x*, x?, x{0,m},
//     ".", large classes and anything unknown require nothing. Short exact
//     sets (small classes such as [\- ], x?, small alternations) are kept
//     as cross products, so "ArcGIS\.?iOS" requires "arcgisios" or
//     "arcgis.ios". When unsure the analysis requires nothing, which only
//     costs speed. Single characters are dropped (they occur in nearly
//     every agent) and literals are cut to their first 12 bytes (maxLiteral),
//     which keeps the conditions necessary and the automaton small.
//   - Folding. Literals and the subject are compared case-folded: ASCII
//     letters lower-cased, U+017F and U+212A (the only non-ASCII runes that
//     fold to ASCII letters) mapped to 's' and 'k', other non-ASCII runes
//     never part of a literal. A folded occurrence is therefore necessary for
//     both case-sensitive and (?i) regexes.
//   - One pass. All literals go into one Aho-Corasick automaton, compiled to
//     a DFA over the folded byte classes. One scan of the user agent marks
//     the literals present (the DFA looks for the literals' first 8 bytes,
//     keyLen, and compares the rest of a longer literal in place; it holds
//     16-bit states when they fit, and states where a key ends are numbered
//     last, so the scan tests a number, not a table, per byte); each literal lists the rules for which it is a
//     trigger (a literal set one of which any match needs), so only those
//     rules are candidates, and a candidate runs only if its full requirement
//     holds. Of the operands of an AND, the trigger is the one whose
//     literals the fewest of a list of typical agents contain (commonAgents:
//     "; k0" rather than " build"); that list only steers speed. Candidates are a subset of the rules in the same order, and a
//     rule left out provably cannot match, so the first match is uap-go's.
//   - Anchored runs. For most rules every match must begin with one of a set
//     of literals (their start set, e.g. "mozilla/" or the words of a leading
//     alternation; "^" rules only at offset 0). The automaton records where
//     literals occur, so such a rule is tried only at those offsets, in
//     increasing order, with the regex anchored there. To keep \b and ^
//     exact, the anchored form first consumes the rune before the offset
//     ("^(?s:.)(?:re)"); submatch offsets are shifted back. Trying offsets
//     left to right finds the leftmost match, and an anchored leftmost-first
//     search prefers the same match as the unanchored one. A subject where
//     U+017F or U+212A was folded falls back to the unanchored regex.
//   - Start strings. Syntax factors alternations ("lg-a|lexi" parses as
//     "l(?:g-a|exi)"), so start sets extend across a sub-expression's own
//     start set. A short start such as ";" before " {0,2}(K00[A-Z]|...)" is
//     extended across the gap and the first two bytes of the rest (prefixSet:
//     ";k0", "; k0", ";  k0"...), a much rarer trigger and far fewer offsets.
//     Where that set is too large, a follow check (two byte sets after an
//     optional gap, see prefix) skips offsets where the rest cannot begin.
//     One-byte starts are not automaton patterns: their offsets are found
//     once per agent when a rule needs them. "^" rules look only at the
//     literals the automaton found at offset 0.
//   - Partial start sets. When only some branches of a leading alternation
//     have start strings (the big crawler rule has a few like
//     \b\w{0,30}favicon), the others, with the rest of the regex, form a
//     small regex whose leftmost match bounds the search: the anchored form
//     runs at the start offsets before it, then at it (partialStart).
//   - Dot prefixes. A rule ^.{0,n}Y (greedy or lazy, e.g. the big crawler
//     rule) matches from offset 0 to the end of Y at the last (first) offset
//     within the prefix where Y matches; Y has a start set, so Y alone is
//     tried, anchored at those offsets, from the right (left).
//   - Loosened repeats. Go expands x{1,200} into 200 copies of x, which
//     makes a program too big for regexp's backtracker and slow in its NFA.
//     A long counted repetition of a single character (outside other
//     repetitions) is run as a capturing x{1,}: its matches include the
//     exact regex's, with the same preferences, so "no match" is final, and
//     a preferred match whose loosened groups stay within their bounds is
//     the exact answer; otherwise the exact regex runs (see program).
//   - Shared scans. Prepare scans a user agent once for several lookups
//     (Parse does; device classification uses it for device then OS).
//     OsFamily and UserAgentFamily skip the version fields.
//
// Regexes are parsed and analysed by New, which reports bad expressions,
// but each form is compiled on its first use, so building a Parser takes a
// small fraction of uap-go's start-up and only the rules that ever run are
// compiled. Per-call state (bitsets, hit lists, expansion buffer) comes from
// a sync.Pool, so a call allocates only its results. A Parser is safe for
// concurrent use.
//
// # Testing
//
// testdata/corpus.txt is written by testdata/gen (go generate): template
// agents of many kinds plus, for each uap-core regex, strings synthesised
// from its syntax tree, alone and in context. testdata/expect (go generate
// too) records uap-go's answers for every line in
// testdata/corpus_expected.tsv. The differential test compares every line
// with those answers, a sample of the file is checked against live uap-go
// to catch a stale file, and FuzzDifferential compares arbitrary inputs
// with live uap-go.
package uamatch
