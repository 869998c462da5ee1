package device

import "strings"

// markerSet tells in one pass which of a few groups of fixed strings a
// user agent contains, as loops of strings.Contains would, at a fraction of
// the cost: at each byte only the markers starting with it are compared.
type markerSet struct {
	first   [4]uint64 // bitset of the markers' first bytes
	byFirst [256][]marker
}

type marker struct {
	s     string
	group uint8 // bit of the marker's group
}

// newMarkerSet returns the set of groups; group i reports as bit 1<<i.
func newMarkerSet(groups ...[]string) *markerSet {
	m := &markerSet{}
	for i, g := range groups {
		for _, s := range g {
			m.first[s[0]>>6] |= 1 << (s[0] & 63)
			m.byFirst[s[0]] = append(m.byFirst[s[0]], marker{s: s, group: 1 << i})
		}
	}
	return m
}

// scan returns the bits of the groups with a marker in ua.
func (m *markerSet) scan(ua string) uint8 {
	var found uint8
	for i := 0; i < len(ua); i++ {
		b := ua[i]
		if m.first[b>>6]&(1<<(b&63)) == 0 {
			continue
		}
		for _, mk := range m.byFirst[b] {
			if found&mk.group == 0 && strings.HasPrefix(ua[i:], mk.s) {
				found |= mk.group
			}
		}
	}
	return found
}
