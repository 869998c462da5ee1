package tracker

import (
	"strings"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
)

// newTrackerLineFromYAML builds a tracker_line processor as a config does.
func newTrackerLineFromYAML(t testing.TB, yaml string) *trackerLine {
	t.Helper()
	conf, err := trackerLineSpec().ParseYAML(yaml, nil)
	if err != nil {
		t.Fatalf("parsing config: %v", err)
	}
	p, err := newTrackerLineFromConfig(conf)
	if err != nil {
		t.Fatalf("building tracker_line: %v", err)
	}
	return p
}

// metaOf returns a message's metadata as strings.
func metaOf(t testing.TB, msg *service.Message) map[string]string {
	t.Helper()
	m := map[string]string{}
	if err := msg.MetaWalk(func(k, v string) error { m[k] = v; return nil }); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTrackerLineProcessor(t *testing.T) {
	tests := []struct {
		name     string
		yaml     string
		in       string
		wantMeta map[string]string // nil when the line is invalid
		errEqual string
	}{
		{
			name: "example",
			in:   exampleLine,
			wantMeta: map[string]string{
				"client_ip": "127.0.0.1", "event_ts": "1700000000", "kafka_topic": "clicks",
				"event_path": "/t/click", "event_query": "f=e&g=h", "user_agent": "iPhone Banana Phone",
			},
		},
		{
			name: "ipv6, five fields and a newline: user_agent set and empty",
			in:   "::1 1700000000 views /v p\n",
			wantMeta: map[string]string{
				"client_ip": "::1", "event_ts": "1700000000", "kafka_topic": "views",
				"event_path": "/v", "event_query": "p", "user_agent": "",
			},
		},
		{
			name: "user agent with spaces, unicode and invalid utf-8",
			in:   "10.0.0.1 1 t /p p  Mozilla/5.0 (Linux) Приложение \xff",
			wantMeta: map[string]string{
				"client_ip": "10.0.0.1", "event_ts": "1", "kafka_topic": "t",
				"event_path": "/p", "event_query": "p", "user_agent": " Mozilla/5.0 (Linux) Приложение \xff",
			},
		},
		{name: "bad timestamp", in: "127.0.0.1 abc t /p p", errEqual: `field 2 (timestamp) is not an integer: "abc"`},
		{name: "too few fields", in: "garbage", errEqual: "line has 1 fields; a tracker line needs at least 5: IP UNIX_TS TOPIC PATH QUERY"},
		{name: "empty", in: "", errEqual: "line is empty; a tracker line needs at least 5 fields: IP UNIX_TS TOPIC PATH QUERY"},
		{name: "binary", in: "\x00\x00\x00\x00", errEqual: "line has 1 fields; a tracker line needs at least 5: IP UNIX_TS TOPIC PATH QUERY"},
		{
			name:     "over max_line_bytes",
			yaml:     "max_line_bytes: 16",
			in:       exampleLine,
			errEqual: "line is 64 bytes; max_line_bytes is 16",
		},
		{
			name: "at max_line_bytes",
			yaml: "max_line_bytes: 18",
			in:   "127.0.0.1 5 t /p p",
			wantMeta: map[string]string{
				"client_ip": "127.0.0.1", "event_ts": "5", "kafka_topic": "t",
				"event_path": "/p", "event_query": "p", "user_agent": "",
			},
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			p := newTrackerLineFromYAML(t, test.yaml)
			msg := service.NewMessage([]byte(test.in))
			out, err := p.ProcessBatch(t.Context(), service.MessageBatch{msg})
			if err != nil {
				t.Fatal(err)
			}
			if len(out) != 1 || len(out[0]) != 1 || out[0][0] != msg {
				t.Fatalf("got batches %v, want the input batch back", out)
			}
			if b, _ := msg.AsBytes(); string(b) != test.in {
				t.Errorf("content = %q, want it unchanged %q", b, test.in)
			}
			gotErr := msg.GetError()
			if test.errEqual != "" {
				if gotErr == nil || gotErr.Error() != test.errEqual {
					t.Errorf("error = %v, want %q", gotErr, test.errEqual)
				}
				if m := metaOf(t, msg); len(m) != 0 {
					t.Errorf("invalid line got metadata %q", m)
				}
				return
			}
			if gotErr != nil {
				t.Fatalf("unexpected error: %v", gotErr)
			}
			got := metaOf(t, msg)
			if len(got) != len(test.wantMeta) {
				t.Errorf("metadata = %q, want %q", got, test.wantMeta)
			}
			for k, want := range test.wantMeta {
				if v, ok := got[k]; !ok || v != want {
					t.Errorf("@%s = %q (set %v), want %q", k, v, ok, want)
				}
			}
		})
	}
}

// TestTrackerLineProcessorMixedBatch checks that lines skipped before parsing
// (too long) do not shift the fields of the lines after them.
func TestTrackerLineProcessorMixedBatch(t *testing.T) {
	p := newTrackerLineFromYAML(t, "max_line_bytes: 40")
	lines := []string{
		"1.1.1.1 1 a /a p ua-a",
		"2.2.2.2 2 b /b p " + strings.Repeat("x", 40),
		"bad",
		"",
		"3.3.3.3 3 c /c p ua-c",
	}
	var batch service.MessageBatch
	for _, l := range lines {
		batch = append(batch, service.NewMessage([]byte(l)))
	}
	if _, err := p.ProcessBatch(t.Context(), batch); err != nil {
		t.Fatal(err)
	}
	for i, wantErr := range []bool{false, true, true, true, false} {
		if got := batch[i].GetError() != nil; got != wantErr {
			t.Errorf("line %d errored = %v, want %v (%v)", i, got, wantErr, batch[i].GetError())
		}
	}
	for i, want := range map[int]string{0: "ua-a", 4: "ua-c"} {
		if ua, _ := batch[i].MetaGet(MetaUserAgent); ua != want {
			t.Errorf("line %d user_agent = %q, want %q", i, ua, want)
		}
	}
	if ip, _ := batch[4].MetaGet(MetaClientIP); ip != "3.3.3.3" {
		t.Errorf("line 4 client_ip = %q, want 3.3.3.3", ip)
	}
}

func TestTrackerLineConfigErrors(t *testing.T) {
	conf, err := trackerLineSpec().ParseYAML("max_line_bytes: 0", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newTrackerLineFromConfig(conf); err == nil || !strings.Contains(err.Error(), "max_line_bytes is 0; it must be positive") {
		t.Errorf("error = %v, want max_line_bytes is 0", err)
	}
}
