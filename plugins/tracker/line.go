package tracker

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// maxQuotedBytes bounds how much of an offending value an error message
// quotes, so a multi-megabyte poison line cannot produce a multi-megabyte
// error (and log line, and dead-letter annotation).
const maxQuotedBytes = 64

// maxTopicBytes is the longest topic name Kafka accepts.
const maxTopicBytes = 249

// Line is one parsed tracker line: `IP UNIX_TS TOPIC PATH QUERY USER AGENT...`.
//
// Every string field is a substring of the parsed text, so a Line made by
// ParseLineString allocates nothing of its own.
type Line struct {
	IP        netip.Addr // the client address; may be an IPv4-mapped IPv6 address as written
	IPText    string     // the first field exactly as written
	TS        int64      // the event time in Unix seconds
	TSText    string     // the second field exactly as written
	Topic     string     // the Kafka topic; checked against Kafka's topic name rules
	Path      string     // the request path, never empty
	Query     string     // the request query, never empty (trackers write `p` when there was none)
	UserAgent string     // everything after the fifth field's following space; may be empty or hold spaces
}

// fieldNames names the five fixed fields for error messages, in line order.
var fieldNames = [5]string{"ip", "timestamp", "topic", "path", "query"}

// ParseLine parses a tracker line. It is ParseLineString over a copy of b;
// the returned Line does not alias b.
func ParseLine(b []byte) (Line, error) {
	return ParseLineString(string(b))
}

// ParseLineString parses a tracker line without allocating on success: the
// returned Line's strings are substrings of s.
//
// Fields are separated by single spaces. The first five fields are IP,
// UNIX_TS, TOPIC, PATH and QUERY and must be non-empty (two spaces in a row
// make an empty field); everything after the space that follows QUERY is the
// user agent, spaces included, and is empty when the line has exactly five
// fields. One trailing "\n" or "\r\n" is not part of the line.
//
// The IP must be an IPv4 or IPv6 address without a zone, the timestamp a
// base-10 64-bit integer, and the topic a legal Kafka topic name (1 to 249
// bytes of A-Za-z0-9._- and not "." or ".."), so that a bad line fails here
// and reaches the dead-letter list instead of failing at the Kafka output.
// PATH, QUERY and the user agent are taken as written, whatever bytes they
// hold.
func ParseLineString(s string) (Line, error) {
	s = trimNewline(s)
	if s == "" {
		return Line{}, errors.New("line is empty; a tracker line needs at least 5 fields: IP UNIX_TS TOPIC PATH QUERY")
	}
	var f [5]string
	rest := s
	for i := range f {
		sp := strings.IndexByte(rest, ' ')
		if sp < 0 {
			if i < len(f)-1 {
				return Line{}, fmt.Errorf("line has %d fields; a tracker line needs at least 5: IP UNIX_TS TOPIC PATH QUERY", i+1)
			}
			f[i], rest = rest, ""
			break
		}
		f[i], rest = rest[:sp], rest[sp+1:]
	}
	for i, v := range f {
		if v == "" {
			return Line{}, fmt.Errorf("field %d (%s) is empty; fields are separated by single spaces", i+1, fieldNames[i])
		}
	}
	l := Line{IPText: f[0], TSText: f[1], Topic: f[2], Path: f[3], Query: f[4], UserAgent: rest}
	var err error
	if l.IP, err = parseIP(f[0]); err != nil {
		return Line{}, err
	}
	if l.TS, err = parseTS(f[1]); err != nil {
		return Line{}, err
	}
	if err := checkTopic(f[2]); err != nil {
		return Line{}, err
	}
	return l, nil
}

// trimNewline removes one trailing "\n" or "\r\n".
func trimNewline(s string) string {
	if strings.HasSuffix(s, "\n") {
		s = s[:len(s)-1]
		s = strings.TrimSuffix(s, "\r")
	}
	return s
}

func parseIP(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("field 1 (ip) is not an IPv4 or IPv6 address: %s", quote(s))
	}
	return a, nil
}

func parseTS(s string) (int64, error) {
	ts, err := strconv.ParseInt(s, 10, 64)
	if err == nil {
		return ts, nil
	}
	if errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("field 2 (timestamp) is out of the 64-bit integer range: %s", quote(s))
	}
	return 0, fmt.Errorf("field 2 (timestamp) is not an integer: %s", quote(s))
}

func checkTopic(s string) error {
	if len(s) > maxTopicBytes {
		return fmt.Errorf("field 3 (topic) is %d bytes; Kafka topic names are at most %d: %s", len(s), maxTopicBytes, quote(s))
	}
	if s == "." || s == ".." {
		return fmt.Errorf("field 3 (topic) %q is not a legal Kafka topic name", s)
	}
	for i := 0; i < len(s); i++ {
		if !isTopicByte(s[i]) {
			return fmt.Errorf("field 3 (topic) is not a legal Kafka topic name (A-Za-z0-9._- only): %s", quote(s))
		}
	}
	return nil
}

func isTopicByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-'
}

// quote renders s with %q for an error message, keeping at most
// maxQuotedBytes of it and saying how long it really was.
func quote(s string) string {
	if len(s) <= maxQuotedBytes {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:maxQuotedBytes]) + "... (" + strconv.Itoa(len(s)) + " bytes)"
}
