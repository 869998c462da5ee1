package tracker

import (
	"runtime"
	"testing"
)

func TestBoxStrings(t *testing.T) {
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
			boxed := boxStrings(append([]string(nil), test.vals...))
			runtime.GC() // the boxes alone must keep the strings alive
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

func BenchmarkBoxStrings(b *testing.B) {
	vals := make([]string, 6*benchBatch)
	b.ReportAllocs()
	for b.Loop() {
		_ = boxStrings(vals)
	}
}
