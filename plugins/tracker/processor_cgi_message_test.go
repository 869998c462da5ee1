package tracker

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
)

// exampleMessage is what the example line becomes in the second it was
// tracked on an iPhone whose country is unknown.
const exampleMessage = "/t/click bot_name&country&device=smartphone&device_name=iPhone&ip=2130706433&klag=0&platform=ios&ts=1700000000 f=e&g=h"

// newCGIMessageFromYAML builds a cgi_message processor as a config does,
// with a clock fixed at now.
func newCGIMessageFromYAML(t testing.TB, yaml string, now time.Time) *cgiMessage {
	t.Helper()
	conf, err := cgiMessageSpec().ParseYAML(yaml, nil)
	if err != nil {
		t.Fatalf("parsing config: %v", err)
	}
	p, err := newCGIMessageFromConfig(conf)
	if err != nil {
		t.Fatalf("building cgi_message: %v", err)
	}
	p.now = func() time.Time { return now }
	return p
}

// trackedMessage returns a message carrying what tracker_line and
// device_detect set for line.
func trackedMessage(t testing.TB, line string, extra map[string]string) *service.Message {
	t.Helper()
	msg := service.NewMessage([]byte(line))
	l, err := ParseLine([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{MetaClientIP: l.IPText, MetaTS: l.TSText, MetaTopic: l.Topic, MetaPath: l.Path, MetaQuery: l.Query, MetaUserAgent: l.UserAgent} {
		msg.MetaSetMut(k, v)
	}
	for k, v := range extra {
		msg.MetaSetMut(k, v)
	}
	return msg
}

var iPhone = map[string]string{"device": "smartphone", "device_name": "iPhone", "platform": "ios"}

func TestCGIMessageProcessor(t *testing.T) {
	tracked := time.Unix(1700000000, 0)
	tests := []struct {
		name     string
		yaml     string
		now      time.Time
		line     string
		extra    map[string]string // metadata set by later processors
		unset    []string          // metadata removed before cgi_message
		want     string
		errEqual string
	}{
		{name: "example", yaml: "keep_original: tracker_line", now: tracked.Add(999 * time.Millisecond), line: exampleLine, extra: iPhone, want: exampleMessage},
		{
			name:  "ipv6, klag, empty platform, country set",
			now:   tracked.Add(5 * time.Second),
			line:  "2001:db8::1 1700000000 imp /t/imp p Googlebot",
			extra: map[string]string{"bot_name": "Googlebot", "platform": "", "country": "GB"},
			want:  "/t/imp bot_name=Googlebot&country=GB&device&device_name&ip=42540766411282592856903984951653826561&klag=5&platform=&ts=1700000000 p",
		},
		{
			name: "ipv6 loopback and a tracker clock ahead of ours",
			now:  tracked.Add(-2 * time.Second),
			yaml: "fields: [ts, klag, ip]",
			line: "::1 1700000000 t /p p",
			want: "/p ip=1&klag=-2&ts=1700000000 p",
		},
		{
			name: "ipv4-mapped ipv6 is written as ipv4",
			now:  tracked,
			yaml: "fields: [ip]",
			line: "::ffff:127.0.0.1 1700000000 t /p p",
			want: "/p ip=2130706433 p",
		},
		{
			name:  "custom fields are escaped and sorted",
			now:   tracked,
			yaml:  "fields: [ts, city, device_name, country]",
			line:  exampleLine,
			extra: map[string]string{"city": "São Paulo", "device_name": "Nokia 3310 & co/100%"},
			want:  "/t/click city=S%C3%A3o%20Paulo&country&device_name=Nokia%203310%20%26%20co%2F100%25&ts=1700000000 f=e&g=h",
		},
		{name: "event_path not set", now: tracked, line: exampleLine, unset: []string{MetaPath}, errEqual: "metadata event_path is not set; run tracker_line before cgi_message"},
		{name: "event_query not set", now: tracked, line: exampleLine, unset: []string{MetaQuery}, errEqual: "metadata event_query is not set; run tracker_line before cgi_message"},
		{name: "event_query empty", now: tracked, line: exampleLine, extra: map[string]string{MetaQuery: ""}, errEqual: "metadata event_query is empty"},
		{name: "client_ip not set", now: tracked, line: exampleLine, unset: []string{MetaClientIP}, errEqual: "metadata client_ip is not set; run tracker_line before cgi_message"},
		{name: "client_ip invalid", now: tracked, line: exampleLine, extra: map[string]string{MetaClientIP: "a.b.c.d"}, errEqual: `metadata client_ip is not an IPv4 or IPv6 address: "a.b.c.d"`},
		{name: "event_ts not set", now: tracked, line: exampleLine, unset: []string{MetaTS}, errEqual: "metadata event_ts is not set; run tracker_line before cgi_message"},
		{name: "event_ts invalid", now: tracked, line: exampleLine, extra: map[string]string{MetaTS: "soon"}, errEqual: `metadata event_ts is not an integer: "soon"`},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			p := newCGIMessageFromYAML(t, test.yaml, test.now)
			msg := trackedMessage(t, test.line, test.extra)
			for _, k := range test.unset {
				msg.MetaDelete(k)
			}
			if _, err := p.ProcessBatch(t.Context(), service.MessageBatch{msg}); err != nil {
				t.Fatal(err)
			}
			got, _ := msg.AsBytes()
			orig, origSet := msg.MetaGet("tracker_line")
			if test.errEqual != "" {
				if err := msg.GetError(); err == nil || err.Error() != test.errEqual {
					t.Errorf("error = %v, want %q", err, test.errEqual)
				}
				if string(got) != test.line {
					t.Errorf("content = %q, want it unchanged", got)
				}
				if origSet {
					t.Errorf("@tracker_line set on a failed message")
				}
				return
			}
			if err := msg.GetError(); err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if string(got) != test.want {
				t.Errorf("content =\n%s\nwant\n%s", got, test.want)
			}
			if wantKeep := strings.Contains(test.yaml, "keep_original"); origSet != wantKeep || (wantKeep && orig != test.line) {
				t.Errorf("@tracker_line = %q (set %v), want %q (set %v)", orig, origSet, test.line, wantKeep)
			}
		})
	}
}

// TestCGIMessageProcessorBatch checks that messages sharing the batch buffer
// do not clobber each other and that failed ones keep their content.
func TestCGIMessageProcessorBatch(t *testing.T) {
	p := newCGIMessageFromYAML(t, "{fields: [ip], keep_original: orig}", time.Unix(1700000000, 0))
	lines := []string{"0.0.0.1 1 t /a p", "0.0.0.2 2 t /b p ua", "0.0.0.3 3 t /c p", "not a tracker line", "0.0.0.5 5 t /e p"}
	var batch service.MessageBatch
	for _, l := range lines[:3] {
		batch = append(batch, trackedMessage(t, l, nil))
	}
	// Failed by an earlier step (tracker_line), outside any try block.
	failed := service.NewMessage([]byte(lines[3]))
	failed.SetError(errors.New("line has 4 fields"))
	batch = append(batch, failed, trackedMessage(t, lines[4], nil))
	batch[1].MetaSetMut(MetaTS, "x")
	if _, err := p.ProcessBatch(t.Context(), batch); err != nil {
		t.Fatal(err)
	}
	first, _ := batch[0].AsBytes()
	_ = append(first, "XXXXXXXX"...) // must not write into the next message
	for i, want := range []string{"/a ip=1 p", lines[1], "/c ip=3 p", lines[3], "/e ip=5 p"} {
		if got, _ := batch[i].AsBytes(); string(got) != want {
			t.Errorf("message %d = %q, want %q", i, got, want)
		}
	}
	for i, want := range []string{lines[0], "", lines[2], "", lines[4]} {
		if got, _ := batch[i].MetaGet("orig"); got != want {
			t.Errorf("message %d @orig = %q, want %q", i, got, want)
		}
	}
	if batch[1].GetError() == nil {
		t.Error("message 1 has a bad event_ts but no error")
	}
	if err := batch[3].GetError(); err == nil || err.Error() != "line has 4 fields" {
		t.Errorf("message 3 error = %v, want the earlier step's error kept", err)
	}
}

func TestCGIMessageConfigErrors(t *testing.T) {
	tests := []struct {
		name        string
		yaml        string
		errContains string
	}{
		{name: "duplicate", yaml: "fields: [ip, ts, ip]", errContains: `checking fields: field "ip" is listed twice`},
		{name: "empty name", yaml: `fields: [ip, ""]`, errContains: "checking fields: field names must not be empty"},
		{name: "empty list", yaml: "fields: []", errContains: "checking fields: no fields"},
		{name: "bad character", yaml: "fields: [a=b]", errContains: `field name "a=b" has "="`},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			conf, err := cgiMessageSpec().ParseYAML(test.yaml, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := newCGIMessageFromConfig(conf); err == nil || !strings.Contains(err.Error(), test.errContains) {
				t.Errorf("error = %v, want it to contain %q", err, test.errContains)
			}
		})
	}
}

// lagRecorder records Timing calls.
type lagRecorder struct{ got []time.Duration }

func (r *lagRecorder) Timing(delta int64, _ ...string) { r.got = append(r.got, time.Duration(delta)) }

func TestCGIMessageEventLag(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  []time.Duration
	}{
		{
			name: "one observation per converted message, none for failed ones",
			lines: []string{
				"127.0.0.1 1699999970 clicks /t p UA",
				"",
				"127.0.0.1 1700000000 clicks /t p UA",
			},
			want: []time.Duration{30 * time.Second, 0},
		},
		{
			name:  "a clock ahead gives a negative lag",
			lines: []string{"127.0.0.1 1700000005 clicks /t p UA"},
			want:  []time.Duration{-5 * time.Second},
		},
		{
			name:  "an absurd timestamp is clamped, not overflowed",
			lines: []string{"127.0.0.1 -9000000000000000000 clicks /t p UA"},
			want:  []time.Duration{time.Duration(maxLagSeconds) * time.Second},
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			p := newCGIMessageFromYAML(t, "{}", time.Unix(1700000000, 0))
			rec := &lagRecorder{}
			p.lag = rec
			var batch service.MessageBatch
			for _, l := range test.lines {
				if l == "" {
					batch = append(batch, service.NewMessage([]byte("not tracked")))
					continue
				}
				batch = append(batch, trackedMessage(t, l, nil))
			}
			if _, err := p.ProcessBatch(t.Context(), batch); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rec.got, test.want) {
				t.Errorf("lags %v, want %v", rec.got, test.want)
			}
		})
	}
}
