package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestDemoDeliversEveryLine(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole pipeline")
	}
	var out, progress bytes.Buffer
	res, err := runDemo(t.Context(), demoOptions{
		events: 3000, badEvery: 50, geoipDB: "../../plugins/geoip/testdata/city.mmdb", samples: 3,
	}, &out, &progress)
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	if res.pushed != 3000 || res.invalid != 60 {
		t.Fatalf("pushed %d lines with %d invalid, want 3000 and 60", res.pushed, res.invalid)
	}
	if got := res.totalDelivered(); got != res.valid {
		t.Errorf("delivered %d, want every valid line (%d)", got, res.valid)
	}
	if res.deadLettered != res.invalid {
		t.Errorf("dead-lettered %d, want %d", res.deadLettered, res.invalid)
	}
	if res.leftInQueue != 0 || len(res.processingKeys) != 0 {
		t.Errorf("left %d in the queue and processing lists %v", res.leftInQueue, res.processingKeys)
	}
	if len(res.samples) == 0 {
		t.Fatal("no sample messages")
	}
	for _, want := range []string{"Delivered to Kafka: 2940 of 2940", "Dead-lettered to click_invalid: 60", "ip=", "platform="} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestDecodeMessage(t *testing.T) {
	tests := []struct {
		name string
		msg  string
		want [][2]string
	}{
		{
			name: "the DEVELOPERS.md example",
			msg:  "/t/click bot_name&country&device=smartphone&device_name=iPhone&ip=2130706433&klag=0&platform=ios&ts=1700000000 f=e&g=h",
			want: [][2]string{{"path", "/t/click"}, {"bot_name", "(unknown)"}, {"country", "(unknown)"},
				{"device", "smartphone"}, {"device_name", "iPhone"}, {"ip", "2130706433 (127.0.0.1)"},
				{"klag", "0"}, {"platform", "ios"}, {"ts", "1700000000"}, {"query", "f=e&g=h"}},
		},
		{
			name: "IPv6, escapes and an empty platform",
			msg:  "/p ip=42540766411282592856903984951653826561&device_name=Pixel%207&platform= p",
			want: [][2]string{{"path", "/p"}, {"ip", "42540766411282592856903984951653826561 (2001:db8::1)"},
				{"device_name", "Pixel 7"}, {"platform", `""`}, {"query", "p"}},
		},
		{name: "not a message", msg: "garbage", want: [][2]string{{"(raw)", "garbage"}}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			got := decodeMessage(test.msg)
			if len(got) != len(test.want) {
				t.Fatalf("got %v, want %v", got, test.want)
			}
			for i := range got {
				if got[i] != test.want[i] {
					t.Errorf("field %d: got %v, want %v", i, got[i], test.want[i])
				}
			}
		})
	}
}
