package redis

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/kafkastore/kafkastore/internal/redistest"
)

func TestOutputWriteBatch(t *testing.T) {
	srv := redistest.Start(t)
	c := srv.Client(t)
	tests := []struct {
		name       string
		command    string
		keys       []string // per message; "" leaves the metadata unset
		want       map[string][]string
		pushCalls  string
		failed     []int
		preset     map[string]string // string keys set before the write
		errContain string
	}{
		{
			name: "grouped rpush", command: "rpush", keys: []string{"a", "a", "b", "a"},
			want: map[string][]string{"a": {"m0", "m1", "m3"}, "b": {"m2"}}, pushCalls: "cmdstat_rpush:calls=3",
		},
		{
			name: "grouped lpush", command: "lpush", keys: []string{"a", "a", "b", "a"},
			want: map[string][]string{"a": {"m3", "m1", "m0"}, "b": {"m2"}}, pushCalls: "cmdstat_lpush:calls=3",
		},
		{
			name: "one key one command", command: "rpush", keys: []string{"a", "a", "a", "a"},
			want: map[string][]string{"a": {"m0", "m1", "m2", "m3"}}, pushCalls: "cmdstat_rpush:calls=1",
		},
		{
			name: "wrong type fails only its messages", command: "rpush", keys: []string{"a", "s", "s", "a"},
			preset: map[string]string{"s": "x"},
			want:   map[string][]string{"a": {"m0", "m3"}}, failed: []int{1, 2}, errContain: "WRONGTYPE",
		},
		{
			name: "key interpolation failure", command: "rpush", keys: []string{"a", "", "a"},
			want: map[string][]string{"a": {"m0", "m2"}}, failed: []int{1}, errContain: "interpolating key",
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			c.FlushAll(t.Context())
			c.ConfigResetStat(t.Context())
			for k, v := range test.preset {
				c.Set(t.Context(), k, v, 0)
			}
			out, err := parseOutput(fmt.Sprintf("url: %s\nkey: ${! @k.not_null() }\ncommand: %s\n", srv.URL(), test.command))
			if err != nil {
				t.Fatal(err)
			}
			if err := out.Connect(t.Context()); err != nil {
				t.Fatal(err)
			}
			defer out.Close(t.Context())
			batch := make(service.MessageBatch, len(test.keys))
			for i, k := range test.keys {
				batch[i] = service.NewMessage(fmt.Appendf(nil, "m%d", i))
				if k != "" {
					batch[i].MetaSetMut("k", k)
				}
			}
			err = out.WriteBatch(t.Context(), batch)
			var failed []int
			var bErr *service.BatchError
			if errors.As(err, &bErr) {
				bErr.WalkMessages(func(i int, _ *service.Message, err error) bool {
					if err != nil {
						failed = append(failed, i)
						if !strings.Contains(err.Error(), test.errContain) {
							t.Errorf("message %d error %q, want it to contain %q", i, err, test.errContain)
						}
					}
					return true
				})
			} else if err != nil {
				t.Fatalf("WriteBatch: %v", err)
			}
			if !slices.Equal(failed, test.failed) {
				t.Errorf("failed messages = %v, want %v", failed, test.failed)
			}
			for k, want := range test.want {
				if got := lrange(t, c, k); !slices.Equal(got, want) {
					t.Errorf("list %q = %v, want %v", k, got, want)
				}
			}
			if test.pushCalls != "" {
				stats := c.Info(t.Context(), "commandstats").Val()
				if !strings.Contains(stats, test.pushCalls+",") {
					t.Errorf("commandstats lack %q:\n%s", test.pushCalls, stats)
				}
			}
		})
	}
}
