package uamatch

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ua-parser/uap-go/uaparser"
	"gopkg.in/yaml.v3"
)

// TestAnchoredForms checks the offset filters of anchored runs (follow
// checks after start literals, ^.{0,n}Y rules) against uap-go on agents
// built around their edges: gaps too long, prefixes one rune too long,
// newlines, multi-byte runes, invalid UTF-8, greedy and lazy prefixes.
func TestAnchoredForms(t *testing.T) {
	tests := []struct {
		name   string
		expr   string
		agents []string
	}{
		{
			name: "greedy dot prefix",
			expr: `^.{0,10}(bot|crawl|^NING)(\w*)`,
			agents: []string{
				"abcbot", "a crawler bot", "0123456789bot", "01234567890bot", "ab\nbot",
				"ééééééééébot", "éééééééééébot", "\xffbot", "bot bot bot", "NING x", "x NING",
				"crawlbot", "", "bo", "xxxxxxxxxxxxxxxxxxxxxxxxxbot",
			},
		},
		{
			name:   "case-insensitive dot prefix",
			expr:   `(?i)^.{0,5}(bot|^ning|Google.{0,20}/web)`,
			agents: []string{"NING x", "x ning", "BOT", "aaaaaBoT", "aaaaaaBoT", "googlE xx /web", "x googlebot/web"},
		},
		{
			name:   "lazy dot prefix",
			expr:   `^.{0,10}?(bot|crawl)(\w*)`,
			agents: []string{"a bot crawl", "abotcrawl", "0123456789crawl", "01234567890crawl", "x\ncrawl"},
		},
		{
			name:   "star and dot-all prefixes",
			expr:   `(?s)^.*(ab|cd)(\d*)`,
			agents: []string{"\nab1", "x cd2 ab3", "abab", "a b"},
		},
		{
			name: "gap after start literal",
			expr: `; {0,2}(ME17\d|K00[A-Z])(?: Build|\))`,
			agents: []string{
				"; ME171 Build", ";  K00Q)", ";   K00Q)", ";K00Q)", "; me171 Build", "x; ; K00Z)",
				";", "; ", "; K00", "; é", ";\xff",
			},
		},
		{
			name:   "case-insensitive gap of one or more",
			expr:   `(?i)foo {1,2}([a-c])`,
			agents: []string{"FOO B", "foo  c", "foo   c", "fooa", "foo", "foo d foo a"},
		},
		{
			name:   "unbounded gap",
			expr:   `x-*(\d)`,
			agents: []string{"x1", "x---2", "x---", "x-a x-3"},
		},
		{
			name:   "class after start",
			expr:   `(Android)[ \-/](\d+)(?:\.(\d+)|)`,
			agents: []string{"Android 10.1", "Android-x Android/7", "android 9", "Android 1", "Android -1"},
		},
		{
			name:   "one-byte start literals",
			expr:   `(?i)[ab](\d+)x`,
			agents: []string{"a1x", "zB22x b3", "ab4x", "c5x", "A", "x9x b"},
		},
		{
			name:   "one-byte start at the beginning",
			expr:   `^M(\d)`,
			agents: []string{"M1", "xM1", "m2", "M", ""},
		},
		{
			name: "alternation with branches without start strings",
			expr: `(Foo|\b\w{0,3}bar|Baz|(?:[a-z]{1,3}-|)Qux)(?:/(\d+)|)`,
			agents: []string{
				"Foo/1 xbar/2", "xbar/2 Foo/1", "Baz abar", "abar Baz", "Foobar", "xxxxbar Foo", "a-Qux/3",
				"Qux/4", "zz-Baz", "nothing", "Foo", "bar", "-Qux",
			},
		},
		{
			name:   "nullable rest keeps no filter",
			expr:   `abc(\d*)`,
			agents: []string{"abc", "abc1", "xabcx"},
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			q := "'" + strings.ReplaceAll(test.expr, "'", "''") + "'"
			doc := []byte("user_agent_parsers:\n  - regex: " + q + "\n    family_replacement: '[$0]$1'\n    v1_replacement: '$2'\n    v2_replacement: '$3'\n" +
				"os_parsers:\n  - regex: " + q + "\n    os_replacement: '[$0]'\n" +
				"device_parsers:\n  - regex: " + q + "\n    device_replacement: '[$0]'\n")
			ours, err := NewFromYAML(doc)
			if err != nil {
				t.Fatal(err)
			}
			var defs uaparser.RegexDefinitions
			if err := yaml.Unmarshal(doc, &defs); err != nil {
				t.Fatal(err)
			}
			theirs, err := uaparser.New(uaparser.WithRegexDefinitions(defs), uaparser.WithCacheSize(1))
			if err != nil {
				t.Fatal(err)
			}
			for _, ua := range test.agents {
				if got, want := ours.ParseUserAgent(ua), theirs.ParseUserAgent(ua); !reflect.DeepEqual(got, want) {
					t.Errorf("ParseUserAgent(%q) = %+v, uap-go %+v", ua, *got, *want)
				}
				if got, want := ours.ParseOs(ua), theirs.ParseOs(ua); !reflect.DeepEqual(got, want) {
					t.Errorf("ParseOs(%q) = %+v, uap-go %+v", ua, *got, *want)
				}
				if got, want := ours.ParseDevice(ua), theirs.ParseDevice(ua); !reflect.DeepEqual(got, want) {
					t.Errorf("ParseDevice(%q) = %+v, uap-go %+v", ua, *got, *want)
				}
			}
		})
	}
}
