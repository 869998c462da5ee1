package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/kafkastore/kafkastore/internal/redistest"
)

func TestDeadletterCommand(t *testing.T) {
	s := redistest.Start(t)
	c := s.Client(t)
	t.Setenv("REDIS_URL", "redis://127.0.0.1:1/0") // --url must win
	t.Setenv("INVALID_KEY", "dead")
	ctx := t.Context()
	if err := c.RPush(ctx, "dead", "bad one", "1.2.3.4 x t /p q ua", "\x00 1 t /p q").Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.RPush(ctx, "jobs", "queued").Err(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		args        []string
		out         []string
		errContains string
		queue       []string
		dead        int64
	}{
		{name: "stats", args: []string{"stats"}, out: []string{"jobs", "1 entries", "3 entries", "line has N fields"}, queue: []string{"queued"}, dead: 3},
		{name: "peek", args: []string{"peek", "-n", "1"}, out: []string{`"\x00 1 t /p q"`, "field 1 (ip)"}, queue: []string{"queued"}, dead: 3},
		{name: "replay dry run", args: []string{"replay", "--dry-run"}, out: []string{"would move 3"}, queue: []string{"queued"}, dead: 3},
		{name: "replay limit", args: []string{"replay", "--limit", "2"}, out: []string{"moved 2"}, queue: []string{"queued", "bad one", "1.2.3.4 x t /p q ua"}, dead: 1},
		{name: "purge refused", args: []string{"purge"}, errContains: `refusing to delete the dead-letter list "dead" with 1 entries: pass --yes`, queue: []string{"queued", "bad one", "1.2.3.4 x t /p q ua"}, dead: 1},
		{name: "purge", args: []string{"purge", "--yes"}, out: []string{"deleted 1"}, queue: []string{"queued", "bad one", "1.2.3.4 x t /p q ua"}, dead: 0},
		{name: "unreachable", args: []string{"stats", "--url", "redis://:pw@127.0.0.1:1/0"}, errContains: "connecting to redis at redis://:xxxxx@127.0.0.1:1/0"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			app := &cli.App{Name: "kafkastore", Writer: &out, ErrWriter: &errOut, Commands: []*cli.Command{deadletterCommand()},
				ExitErrHandler: func(*cli.Context, error) {}}
			args := append([]string{"kafkastore", "deadletter"}, test.args...)
			if !strings.Contains(strings.Join(test.args, " "), "--url") {
				args = append(args, "--url", s.URL(), "--queue", "jobs")
			}
			err := app.RunContext(t.Context(), args)
			if test.errContains != "" {
				if err == nil || !strings.Contains(err.Error(), test.errContains) {
					t.Fatalf("err = %v, want it to contain %q", err, test.errContains)
				}
				if strings.Contains(err.Error(), ":pw@") {
					t.Errorf("error leaks the password: %v", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			for _, want := range test.out {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, out.String())
				}
			}
			if test.queue == nil {
				return
			}
			q, _ := c.LRange(ctx, "jobs", 0, -1).Result()
			if strings.Join(q, "|") != strings.Join(test.queue, "|") {
				t.Errorf("queue = %q, want %q", q, test.queue)
			}
			if n, _ := c.LLen(ctx, "dead").Result(); n != test.dead {
				t.Errorf("dead letters = %d, want %d", n, test.dead)
			}
		})
	}
}
