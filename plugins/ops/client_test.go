package ops

import (
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// TestNewClientKeepsPasswordsOutOfErrors feeds NewClient URLs whose password
// holds an unescaped '#', '/' or '?': each cuts the user info short, so the
// URL parser would quote a piece of the password back in its error.
func TestNewClientKeepsPasswordsOutOfErrors(t *testing.T) {
	tests := []struct {
		name        string
		url         string
		secrets     []string // must appear in no error nor redacted URL
		errContains string   // "": the URL is valid
	}{
		{name: "hash", url: "redis://:hunter2#x@localhost:6379/0", secrets: []string{"hunter2"}, errContains: "percent-encode"},
		{name: "slash", url: "redis://:hunter2/x@localhost:6379/0", secrets: []string{"hunter2"}, errContains: "percent-encode"},
		{name: "question mark", url: "redis://user:hunter2?x@localhost:6379/0", secrets: []string{"hunter2"}, errContains: "percent-encode"},
		{name: "digits then slash", url: "redis://:1234/hunter2@localhost:6379/0", secrets: []string{"hunter2", "1234"}, errContains: "percent-encode"},
		{name: "digits then hash", url: "redis://user:1234#hunter2@localhost:6379/0", secrets: []string{"hunter2", "1234"}, errContains: "percent-encode"},
		{name: "digits then question mark", url: "redis://:1234?db=hunter2@localhost:6379/0", secrets: []string{"hunter2", "1234"}, errContains: "percent-encode"},
		{name: "bad escape", url: "redis://:hunter2%zz@localhost:6379/0", secrets: []string{"hunter2", "%zz"}, errContains: "invalid URL escape"},
		{name: "bad port", url: "redis://:hunter2@localhost:xx/0", secrets: []string{"hunter2"}, errContains: "invalid port"},
		{name: "bad database", url: "redis://:hunter2@localhost:6379/x", secrets: []string{"hunter2"}, errContains: "invalid database number"},
		{name: "percent-encoded", url: "redis://:hunter%232%2F%3F@localhost:6379/0", secrets: []string{"hunter"}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			c, err := NewClient(test.url)
			redacted := RedactURL(test.url)
			for _, s := range test.secrets {
				if err != nil && strings.Contains(err.Error(), s) {
					t.Errorf("error %q holds %q of the password", err, s)
				}
				if strings.Contains(redacted, s) {
					t.Errorf("RedactURL gives %q, which holds %q of the password", redacted, s)
				}
			}
			if test.errContains == "" {
				if err != nil {
					t.Fatalf("NewClient: %v", err)
				}
				defer c.Close()
				if pw := c.(*redis.Client).Options().Password; pw != "hunter#2/?" {
					t.Errorf("password %q, want the decoded hunter#2/?", pw)
				}
				return
			}
			if err == nil {
				c.Close()
				t.Fatalf("NewClient accepted %s", redacted)
			}
			if !strings.Contains(err.Error(), test.errContains) {
				t.Errorf("error %q, want it to contain %q", err, test.errContains)
			}
		})
	}
}
