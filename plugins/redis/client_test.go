package redis

import (
	"strings"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
)

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name        string
		yaml        string
		errContains string
	}{
		{name: "bad kind", yaml: "url: redis://localhost:6379\nkey: q\nkind: sharded\n", errContains: `unknown redis kind "sharded"`},
		{name: "missing key", yaml: "url: redis://localhost:6379\n", errContains: "key"},
		{name: "empty key", yaml: "url: redis://localhost:6379\nkey: ''\n", errContains: "key must not be empty"},
		{name: "bad scheme", yaml: "url: http://localhost:6379\nkey: q\n", errContains: "invalid URL scheme"},
		{name: "no host", yaml: "url: localhost\nkey: q\n", errContains: "missing host"},
		{name: "bad db", yaml: "url: redis://localhost:6379/x\nkey: q\n", errContains: "invalid database number"},
		{name: "bad port hides password", yaml: "url: redis://:hunter2@localhost:xx\nkey: q\n", errContains: "invalid port"},
		{name: "slash after digits hides password", yaml: "url: redis://:1234/hunter2@localhost/0\nkey: q\n", errContains: "percent-encode"},
		{name: "hash after digits hides password", yaml: "url: redis://user:1234#hunter2@localhost\nkey: q\n", errContains: "percent-encode"},
		{name: "failover without master", yaml: "url: redis://localhost:26379\nkey: q\nkind: failover\n", errContains: "needs the master field"},
		{name: "simple with two urls", yaml: "url: redis://a:1,redis://b:2\nkey: q\n", errContains: "set kind to cluster"},
		{name: "cluster key without tag", yaml: "url: redis://localhost:6379\nkey: a}b\nkind: cluster\n", errContains: "add a hash tag"},
		{name: "batch size zero", yaml: "url: redis://localhost:6379\nkey: q\nbatch_size: 0\n", errContains: "batch_size 0 must be at least 1"},
		{name: "bad command", yaml: "url: redis://localhost:6379\nkey: q\ncommand: lpop\n", errContains: `unknown command "lpop"`},
		{name: "ok", yaml: "url: redis://:pw@localhost:6379/2\nkey: q\nkind: simple\nbatch_size: 500\n"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			_, err := parseInput(test.yaml)
			if test.errContains == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), test.errContains) {
				t.Fatalf("error = %v, want it to contain %q", err, test.errContains)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error leaks the password: %v", err)
			}
		})
	}
}

func TestOutputConfigErrors(t *testing.T) {
	tests := []struct {
		name        string
		yaml        string
		errContains string
	}{
		{name: "bad command", yaml: "url: redis://localhost:6379\nkey: q\ncommand: sadd\n", errContains: `unknown command "sadd"`},
		{name: "bad interpolation", yaml: "url: redis://localhost:6379\nkey: ${! nope( }\n", errContains: "key"},
		{name: "bad kind", yaml: "url: redis://localhost:6379\nkey: q\nkind: x\n", errContains: "unknown redis kind"},
		{name: "ok", yaml: "url: redis://localhost:6379\nkey: ${! @k }\ncommand: lpush\n"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			_, err := parseOutput(test.yaml)
			if test.errContains == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), test.errContains) {
				t.Fatalf("error = %v, want it to contain %q", err, test.errContains)
			}
		})
	}
}

func TestRedactURLs(t *testing.T) {
	got := redactURLs("redis://u:hunter2@a:1/0,redis://:pw@b:2")
	if strings.Contains(got, "hunter2") || strings.Contains(got, ":pw@") {
		t.Fatalf("redactURLs leaked a password: %s", got)
	}
}

func parseInput(yaml string) (*redisListInput, error) {
	conf, err := redisListInputSpec().ParseYAML(yaml, nil)
	if err != nil {
		return nil, err
	}
	return newRedisListInputFromConfig(conf, service.MockResources())
}

func parseOutput(yaml string) (*redisListOutput, error) {
	conf, err := redisListOutputSpec().ParseYAML(yaml, nil)
	if err != nil {
		return nil, err
	}
	return newRedisListOutputFromConfig(conf, service.MockResources())
}

func TestSpecLint(t *testing.T) {
	tests := []struct {
		name        string
		yaml        string
		errContains string
	}{
		{name: "batch size out of range", yaml: "input:\n  redis_list:\n    url: redis://localhost:6379\n    key: q\n    batch_size: 0\noutput:\n  drop: {}\n", errContains: "batch_size must be between 1 and 100000"},
		{name: "input", yaml: "input:\n  redis_list:\n    url: redis://localhost:6379\n    key: click_queue\n    batch_size: 500\noutput:\n  drop: {}\n"},
		{name: "output", yaml: "input:\n  generate:\n    mapping: root = \"x\"\noutput:\n  redis_list:\n    url: redis://localhost:6379\n    key: ${! @kafka_topic }_dead\n    batching:\n      count: 500\n      period: 100ms\n"},
		{name: "stock input fields", yaml: "input:\n  redis_list:\n    url: redis://localhost:6379\n    kind: simple\n    master: \"\"\n    client_name: redpanda-connect\n    tls:\n      enabled: false\n    key: q\n    auto_replay_nacks: true\n    max_in_flight: 0\n    timeout: 5s\n    command: brpop\noutput:\n  drop: {}\n"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			err := service.NewStreamBuilder().SetYAML(test.yaml)
			if test.errContains == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), test.errContains) {
				t.Fatalf("error = %v, want it to contain %q", err, test.errContains)
			}
		})
	}
}
