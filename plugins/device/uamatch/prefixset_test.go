package uamatch

import (
	"regexp/syntax"
	"slices"
	"testing"
)

func TestPrefixSet(t *testing.T) {
	tests := []struct {
		name string
		expr string
		want []string // nil: unknown
	}{
		{name: "literal truncated", expr: `Nexus`, want: []string{"ne"}},
		{name: "short literal whole", expr: `G`, want: []string{"g"}},
		{name: "class then digit", expr: `[AF]\d`, want: []string{"a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9"}},
		{name: "optional prefix", expr: `(?:AS |)(AP)`, want: []string{"as", "ap"}},
		{name: "case-insensitive", expr: `(?i)k0`, want: []string{"k0"}},
		{name: "alternation of lengths", expr: `(?:G7|M|X9)`, want: []string{"g7", "m", "x9"}},
		{name: "star may be empty", expr: `a*b`, want: []string{"b", "ab", "aa"}},
		{name: "repeat min above k", expr: `x{3,}`, want: []string{"xx"}},
		{name: "dot is unknown", expr: `.x`, want: nil},
		{name: "unknown after k bytes ignored", expr: `ab.*`, want: []string{"ab"}},
		{name: "big class unknown", expr: `[^;]x`, want: nil},
		{name: "non-ASCII unknown", expr: `éx`, want: nil},
		{name: "boundary is empty", expr: `\bab`, want: []string{"ab"}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			re, err := syntax.Parse(test.expr, syntax.Perl)
			if err != nil {
				t.Fatal(err)
			}
			got := prefixSet(re, 2)
			slices.Sort(got)
			want := slices.Clone(test.want)
			slices.Sort(want)
			if !slices.Equal(got, want) || (got == nil) != (want == nil) {
				t.Errorf("prefixSet(%q) = %q, want %q", test.expr, got, want)
			}
		})
	}
}

func TestLongStart(t *testing.T) {
	tests := []struct {
		name string
		expr string
		want []string
	}{
		{name: "gap and two bytes", expr: `; {0,2}(K00[AB]|Nexus)`, want: []string{";k0", "; k0", ";  k0", ";ne", "; ne", ";  ne"}},
		{name: "class start", expr: `[;:] {0,1}(L-\d)`, want: []string{";l-", "; l-", ":l-", ": l-"}},
		{name: "exact start already long", expr: `[;:] ?(L-)`, want: nil},
		{name: "long start kept", expr: `Android (\d)`, want: nil},
		{name: "unbounded gap", expr: `; *(K0)`, want: nil},
		{name: "unknown rest", expr: `; (.+)`, want: nil},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			re, err := syntax.Parse(test.expr, syntax.Perl)
			if err != nil {
				t.Fatal(err)
			}
			start, _ := startSet(re)
			got := longStart(re, start)
			slices.Sort(got)
			want := slices.Clone(test.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("longStart(%q) = %q, want %q", test.expr, got, want)
			}
		})
	}
}
