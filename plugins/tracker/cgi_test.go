package tracker

import (
	"slices"
	"strings"
	"testing"
)

func TestAppendEscaped(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "empty", in: "", want: ""},
		{name: "unreserved kept", in: "AZaz09-._~", want: "AZaz09-._~"},
		{name: "space is %20", in: "Banana Phone", want: "Banana%20Phone"},
		{name: "reserved", in: "&=+%/?#:@!$'()*,;[]", want: "%26%3D%2B%25%2F%3F%23%3A%40%21%24%27%28%29%2A%2C%3B%5B%5D"},
		{name: "utf-8 bytes", in: "é日", want: "%C3%A9%E6%97%A5"},
		{name: "nul, control and high bytes", in: "\x00\t\n\x7f\xff", want: "%00%09%0A%7F%FF"},
		{name: "invalid utf-8", in: "a\xc3(b", want: "a%C3%28b"},
		{name: "escape at both ends", in: " x ", want: "%20x%20"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			got := string(AppendEscaped([]byte("k="), test.in))
			if got != "k="+test.want {
				t.Errorf("AppendEscaped(%q) = %q, want %q", test.in, got, "k="+test.want)
			}
		})
	}
}

func TestMetaBuilder(t *testing.T) {
	tests := []struct {
		name   string
		keys   []string
		values map[string]string // absent keys are unset
		want   string
	}{
		{
			name:   "sorted, unset bare, empty with equals, escaped",
			keys:   []string{"ts", "country", "device_name", "city", "bot_name"},
			values: map[string]string{"ts": "1", "city": "New York", "device_name": ""},
			want:   "bot_name&city=New%20York&country&device_name=&ts=1",
		},
		{name: "single unset", keys: []string{"a"}, want: "a"},
		{name: "single set", keys: []string{"a"}, values: map[string]string{"a": "&="}, want: "a=%26%3D"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			keys := slices.Clone(test.keys)
			m, err := NewMetaBuilder(keys)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(keys, test.keys) {
				t.Errorf("NewMetaBuilder modified its argument: %q", keys)
			}
			got := string(m.AppendStrings([]byte("/p "), func(k string) (string, bool) {
				v, ok := test.values[k]
				return v, ok
			}))
			if got != "/p "+test.want {
				t.Errorf("got %q, want %q", got, "/p "+test.want)
			}
		})
	}
}

func TestNewMetaBuilderErrors(t *testing.T) {
	tests := []struct {
		name        string
		keys        []string
		errContains string
	}{
		{name: "none", keys: nil, errContains: "no fields"},
		{name: "empty name", keys: []string{"a", ""}, errContains: "field names must not be empty"},
		{name: "duplicate", keys: []string{"ip", "ts", "ip"}, errContains: `field "ip" is listed twice`},
		{name: "ampersand", keys: []string{"a&b"}, errContains: `field name "a&b" has "&"`},
		{name: "space", keys: []string{"a b"}, errContains: `field name "a b" has " "`},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			_, err := NewMetaBuilder(test.keys)
			if err == nil || !strings.Contains(err.Error(), test.errContains) {
				t.Errorf("NewMetaBuilder(%q) error = %v, want it to contain %q", test.keys, err, test.errContains)
			}
		})
	}
}
