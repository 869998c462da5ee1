package redistest_test

import (
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/kafkastore/kafkastore/internal/redistest"
)

func TestServer(t *testing.T) {
	tests := []struct {
		name string
		opts []redistest.Option
		user string
		pass string
	}{
		{name: "plain"},
		{name: "aof", opts: []redistest.Option{redistest.WithAOF()}},
		{name: "password", opts: []redistest.Option{redistest.WithPassword("s3cret")}},
		{name: "acl user", opts: []redistest.Option{redistest.WithACLUser("app", "apppw", "~*", "&*", "+@all")}, user: "app", pass: "apppw"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			s := redistest.Start(t, test.opts...)
			c := s.Client(t)
			if err := c.RPush(t.Context(), "k", "v").Err(); err != nil {
				t.Fatal(err)
			}
			if test.user != "" {
				uc := redis.NewClient(&redis.Options{Addr: s.Addr(), Username: test.user, Password: test.pass})
				defer uc.Close()
				if err := uc.Ping(t.Context()).Err(); err != nil {
					t.Fatalf("acl user ping: %v", err)
				}
			}
			s.Restart()
			n, err := c.LLen(t.Context(), "k").Result()
			if err != nil {
				t.Fatal(err)
			}
			want := int64(0)
			if test.name == "aof" {
				want = 1
			}
			if n != want {
				t.Errorf("after restart LLEN = %d, want %d", n, want)
			}
		})
	}
}
