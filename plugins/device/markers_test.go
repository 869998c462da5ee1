package device

import (
	"strings"
	"testing"
)

func TestMarkerSetMatchesContains(t *testing.T) {
	agents := append([]string{
		"", "S", "SmartT", "xSmartTV", "Tesla", "Tesla/1", "...QtCarBrowser", "Fire TV", "FireT",
		"webOS.TVx", "WebOS TV", "\xffHbbTV", "Mi TVMi T", "Tesla/ SmartTV", "QtCarBrowse",
	}, loadBenchCorpus(t)...)
	m := newMarkerSet(carMarkers, tvMarkers)
	for _, ua := range agents {
		var want uint8
		for i, group := range [][]string{carMarkers, tvMarkers} {
			for _, s := range group {
				if strings.Contains(ua, s) {
					want |= 1 << i
				}
			}
		}
		if got := m.scan(ua); got != want {
			t.Errorf("scan(%q) = %b, want %b", ua, got, want)
		}
	}
}
