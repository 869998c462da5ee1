package kafka

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kafkastore/kafkastore/internal/kafkatest"
	"github.com/kafkastore/kafkastore/internal/streamtest"
	"github.com/kafkastore/kafkastore/internal/testcerts"
)

// TestSASLPasswordStaysOutOfLogs runs both outputs with a wrong SASL
// password over TLS, and with the right one against a broker that goes
// away, at trace level, and checks that the password never appears.
func TestSASLPasswordStaysOutOfLogs(t *testing.T) {
	skipShort(t)
	const pass = "hunter2-sasl"
	certs := testcerts.New(t)
	tests := []struct {
		name, password string
		closeBroker    bool
	}{
		{name: "wrong password", password: "wrong-" + pass},
		{name: "broker gone", password: pass, closeBroker: true},
	}
	for _, kind := range []string{"kafka_franz", "kafka"} {
		for _, test := range tests {
			t.Run(kind+"/"+test.name, func(t *testing.T) {
				c := kafkatest.StartTLSSASL(t, certs, "SCRAM-SHA-256", "alice", pass)
				brokers := "seed_brokers"
				if kind == "kafka" {
					brokers = "addresses"
				}
				yaml := fmt.Sprintf("input:\n  generate:\n    interval: 50ms\n    mapping: root = \"x\"\noutput:\n  %s:\n    %s: [ %q ]\n    topic: secure\n%s",
					kind, brokers, c.Addrs()[0], streamtest.Indent(securityYAML(kind, certs.CAFile, nil, "SCRAM-SHA-256", test.password), 4))
				var during func()
				if test.closeBroker {
					during = func() { time.Sleep(500 * time.Millisecond); c.Close() }
				}
				logs := streamtest.RunForLogs(t, yaml, during)
				if logs == "" {
					t.Error("nothing logged")
				}
				if strings.Contains(logs, "hunter2") {
					t.Errorf("logs leak the password:\n%s", logs)
				}
			})
		}
	}
}
