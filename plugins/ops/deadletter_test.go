package ops

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/kafkastore/kafkastore/internal/redistest"
)

var testKeys = Keys{Queue: DefaultQueueKey, Invalid: DefaultInvalidKey}

// seed fills the queue, two processing lists of one consumer, and the
// dead-letter list (oldest first, as RPUSH leaves it).
func seed(t *testing.T, c *redis.Client, dead ...string) {
	t.Helper()
	ctx := t.Context()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.RPush(ctx, "click_queue", "q1", "q2", "q3").Err())
	must(c.SAdd(ctx, "{click_queue}:consumers", "host-1-ab").Err())
	for i, n := range []int{2, 5} {
		l := fmt.Sprintf("{click_queue}:processing:host-1-ab:%d", i+1)
		for j := range n {
			must(c.RPush(ctx, l, fmt.Sprintf("p%d", j)).Err())
		}
		must(c.SAdd(ctx, "{click_queue}:consumer:host-1-ab:lists", l).Err())
	}
	if len(dead) > 0 {
		args := make([]any, len(dead))
		for i, d := range dead {
			args[i] = d
		}
		must(c.RPush(ctx, "click_invalid", args...).Err())
	}
}

var sampleDead = []string{
	"not-an-ip 1700000000 clicks /t p ua",
	"127.0.0.1 yesterday clicks /t p ua",
	"127.0.0.1 170000000x clicks /t p ua",
	"only three fields",
	"127.0.0.1 1700000000 clicks /t p iPhone", // parses: Kafka refused it
	"\x00\xff 1700000000 clicks /t p <script>alert(1)</script>",
}

// startSeeded starts a redis-server seeded with sampleDead.
func startSeeded(t *testing.T) *redis.Client {
	t.Helper()
	c := redistest.Start(t).Client(t)
	seed(t, c, sampleDead...)
	return c
}

func TestStats(t *testing.T) {
	c := startSeeded(t)
	tests := []struct {
		name    string
		sample  int
		sampled int
		classes map[string]int
	}{
		{name: "all", sample: 100, sampled: 6, classes: map[string]int{
			"field 2 (timestamp) is not an integer":       2,
			"field 1 (ip) is not an IPv4 or IPv6 address": 2,
			"line has N fields":                           1,
			ReasonParsesNow:                               1,
		}},
		{name: "newest two", sample: 2, sampled: 2, classes: map[string]int{
			"field 1 (ip) is not an IPv4 or IPv6 address": 1,
			ReasonParsesNow: 1,
		}},
		{name: "no sample", sample: 0, sampled: 0, classes: map[string]int{}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			var out bytes.Buffer
			r, err := Stats(t.Context(), c, testKeys, test.sample, &out)
			if err != nil {
				t.Fatal(err)
			}
			if r.Queue != 3 || r.Invalid != 6 || r.Processing != (Processing{Lists: 2, Elements: 7}) {
				t.Errorf("depths = %+v, want queue 3, invalid 6, processing 2 lists 7 entries", r.Depths)
			}
			if r.Sampled != test.sampled {
				t.Errorf("sampled %d, want %d", r.Sampled, test.sampled)
			}
			got := map[string]int{}
			for _, rc := range r.Reasons {
				got[rc.Class] = rc.Count
			}
			if fmt.Sprint(got) != fmt.Sprint(test.classes) {
				t.Errorf("reasons = %v, want %v\n%s", got, test.classes, out.String())
			}
			for _, want := range []string{"click_queue", "3 entries", "2 lists, 7 entries", "6 entries"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("report lacks %q:\n%s", want, out.String())
				}
			}
		})
	}
}

func TestPeekNewestFirst(t *testing.T) {
	s := redistest.Start(t)
	c := s.Client(t)
	seed(t, c, sampleDead...)
	var out bytes.Buffer
	dls, err := Peek(t.Context(), c, testKeys, 3, &out)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{sampleDead[5], sampleDead[4], sampleDead[3]}
	if len(dls) != len(want) {
		t.Fatalf("got %d dead letters, want %d", len(dls), len(want))
	}
	for i, d := range dls {
		if d.Line != want[i] {
			t.Errorf("#%d = %q, want %q", i+1, d.Line, want[i])
		}
	}
	if dls[1].Err != nil || dls[2].Err == nil {
		t.Errorf("errors = %v, %v; want nil for the valid line, an error for the short one", dls[1].Err, dls[2].Err)
	}
	text := out.String()
	if strings.Contains(text, "\x00") || strings.Contains(text, "\xff") || !strings.Contains(text, `"\x00\xff 1700000000`) {
		t.Errorf("binary line not escaped with %%q:\n%s", text)
	}
	if !strings.Contains(text, "newest 3 of 6") || !strings.Contains(text, "line has 3 fields") {
		t.Errorf("output lacks header or error:\n%s", text)
	}
}

func TestReplay(t *testing.T) {
	dead := make([]string, 2500)
	for i := range dead {
		dead[i] = fmt.Sprintf("bad line %d", i)
	}
	tests := []struct {
		name     string
		opts     ReplayOptions
		moved    int64
		leftDead int64
		wantBar  bool
	}{
		{name: "all with progress", opts: ReplayOptions{}, moved: 2500, leftDead: 0, wantBar: true},
		{name: "limit", opts: ReplayOptions{Limit: 1200}, moved: 1200, leftDead: 1300, wantBar: true},
		{name: "small limit no bar", opts: ReplayOptions{Limit: 7}, moved: 7, leftDead: 2493},
		{name: "dry run", opts: ReplayOptions{DryRun: true, Limit: 10}, moved: 10, leftDead: 2500},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			s := redistest.Start(t)
			c := s.Client(t)
			seed(t, c, dead...)
			var out, bar bytes.Buffer
			test.opts.Progress = &bar
			moved, err := Replay(t.Context(), c, testKeys, test.opts, &out)
			if err != nil {
				t.Fatal(err)
			}
			if moved != test.moved {
				t.Errorf("moved %d, want %d", moved, test.moved)
			}
			left, _ := c.LLen(t.Context(), "click_invalid").Result()
			if left != test.leftDead {
				t.Errorf("dead letters left %d, want %d", left, test.leftDead)
			}
			queue, _ := c.LRange(t.Context(), "click_queue", 0, -1).Result()
			wantQueue := []string{"q1", "q2", "q3"}
			if !test.opts.DryRun {
				wantQueue = append(wantQueue, dead[:test.moved]...)
			}
			if strings.Join(queue, "|") != strings.Join(wantQueue, "|") {
				t.Errorf("queue has %d elements, want %d in order (first moved %q)", len(queue), len(wantQueue), queue[min(3, len(queue)-1)])
			}
			rest, _ := c.LRange(t.Context(), "click_invalid", 0, 0).Result()
			if test.leftDead > 0 && !test.opts.DryRun && rest[0] != dead[test.moved] {
				t.Errorf("dead-letter head = %q, want %q", rest[0], dead[test.moved])
			}
			if got := strings.Contains(bar.String(), "100%"); got != test.wantBar {
				t.Errorf("progress bar drawn = %v, want %v: %q", got, test.wantBar, bar.String())
			}
			if !strings.Contains(out.String(), fmt.Sprint(test.moved)) {
				t.Errorf("no final count in %q", out.String())
			}
		})
	}
}

func TestPurge(t *testing.T) {
	s := redistest.Start(t)
	c := s.Client(t)
	seed(t, c, sampleDead...)
	var out bytes.Buffer
	_, err := Purge(t.Context(), c, testKeys, false, &out)
	if !IsNotConfirmed(err) || !strings.Contains(err.Error(), "6 entries") || !strings.Contains(err.Error(), "--yes") {
		t.Fatalf("purge without confirm: err = %v, want a refusal naming 6 entries and --yes", err)
	}
	if n, _ := c.LLen(t.Context(), "click_invalid").Result(); n != 6 {
		t.Fatalf("refused purge deleted entries: %d left", n)
	}
	n, err := Purge(t.Context(), c, testKeys, true, &out)
	if err != nil || n != 6 {
		t.Fatalf("purge = %d, %v; want 6, nil", n, err)
	}
	if ex, _ := c.Exists(t.Context(), "click_invalid").Result(); ex != 0 {
		t.Error("dead-letter list still exists")
	}
	if q, _ := c.LLen(t.Context(), "click_queue").Result(); q != 3 {
		t.Errorf("purge touched the queue: %d left", q)
	}
}

func TestErrors(t *testing.T) {
	s := redistest.Start(t, redistest.WithPassword("s3cret"))
	c := s.Client(t)
	if err := c.Set(t.Context(), "click_invalid", "oops", 0).Err(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		run         func() error
		errContains string
	}{
		{name: "stats wrong type", run: func() error { _, err := Stats(t.Context(), c, testKeys, 10, &bytes.Buffer{}); return err }, errContains: `"click_invalid": the key holds a string, not a list`},
		{name: "replay wrong type", run: func() error { _, err := Replay(t.Context(), c, testKeys, ReplayOptions{}, &bytes.Buffer{}); return err }, errContains: "holds a string"},
		{name: "purge wrong type", run: func() error { _, err := Purge(t.Context(), c, testKeys, true, &bytes.Buffer{}); return err }, errContains: "holds a string"},
		{name: "unreachable", run: func() error {
			_, err := Dial(t.Context(), "redis://:hunter2@127.0.0.1:1/0")
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error leaks the password: %v", err)
			}
			return err
		}, errContains: "connecting to redis at redis://:xxxxx@127.0.0.1:1/0"},
		{name: "bad password", run: func() error {
			_, err := Dial(t.Context(), "redis://:wrong@"+s.Addr()+"/0")
			return err
		}, errContains: "redis://:xxxxx@" + s.Addr()},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			err := test.run()
			if err == nil || !strings.Contains(err.Error(), test.errContains) {
				t.Errorf("err = %v, want it to contain %q", err, test.errContains)
			}
		})
	}
}

func TestReasonClass(t *testing.T) {
	tests := []struct {
		line string
		want string
	}{
		{"", "line is empty"},
		{"a b", "line has N fields"},
		{"1.2.3.4  clicks /p q", "field 2 (timestamp) is empty"},
		{"1.2.3.4 99999999999999999999 clicks /p q", "field 2 (timestamp) is out of the 64-bit integer range"},
		{"1.2.3.4 1 .. /p q", `field 3 (topic) "…" is not a legal Kafka topic name`},
		{"1.2.3.4 1 " + strings.Repeat("x", 300) + " /p q", "field 3 (topic) is N bytes"},
		{"1.2.3.4 1 a/b /p q", "field 3 (topic) is not a legal Kafka topic name (A-Za-z0-9._- only)"},
		{"1.2.3.4 1 clicks /p q", ReasonParsesNow},
	}
	for _, test := range tests {
		t.Run(test.want, func(t *testing.T) {
			if got := ReasonClass(ParseError(test.line)); got != test.want {
				t.Errorf("ReasonClass(%q) = %q, want %q", test.line, got, test.want)
			}
		})
	}
}
