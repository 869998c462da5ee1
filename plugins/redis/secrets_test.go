package redis

import (
	"fmt"
	"log"
	"strings"
	"testing"
	"time"

	"github.com/kafkastore/kafkastore/internal/redistest"
	"github.com/kafkastore/kafkastore/internal/streamtest"
	"github.com/kafkastore/kafkastore/internal/testcerts"
)

// TestURLErrorsHidePassword feeds URLs whose password has characters that
// break URL parsing: the error says what is wrong without quoting the piece
// of the password the parser took for a port or an escape.
func TestURLErrorsHidePassword(t *testing.T) {
	tests := []struct {
		name, url   string
		errContains string
	}{
		{name: "hash", url: "redis://:hunter2#x@localhost:6379/0", errContains: "percent-encode"},
		{name: "slash", url: "redis://:hunter2/x@localhost:6379/0", errContains: "percent-encode"},
		{name: "question mark", url: "redis://user:hunter2?x@localhost:6379/0", errContains: "percent-encode"},
		{name: "bad escape", url: "redis://:hunter2%zz@localhost:6379/0", errContains: "invalid URL escape"},
		{name: "second url", url: "redis://:hunter2@a:1,redis://:hunter2#b@c:2", errContains: "percent-encode"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			_, err := parseInput(fmt.Sprintf("url: %q\nkey: q\nkind: cluster\n", test.url))
			if err == nil || !strings.Contains(err.Error(), test.errContains) {
				t.Fatalf("error = %v, want it to contain %q", err, test.errContains)
			}
			if strings.Contains(err.Error(), "hunter") {
				t.Errorf("error leaks the password: %v", err)
			}
		})
	}
}

// TestSecretsStayOutOfLogs runs streams through authentication failures and
// a lost connection with trace logging, capturing both the Benthos logger and
// go-redis's own, and checks that no password appears.
func TestSecretsStayOutOfLogs(t *testing.T) {
	const pass = "hunter2-redis-pw"
	certs := testcerts.New(t)
	tlsSrv := redistest.Start(t, redistest.WithTLS(certs), redistest.WithPassword(pass))
	plainSrv := redistest.Start(t, redistest.WithPassword(pass))
	down := redistest.Start(t, redistest.WithPassword(pass))
	down.Kill()

	var stdlog streamtest.LogBuffer
	prev := log.Writer()
	log.SetOutput(&stdlog)
	t.Cleanup(func() { log.SetOutput(prev) })

	tls := fmt.Sprintf("tls:\n  enabled: true\n  root_cas_file: %q\n", certs.CAFile)
	tests := []struct {
		name   string
		yaml   string
		during func()
	}{
		{
			name: "wrong password over tls",
			yaml: fmt.Sprintf("input:\n  redis_list:\n    url: rediss://:wrong-%s@%s/0\n    key: q\n%s", pass, tlsSrv.Addr(), streamtest.Indent(tls, 4)) +
				fmt.Sprintf("output:\n  redis_list:\n    url: rediss://user:wrong-%s@%s/0\n    key: out\n%s", pass, tlsSrv.Addr(), streamtest.Indent(tls, 4)),
		},
		{
			name: "server down",
			yaml: fmt.Sprintf("input:\n  redis_list:\n    url: %s\n    key: q\n    reliable: true\n", down.URL()) +
				fmt.Sprintf("output:\n  redis_list:\n    url: %s\n    key: out\n", down.URL()),
		},
		{
			name: "connection lost while writing",
			yaml: "input:\n  generate:\n    interval: 20ms\n    mapping: root = \"x\"\n" +
				fmt.Sprintf("output:\n  redis_list:\n    url: %s\n    key: out\n", plainSrv.URL()),
			during: func() {
				time.Sleep(300 * time.Millisecond)
				plainSrv.Kill()
				time.Sleep(1500 * time.Millisecond)
				if err := plainSrv.Start(); err != nil {
					t.Errorf("restarting redis-server: %v", err)
				}
			},
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			logs := streamtest.RunForLogs(t, test.yaml, test.during)
			all := logs + stdlog.String()
			if !strings.Contains(all, "xxxxx") {
				t.Errorf("no redacted connection error logged; logs:\n%s", all)
			}
			if strings.Contains(all, "hunter2") {
				t.Errorf("logs leak the password:\n%s", all)
			}
		})
	}
}
