package tracker

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzParseLine checks that ParseLine never panics, keeps its errors short
// and, on success, returns fields that re-join to the line.
func FuzzParseLine(f *testing.F) {
	for _, seed := range []string{
		exampleLine,
		exampleLine + "\r\n",
		"2001:db8::1 1700000000 views /v p Mozilla/5.0 (X11; Linux x86_64)",
		"::ffff:1.2.3.4 1 t /p p ",
		"127.0.0.1 5 t /p p  a  b ",
		"127.0.0.1  5 t /p p",
		"x abc t /p p",
		"",
		"\x00\xff \x00 \x00 \x00 \x00 \x00",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := ParseLine(b)
		if err != nil {
			if n := len(err.Error()); n > 512 {
				t.Errorf("error is %d bytes long: %.100q...", n, err)
			}
			return
		}
		line := trimNewline(string(b))
		joined := strings.Join([]string{l.IPText, l.TSText, l.Topic, l.Path, l.Query}, " ")
		if len(line) > len(joined) {
			joined += " " + l.UserAgent
		}
		if joined != line {
			t.Errorf("fields of %q re-join to %q", line, joined)
		}
		if !l.IP.IsValid() || l.IP.Zone() != "" {
			t.Errorf("ParseLine(%q) accepted IP %v", b, l.IP)
		}
	})
}

// FuzzAppendEscaped checks that AppendEscaped writes only unreserved bytes
// and %XX escapes, and that url.PathUnescape reverses it.
func FuzzAppendEscaped(f *testing.F) {
	for _, seed := range []string{"", "Banana Phone", "é日\x00\xff", "a%2Fb", "&=+?#", "~._-"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := string(AppendEscaped(nil, s))
		for i := 0; i < len(out); i++ {
			c := out[i]
			if unreserved[c] {
				continue
			}
			if c != '%' || i+2 >= len(out) || !isUpperHex(out[i+1]) || !isUpperHex(out[i+2]) {
				t.Fatalf("AppendEscaped(%q) = %q: byte %d is neither unreserved nor %%XX", s, out, i)
			}
			i += 2
		}
		back, err := url.PathUnescape(out)
		if err != nil || back != s {
			t.Errorf("PathUnescape(%q) = %q, %v; want %q", out, back, err, s)
		}
	})
}

func isUpperHex(c byte) bool {
	return '0' <= c && c <= '9' || 'A' <= c && c <= 'F'
}
