package tracker

import (
	"runtime"
	"strings"
	"testing"
)

func TestBoxedString(t *testing.T) {
	tests := []struct {
		name string
		vals []string
	}{
		{name: "none", vals: nil},
		{name: "empty string", vals: []string{""}},
		{name: "several", vals: []string{"127.0.0.1", "1700000000", "clicks", "", "Mozilla/5.0 (iPhone)"}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			boxes := make([]boxedString, len(test.vals))
			boxed := make([]any, len(test.vals))
			for i, v := range test.vals {
				boxed[i] = boxes[i].set(strings.Clone(v))
			}
			runtime.GC() // the any values alone must keep the strings alive
			if len(boxed) != len(test.vals) {
				t.Fatalf("got %d boxes, want %d", len(boxed), len(test.vals))
			}
			for i, b := range boxed {
				s, ok := b.(string)
				if !ok || s != test.vals[i] {
					t.Errorf("box %d holds %#v, want %q", i, b, test.vals[i])
				}
				if b != any(test.vals[i]) {
					t.Errorf("box %d does not compare equal to %q", i, test.vals[i])
				}
			}
		})
	}
}

func BenchmarkBoxedString(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		boxes := make([]boxedString, lineMetaKeys*benchBatch)
		for i := range boxes {
			_ = boxes[i].set("127.0.0.1")
		}
	}
}
