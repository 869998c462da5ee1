package device

import (
	"strings"
	"testing"
)

func TestMarkerSetMatchesContains(t *testing.T) {
	agents := append([]string{
		"", "S", "SmartT", "xSmartTV", "Tesla", "Tesla/1", "...QtCarBrowser", "Fire TV", "FireT",
		"webOS.TVx", "WebOS TV", "\xffHbbTV", "Mi TVMi T",
	}, loadBenchCorpus(t)...)
	sets := []struct {
		name    string
		markers []string
	}{
		{name: "tv", markers: tvMarkers},
		{name: "car", markers: []string{"Tesla/", "QtCarBrowser"}},
	}
	for _, set := range sets {
		t.Run(set.name, func(t *testing.T) {
			m := newMarkerSet(set.markers...)
			for _, ua := range agents {
				want := false
				for _, s := range set.markers {
					want = want || strings.Contains(ua, s)
				}
				if got := m.any(ua); got != want {
					t.Errorf("any(%q) = %v, want %v", ua, got, want)
				}
			}
		})
	}
}
