package device

import "strings"

// markerSet tells in one pass whether a user agent contains any of a few
// fixed strings, as a loop of strings.Contains would, at a fraction of the
// cost: at each byte only the markers starting with it are compared.
type markerSet struct {
	byFirst [256][]string
}

func newMarkerSet(markers ...string) *markerSet {
	m := &markerSet{}
	for _, s := range markers {
		m.byFirst[s[0]] = append(m.byFirst[s[0]], s)
	}
	return m
}

// any reports whether ua contains one of the markers.
func (m *markerSet) any(ua string) bool {
	for i := 0; i < len(ua); i++ {
		for _, s := range m.byFirst[ua[i]] {
			if strings.HasPrefix(ua[i:], s) {
				return true
			}
		}
	}
	return false
}
