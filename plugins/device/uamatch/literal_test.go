package uamatch

import (
	"regexp/syntax"
	"slices"
	"testing"
	"unicode"
)

func TestRequirement(t *testing.T) {
	tests := []struct {
		name string
		expr string
		want string
	}{
		{name: "literal", expr: `Mac OS`, want: `"mac os"`},
		{name: "capture and concat", expr: `(Chrome)/(\d+)\.(\d+)`, want: `("chrome/" ".")`},
		{name: "alternation is any of", expr: `(Windows|Linux) x`, want: `("windows x"|"linux x")`},
		{name: "optional group becomes alternatives", expr: `Foo(?: Bar)?Baz`, want: `("foo barbaz"|"foobaz")`},
		{name: "small optional exact kept", expr: `ArcGIS\.?iOS`, want: `("arcgis.ios"|"arcgisios")`},
		{name: "star is no requirement", expr: `a.*`, want: `"a"`},
		{name: "plus keeps its operand", expr: `x(?:ab)+y`, want: `("x" "ab" "y")`},
		{name: "repeat min zero", expr: `(?:abc){0,3}`, want: `*`},
		{name: "repeat min one", expr: `q(?:abc){1,3}`, want: `("q" "abc")`},
		{name: "case insensitive folds", expr: `(?i)SamSung`, want: `"samsung"`},
		{name: "small class expands", expr: `Android[\- ]9`, want: `("android 9"|"android-9")`},
		{name: "big class breaks", expr: `Nexus[0-9]Tab`, want: `("nexus" "tab")`},
		{name: "branch without requirement", expr: `(?:foo|.*)`, want: `*`},
		{name: "anchors and boundaries", expr: `^\bKindle\b$`, want: `"kindle"`},
		{name: "empty regex", expr: ``, want: `*`},
		{name: "non-ASCII breaks literal", expr: `abcéxyz`, want: `("abc" "xyz")`},
		{name: "longer alternative implied", expr: `(?:ab|abc)d`, want: `("abd"|"abcd")`},
		{name: "redundant superstring dropped", expr: `(?:x|y)(?:q|.)`, want: `("x"|"y")`},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			re, err := syntax.Parse(test.expr, syntax.Perl)
			if err != nil {
				t.Fatal(err)
			}
			if got := toQuery(analyse(re)).String(); got != test.want {
				t.Errorf("requirement(%q) = %s, want %s", test.expr, got, test.want)
			}
		})
	}
}

func TestStartSet(t *testing.T) {
	tests := []struct {
		name    string
		expr    string
		want    []string
		atBegin bool
	}{
		{name: "literal prefix", expr: `Mozilla/(\d+)`, want: []string{"mozilla/"}},
		{name: "alternation", expr: `(Foo|Bar)/1`, want: []string{"foo/1", "bar/1"}},
		{name: "anchored", expr: `(?i)^(ab|cd)`, want: []string{"ab", "cd"}, atBegin: true},
		{name: "leading boundary skipped", expr: `\bLG-(\w+)`, want: []string{"lg-"}},
		{name: "optional start crossed", expr: `(?:x|)y`, want: []string{"xy", "y"}},
		{name: "factored alternation extended", expr: `(?i)^(lexi|lg g|lg\-a|leno)`, want: []string{"lexi", "leno", "lg g", "lg-a"}, atBegin: true},
		{name: "optional then inexact unknown", expr: `(?:x|)[0-9]`, want: nil},
		{name: "dot start unknown", expr: `.{0,10}bot`, want: nil},
		{name: "stops at first inexact", expr: `; {0,2}(CPH\d+)`, want: []string{";"}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			re, err := syntax.Parse(test.expr, syntax.Perl)
			if err != nil {
				t.Fatal(err)
			}
			got, atBegin := startSet(re)
			slices.Sort(got)
			slices.Sort(test.want)
			if !slices.Equal(got, test.want) || atBegin != test.atBegin {
				t.Errorf("startSet(%q) = %q, %v; want %q, %v", test.expr, got, atBegin, test.want, test.atBegin)
			}
		})
	}
}

// TestFoldRuneCoversCaseFolding checks the premise of foldRune: the only
// non-ASCII runes that case-fold to an ASCII letter are U+017F and U+212A.
func TestFoldRuneCoversCaseFolding(t *testing.T) {
	for r := rune(0x80); r <= unicode.MaxRune; r++ {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < 0x80 {
				c, ok := foldRune(r)
				if lower, _ := foldRune(f); !ok || c != lower {
					t.Errorf("rune %U folds to %q but foldRune gives %q, %v", r, f, c, ok)
				}
			}
		}
	}
}

func TestAutomaton(t *testing.T) {
	pats := []string{"he", "she", "his", "hers", "k", "s", "samsung browser", "samsung bro", "samsun", "ung brow"}
	a := newAutomaton(pats)
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{name: "overlapping", in: "USHERS", want: []string{"he", "hers", "s", "she"}},
		{name: "none", in: "xyz", want: nil},
		{name: "long s and kelvin fold", in: "\u017F\u212A", want: []string{"k", "s"}},
		{name: "other non-ASCII ignored", in: "hé", want: nil},
		{name: "patterns longer than their key", in: "SAMSUNG BROWSER", want: []string{"s", "samsun", "samsung bro", "samsung browser", "ung brow"}},
		{name: "key without its extension", in: "samsung brx", want: []string{"s", "samsun"}},
		{name: "extension cut short", in: "samsung br", want: []string{"s", "samsun"}},
		{name: "fold inside an extension", in: "samsung brow\u017Fer", want: []string{"s", "samsun", "samsung bro", "samsung browser", "ung brow"}},
		{name: "fold inside the key", in: "\u017Famsung brow", want: []string{"s", "samsun", "samsung bro", "ung brow"}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			sc := &scratch{seen: make([]uint64, 1), head: slices.Repeat([]int32{-1}, len(pats)), triggers: make([][]int32, len(pats))}
			a.scan(test.in, sc)
			var got []string
			for _, id := range sc.found {
				got = append(got, pats[id])
			}
			slices.Sort(got)
			if !slices.Equal(got, test.want) {
				t.Errorf("scan(%q) found %q, want %q", test.in, got, test.want)
			}
		})
	}
}
