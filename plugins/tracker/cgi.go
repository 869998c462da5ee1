package tracker

import (
	"errors"
	"fmt"
	"slices"
)

const upperHex = "0123456789ABCDEF"

// unreserved marks the RFC 3986 unreserved bytes: A-Za-z0-9 - . _ ~
var unreserved = func() (t [256]bool) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
		t[c+'a'-'A'] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "-._~" {
		t[c] = true
	}
	return t
}()

// AppendEscaped appends s percent-encoded per RFC 3986: the unreserved bytes
// A-Za-z0-9-._~ are kept, every other byte (UTF-8 sequences and invalid
// bytes alike) becomes %XX in upper-case hex, so a space is %20, never +.
// url.PathUnescape reverses it. It does not allocate beyond growing dst.
func AppendEscaped(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved[c] {
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
		start = i + 1
	}
	return append(dst, s[start:]...)
}

// MetaBuilder writes the META part of a CGI message: `k1=v1&k2&k3=` for a
// fixed set of keys in sorted order, where a key whose value is not set is
// written bare and a key set to the empty string is written as `k=`.
//
// A MetaBuilder is immutable and safe for concurrent use.
type MetaBuilder struct {
	keys []string
}

// NewMetaBuilder returns a builder for keys, which it sorts (the caller's
// slice is not modified). Keys must be non-empty, unique and made only of
// unreserved bytes (A-Za-z0-9-._~), so they never need escaping and never
// break the `&` and `=` framing.
func NewMetaBuilder(keys []string) (*MetaBuilder, error) {
	if len(keys) == 0 {
		return nil, errors.New("no fields: list at least one metadata field")
	}
	sorted := slices.Clone(keys)
	slices.Sort(sorted)
	for i, k := range sorted {
		if k == "" {
			return nil, errors.New("field names must not be empty")
		}
		if i > 0 && sorted[i-1] == k {
			return nil, fmt.Errorf("field %q is listed twice", k)
		}
		for j := 0; j < len(k); j++ {
			if !unreserved[k[j]] {
				return nil, fmt.Errorf("field name %q has %q; field names may only hold A-Za-z0-9-._~", k, k[j:j+1])
			}
		}
	}
	return &MetaBuilder{keys: sorted}, nil
}

// Keys returns the keys in the order they are written. It must not be
// modified.
func (m *MetaBuilder) Keys() []string {
	return m.keys
}

// Append appends META to dst. For each key, in order, value is called with
// dst already holding `key=` and the key's index in Keys; it appends the
// key's value, already escaped (see AppendEscaped), and reports whether the
// key is set. When it is not, whatever it appended and the `=` are dropped
// and the key is written bare.
func (m *MetaBuilder) Append(dst []byte, value func(dst []byte, i int) ([]byte, bool)) []byte {
	for i, k := range m.keys {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, k...)
		bare := len(dst)
		dst = append(dst, '=')
		var set bool
		if dst, set = value(dst, i); !set {
			dst = dst[:bare]
		}
	}
	return dst
}

// AppendStrings appends META to dst, taking each key's value from lookup and
// escaping it with AppendEscaped.
func (m *MetaBuilder) AppendStrings(dst []byte, lookup func(key string) (string, bool)) []byte {
	return m.Append(dst, func(dst []byte, i int) ([]byte, bool) {
		v, ok := lookup(m.keys[i])
		return AppendEscaped(dst, v), ok
	})
}
