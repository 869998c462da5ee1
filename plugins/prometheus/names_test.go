package prometheus

import (
	"slices"
	"testing"
)

func TestSanitizeMetricName(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"valid unchanged", "input_received", "input_received"},
		{"colon kept", "ns:rate_5m", "ns:rate_5m"},
		{"dots and dashes", "events.by-topic", "events_by_topic"},
		{"leading digit", "5xx_total", "_5xx_total"},
		{"multi-byte rune is one underscore", "caf\u00e9_hits", "caf__hits"},
		{"empty", "", "_"},
		{"spaces", "a b", "a_b"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			if got := sanitizeMetricName(test.in); got != test.want {
				t.Errorf("sanitizeMetricName(%q) = %q, want %q", test.in, got, test.want)
			}
		})
	}
}

func TestSanitizeLabelName(t *testing.T) {
	tests := []struct {
		name, in, reserved, want string
	}{
		{"valid unchanged", "topic", "", "topic"},
		{"colon replaced", "a:b", "", "a_b"},
		{"reserved prefix trimmed", "__name__", "", "_name__"},
		{"histogram le renamed", "le", "le", "le_"},
		{"summary quantile renamed", "quantile", "quantile", "quantile_"},
		{"le fine for summaries", "le", "quantile", "le"},
		{"leading digit", "2nd", "", "_2nd"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			if got := sanitizeLabelName(test.in, test.reserved); got != test.want {
				t.Errorf("sanitizeLabelName(%q, %q) = %q, want %q", test.in, test.reserved, got, test.want)
			}
		})
	}
}

func TestSanitizeLabelNamesNoCopyWhenValid(t *testing.T) {
	in := []string{"label", "path"}
	if out := sanitizeLabelNames(in, "le"); &out[0] != &in[0] {
		t.Error("valid names were copied")
	}
	in = []string{"ok", "a.b"}
	if out := sanitizeLabelNames(in, ""); !slices.Equal(out, []string{"ok", "a_b"}) || in[1] != "a.b" {
		t.Errorf("got %q from %q", out, in)
	}
}

func TestValidLabelValues(t *testing.T) {
	in := []string{"ok", "bad\xff"}
	if out := validLabelValues(in); !slices.Equal(out, []string{"ok", "bad\uFFFD"}) || in[1] != "bad\xff" {
		t.Errorf("got %q from %q", out, in)
	}
	valid := []string{"a", "b"}
	if out := validLabelValues(valid); &out[0] != &valid[0] {
		t.Error("valid values were copied")
	}
}
