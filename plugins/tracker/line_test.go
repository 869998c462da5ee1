package tracker

import (
	"net/netip"
	"strings"
	"testing"
)

const exampleLine = "127.0.0.1 1700000000 clicks /t/click f=e&g=h iPhone Banana Phone"

func TestParseLine(t *testing.T) {
	v4 := netip.MustParseAddr("127.0.0.1")
	tests := []struct {
		name     string
		in       string
		want     Line
		errEqual string // the whole error message
		errHas   string // a part of the error message
	}{
		{
			name: "example",
			in:   exampleLine,
			want: Line{IP: v4, IPText: "127.0.0.1", TS: 1700000000, TSText: "1700000000", Topic: "clicks", Path: "/t/click", Query: "f=e&g=h", UserAgent: "iPhone Banana Phone"},
		},
		{
			name: "ipv6",
			in:   "2001:db8::1 1700000001 views /v p Mozilla/5.0",
			want: Line{IP: netip.MustParseAddr("2001:db8::1"), IPText: "2001:db8::1", TS: 1700000001, TSText: "1700000001", Topic: "views", Path: "/v", Query: "p", UserAgent: "Mozilla/5.0"},
		},
		{
			name: "ipv4-mapped ipv6 kept as written",
			in:   "::ffff:1.2.3.4 1 t /p q ua",
			want: Line{IP: netip.MustParseAddr("::ffff:1.2.3.4"), IPText: "::ffff:1.2.3.4", TS: 1, TSText: "1", Topic: "t", Path: "/p", Query: "q", UserAgent: "ua"},
		},
		{
			name: "exactly five fields: empty user agent",
			in:   "127.0.0.1 5 t /p p",
			want: Line{IP: v4, IPText: "127.0.0.1", TS: 5, TSText: "5", Topic: "t", Path: "/p", Query: "p"},
		},
		{
			name: "five fields and a trailing space: empty user agent",
			in:   "127.0.0.1 5 t /p p ",
			want: Line{IP: v4, IPText: "127.0.0.1", TS: 5, TSText: "5", Topic: "t", Path: "/p", Query: "p"},
		},
		{
			name: "user agent keeps runs of spaces",
			in:   "127.0.0.1 5 t /p p  a  b   c ",
			want: Line{IP: v4, IPText: "127.0.0.1", TS: 5, TSText: "5", Topic: "t", Path: "/p", Query: "p", UserAgent: " a  b   c "},
		},
		{
			name: "trailing newline is not part of the line",
			in:   exampleLine + "\n",
			want: Line{IP: v4, IPText: "127.0.0.1", TS: 1700000000, TSText: "1700000000", Topic: "clicks", Path: "/t/click", Query: "f=e&g=h", UserAgent: "iPhone Banana Phone"},
		},
		{
			name: "trailing crlf is not part of the line",
			in:   "127.0.0.1 5 t /p p\r\n",
			want: Line{IP: v4, IPText: "127.0.0.1", TS: 5, TSText: "5", Topic: "t", Path: "/p", Query: "p"},
		},
		{
			name: "lone trailing cr is part of the line",
			in:   "127.0.0.1 5 t /p p ua\r",
			want: Line{IP: v4, IPText: "127.0.0.1", TS: 5, TSText: "5", Topic: "t", Path: "/p", Query: "p", UserAgent: "ua\r"},
		},
		{
			name: "unicode, nul and invalid utf-8 pass through path, query and user agent",
			in:   "127.0.0.1 5 t-1.x_y /é\x00 q=\xff Приложение \x00\xfe",
			want: Line{IP: v4, IPText: "127.0.0.1", TS: 5, TSText: "5", Topic: "t-1.x_y", Path: "/é\x00", Query: "q=\xff", UserAgent: "Приложение \x00\xfe"},
		},
		{
			name: "negative timestamp is an integer",
			in:   "127.0.0.1 -5 t /p p",
			want: Line{IP: v4, IPText: "127.0.0.1", TS: -5, TSText: "-5", Topic: "t", Path: "/p", Query: "p"},
		},
		{name: "empty", in: "", errEqual: "line is empty; a tracker line needs at least 5 fields: IP UNIX_TS TOPIC PATH QUERY"},
		{name: "only a newline", in: "\n", errHas: "line is empty"},
		{name: "one field", in: "127.0.0.1", errEqual: "line has 1 fields; a tracker line needs at least 5: IP UNIX_TS TOPIC PATH QUERY"},
		{name: "three fields", in: "127.0.0.1 5 t", errEqual: "line has 3 fields; a tracker line needs at least 5: IP UNIX_TS TOPIC PATH QUERY"},
		{name: "four fields", in: "127.0.0.1 5 t /p\n", errEqual: "line has 4 fields; a tracker line needs at least 5: IP UNIX_TS TOPIC PATH QUERY"},
		{name: "four fields and a space", in: "127.0.0.1 5 t /p ", errEqual: "field 5 (query) is empty; fields are separated by single spaces"},
		{name: "double space", in: "127.0.0.1  5 t /p p ua", errEqual: "field 2 (timestamp) is empty; fields are separated by single spaces"},
		{name: "leading space", in: " 127.0.0.1 5 t /p p ua", errEqual: "field 1 (ip) is empty; fields are separated by single spaces"},
		{name: "empty topic", in: "127.0.0.1 5  /p p ua", errEqual: "field 3 (topic) is empty; fields are separated by single spaces"},
		{name: "empty path", in: "127.0.0.1 5 t  p ua", errEqual: "field 4 (path) is empty; fields are separated by single spaces"},
		{name: "bad ip", in: "x 5 t /p p", errEqual: `field 1 (ip) is not an IPv4 or IPv6 address: "x"`},
		{name: "ip with port", in: "1.2.3.4:80 5 t /p p", errEqual: `field 1 (ip) is not an IPv4 or IPv6 address: "1.2.3.4:80"`},
		{name: "ip with zone", in: "fe80::1%eth0 5 t /p p", errEqual: `field 1 (ip) is not an IPv4 or IPv6 address: "fe80::1%eth0"`},
		{name: "ip with nul", in: "1.2.3.4\x00 5 t /p p", errEqual: `field 1 (ip) is not an IPv4 or IPv6 address: "1.2.3.4\x00"`},
		{name: "bad timestamp", in: "127.0.0.1 abc t /p p", errEqual: `field 2 (timestamp) is not an integer: "abc"`},
		{name: "fractional timestamp", in: "127.0.0.1 1.5 t /p p", errEqual: `field 2 (timestamp) is not an integer: "1.5"`},
		{name: "huge timestamp", in: "127.0.0.1 99999999999999999999 t /p p", errEqual: `field 2 (timestamp) is out of the 64-bit integer range: "99999999999999999999"`},
		{name: "topic with slash", in: "127.0.0.1 5 a/b /p p", errEqual: `field 3 (topic) is not a legal Kafka topic name (A-Za-z0-9._- only): "a/b"`},
		{name: "topic with invalid utf-8", in: "127.0.0.1 5 a\xff /p p", errEqual: `field 3 (topic) is not a legal Kafka topic name (A-Za-z0-9._- only): "a\xff"`},
		{name: "topic dot dot", in: "127.0.0.1 5 .. /p p", errEqual: `field 3 (topic) ".." is not a legal Kafka topic name`},
		{name: "topic too long", in: "127.0.0.1 5 " + strings.Repeat("t", 250) + " /p p", errHas: "field 3 (topic) is 250 bytes; Kafka topic names are at most 249"},
		{name: "poison ip is quoted short", in: strings.Repeat("A", 4<<20) + " 5 t /p p", errEqual: `field 1 (ip) is not an IPv4 or IPv6 address: "` + strings.Repeat("A", 64) + `"... (4194304 bytes)`},
		{name: "binary", in: "\x00\x01\x02 \xff\xfe \x00 \x00 \x00", errEqual: `field 1 (ip) is not an IPv4 or IPv6 address: "\x00\x01\x02"`},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			got, err := ParseLine([]byte(test.in))
			if test.errEqual != "" || test.errHas != "" {
				if err == nil {
					t.Fatalf("ParseLine(%q) = %+v, want an error", test.in, got)
				}
				if test.errEqual != "" && err.Error() != test.errEqual {
					t.Errorf("error = %q, want %q", err, test.errEqual)
				}
				if !strings.Contains(err.Error(), test.errHas) {
					t.Errorf("error = %q, want it to contain %q", err, test.errHas)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseLine(%q): %v", test.in, err)
			}
			if got != test.want {
				t.Errorf("ParseLine(%q) =\n%+v, want\n%+v", test.in, got, test.want)
			}
		})
	}
}

func TestParseLineStringAllocatesNothing(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := ParseLineString(exampleLine); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("ParseLineString allocates %v times per line, want 0", allocs)
	}
}
