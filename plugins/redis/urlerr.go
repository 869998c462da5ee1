package redis

import (
	"errors"
	"net/url"
	"strings"

	"github.com/redis/go-redis/v9"
)

// MalformedURL is what RedactURL returns for a URL it cannot show safely.
const MalformedURL = "<malformed url>"

// errUserInfoSpecial is the answer for a URL whose user info holds a
// character that ends it early: the parser would then take a piece of the
// password for a port, a path, a query or a fragment, and quote it back.
var errUserInfoSpecial = errors.New("malformed url: a '#' anywhere, or a '/' or '?' before the last '@' (percent-encode special characters of a password: %23 for #, %2F for /, %3F for ?, %25 for %, %40 for @)")

// ParseURL parses one redis:// or rediss:// URL into go-redis options, as
// the redis components do. Unlike go-redis's ParseURL, its errors never quote
// the URL or any piece of it, so they are safe to log and to print even when
// the password was not percent-encoded.
func ParseURL(raw string) (*redis.Options, error) {
	if userInfoHasSpecial(raw) {
		return nil, errUserInfoSpecial
	}
	o, err := parseRedisURL(raw)
	if err != nil {
		return nil, withoutQuotes(err)
	}
	return o, nil
}

// RedactURL returns raw with any password replaced by "xxxxx", or
// MalformedURL when raw does not parse or its user info is cut short by
// an unescaped '/', '?' or '#', where what url.Parse calls the host, path or
// fragment would hold a piece of the password.
func RedactURL(raw string) string {
	if userInfoHasSpecial(raw) {
		return MalformedURL
	}
	u, err := url.Parse(raw)
	if err != nil {
		return MalformedURL
	}
	return u.Redacted()
}

// userInfoHasSpecial reports whether the text between "://" and the last '@'
// holds '/', '?' or '#', which can only be an unescaped password or user
// name (or an '@' in the query, which must then be written %40), or whether
// raw has a '#' at all: a redis URL has no use for a fragment, and
// url.Parse would cut the password at it silently.
func userInfoHasSpecial(raw string) bool {
	if strings.IndexByte(raw, '#') >= 0 {
		return true
	}
	rest := raw
	if i := strings.Index(raw, "://"); i >= 0 {
		rest = raw[i+3:]
	}
	at := strings.LastIndexByte(rest, '@')
	return at >= 0 && strings.ContainsAny(rest[:at], "/?")
}

// withoutQuotes keeps the text of err up to its first quote: url.Parse and
// go-redis quote the piece of the URL they dislike.
func withoutQuotes(err error) error {
	msg := err.Error()
	i := strings.IndexByte(msg, '"')
	if i < 0 {
		return err
	}
	return errors.New(strings.TrimRight(msg[:i], " :"))
}
