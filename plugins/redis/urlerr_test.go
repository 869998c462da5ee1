package redis

import (
	"strings"
	"testing"
)

func TestParseURLQuotesNoPieceOfTheURL(t *testing.T) {
	tests := []struct {
		name, url   string
		errContains string // "": the URL is valid
		redacted    string
	}{
		{name: "valid", url: "redis://u:hunter%232@localhost:6379/1", redacted: "redis://u:xxxxx@localhost:6379/1"},
		{name: "tcp scheme", url: "tcp://:hunter2@localhost:6379", redacted: "tcp://:xxxxx@localhost:6379"},
		{name: "hash", url: "redis://:hunter2#x@localhost:6379/0", errContains: "%23 for #", redacted: MalformedURL},
		{name: "slash after digits", url: "redis://:1234/hunter2@localhost:6379/0", errContains: "%2F for /", redacted: MalformedURL},
		{name: "question mark after digits", url: "redis://:1234?db=hunter2@localhost:6379/0", errContains: "%3F for ?", redacted: MalformedURL},
		{name: "at in the query", url: "redis://localhost:6379/0?client_name=hunter2@x", errContains: "%40 for @", redacted: MalformedURL},
		{name: "bad escape", url: "redis://:hunter2%zz@localhost:6379/0", errContains: "invalid URL escape", redacted: MalformedURL},
		{name: "bad database", url: "redis://:hunter2@localhost:6379/hunter2", errContains: "invalid database number", redacted: "redis://:xxxxx@localhost:6379/hunter2"},
		{name: "no host", url: "redis://:hunter2@/0", errContains: "missing host", redacted: "redis://:xxxxx@/0"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			o, err := ParseURL(test.url)
			if got := RedactURL(test.url); got != test.redacted {
				t.Errorf("RedactURL = %q, want %q", got, test.redacted)
			}
			if test.errContains == "" {
				if err != nil || o == nil || o.Addr != "localhost:6379" {
					t.Fatalf("ParseURL = %+v, %v", o, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), test.errContains) {
				t.Fatalf("err = %v, want it to contain %q", err, test.errContains)
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "1234") {
				t.Errorf("error %q holds a piece of the URL", err)
			}
		})
	}
}
