package event

import (
	"testing"
)

// FuzzTrackerEvent compares tracker_event with the four-processor chain on
// arbitrary lines, each alone and after a valid line in the same batch.
// go test -run '^$' -fuzz FuzzTrackerEvent -fuzztime 5s ./plugins/event
func FuzzTrackerEvent(f *testing.F) {
	for _, l := range edgeLines {
		f.Add(l)
	}
	pairs := map[string]*pair{}
	for _, mode := range []string{teMetadataAll, teMetadataRouting} {
		pairs[mode] = newPair(f, cityDB, "tracker_line", mode, nil)
	}
	f.Fuzz(func(t *testing.T, line string) {
		for _, p := range pairs {
			p.compare(t, []input{{line: edgeLines[0]}, {line: line}})
		}
	})
}
