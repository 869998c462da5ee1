package prometheus

import (
	"strings"
	"unicode/utf8"
)

// sanitizeMetricName turns name into a valid classic Prometheus metric name
// (`[a-zA-Z_:][a-zA-Z0-9_:]*`): every other character becomes `_`, a leading digit
// gets a `_` prefix and the empty name becomes `_`. A name that is already
// valid is returned as is, without allocating.
func sanitizeMetricName(name string) string {
	return sanitizeName(name, true)
}

// sanitizeLabelName turns name into a valid Prometheus label name
// (`[a-zA-Z_][a-zA-Z0-9_]*`, not starting with the reserved `__`). The label
// named reserved (`le` for histograms, `quantile` for summaries, or "" for
// none) is suffixed with `_` because the client library owns it.
func sanitizeLabelName(name, reserved string) string {
	name = sanitizeName(name, false)
	for strings.HasPrefix(name, "__") {
		name = name[1:]
	}
	if reserved != "" && name == reserved {
		name += "_"
	}
	return name
}

// sanitizeLabelNames applies sanitizeLabelName to every name, returning names
// itself when nothing had to change.
func sanitizeLabelNames(names []string, reserved string) []string {
	var out []string
	for i, n := range names {
		clean := sanitizeLabelName(n, reserved)
		if clean != n && out == nil {
			out = make([]string, len(names))
			copy(out, names[:i])
		}
		if out != nil {
			out[i] = clean
		}
	}
	if out == nil {
		return names
	}
	return out
}

func sanitizeName(name string, allowColon bool) string {
	if name == "" {
		return "_"
	}
	valid := func(i int, c byte) bool {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
			return true
		case c == ':':
			return allowColon
		case c >= '0' && c <= '9':
			return i > 0
		}
		return false
	}
	i := 0
	for i < len(name) && valid(i, name[i]) {
		i++
	}
	if i == len(name) {
		return name
	}
	var b strings.Builder
	b.Grow(len(name) + 1)
	b.WriteString(name[:i])
	if i == 0 && name[0] >= '0' && name[0] <= '9' {
		b.WriteByte('_')
		b.WriteByte(name[0])
		i++
	}
	for j, r := range name[i:] {
		if r < utf8.RuneSelf && valid(i+j, byte(r)) {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// validLabelValues returns values with any invalid UTF-8 replaced, because the
// client library rejects such values; valid input is returned without copying.
func validLabelValues(values []string) []string {
	for i, v := range values {
		if utf8.ValidString(v) {
			continue
		}
		out := make([]string, len(values))
		copy(out, values)
		for j := i; j < len(out); j++ {
			out[j] = strings.ToValidUTF8(out[j], "\uFFFD")
		}
		return out
	}
	return values
}
