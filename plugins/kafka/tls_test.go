package kafka

import (
	"fmt"
	"strings"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/kafkastore/kafkastore/internal/kafkatest"
	"github.com/kafkastore/kafkastore/internal/testcerts"
)

// securityYAML returns the tls and sasl blocks of output kind ("kafka_franz"
// or "kafka"); an empty ca leaves TLS off, an empty mechanism SASL.
func securityYAML(kind, ca string, certs *testcerts.Certs, mechanism, password string) string {
	var b strings.Builder
	if ca != "" {
		fmt.Fprintf(&b, "tls:\n  enabled: true\n  root_cas_file: %q\n", ca)
		if certs != nil {
			fmt.Fprintf(&b, "  client_certs:\n    - cert_file: %q\n      key_file: %q\n", certs.ClientCertFile, certs.ClientKeyFile)
		}
	}
	switch {
	case mechanism == "":
	case kind == "kafka":
		fmt.Fprintf(&b, "sasl:\n  mechanism: %s\n  user: alice\n  password: %s\n", mechanism, password)
	default:
		fmt.Fprintf(&b, "sasl:\n  - mechanism: %s\n    username: alice\n    password: %s\n", mechanism, password)
	}
	return b.String()
}

// newSecureWriter builds output kind from YAML as Benthos does, without
// connecting.
func newSecureWriter(t *testing.T, kind, addr, security string) *franzWriter {
	t.Helper()
	spec, build, brokers := kafkaFranzSpec(), newKafkaFranzFromConfig, "seed_brokers"
	if kind == "kafka" {
		spec, build, brokers = kafkaSpec(), newKafkaFromConfig, "addresses"
	}
	conf, err := spec.ParseYAML(fmt.Sprintf("%s: [ %q ]\ntopic: secure\n%s", brokers, addr, security), nil)
	if err != nil {
		t.Fatalf("parsing config: %v", err)
	}
	w, err := build(conf, service.MockResources())
	if err != nil {
		t.Fatalf("building output: %v", err)
	}
	t.Cleanup(func() { _ = w.Close(t.Context()) })
	return w
}

// TestTLSAndSASL runs both outputs against kfake over TLS, with and without
// a client certificate, and with TLS and SASL together.
func TestTLSAndSASL(t *testing.T) {
	skipShort(t)
	certs := testcerts.New(t)
	other := testcerts.New(t)
	const pass = "kafka-hunter2"
	tests := []struct {
		name        string
		mechanism   string // cluster SASL mechanism; "" runs without SASL
		ca          string // root_cas_file; "" leaves TLS off in the client
		clientCerts *testcerts.Certs
		saslPass    string
		errContains string
	}{
		{name: "tls", ca: certs.CAFile},
		{name: "tls with client certificate", ca: certs.CAFile, clientCerts: certs},
		{name: "tls and plain", mechanism: "PLAIN", ca: certs.CAFile, saslPass: pass},
		{name: "tls and scram-sha-256", mechanism: "SCRAM-SHA-256", ca: certs.CAFile, saslPass: pass},
		{name: "tls and scram-sha-512", mechanism: "SCRAM-SHA-512", ca: certs.CAFile, clientCerts: certs, saslPass: pass},
		{name: "tls and wrong password", mechanism: "SCRAM-SHA-512", ca: certs.CAFile, saslPass: "wrong-" + pass, errContains: "check the sasl credentials"},
		{name: "untrusted broker", ca: other.CAFile, errContains: "certificate signed by unknown authority"},
	}
	for _, kind := range []string{"kafka_franz", "kafka"} {
		for _, test := range tests {
			t.Run(kind+"/"+test.name, func(t *testing.T) {
				c := kafkatest.StartTLS(t, certs)
				if test.mechanism != "" {
					c = kafkatest.StartTLSSASL(t, certs, test.mechanism, "alice", pass)
				}
				w := newSecureWriter(t, kind, c.Addrs()[0], securityYAML(kind, test.ca, test.clientCerts, test.mechanism, test.saslPass))
				err := w.Connect(t.Context())
				if test.errContains != "" {
					if err == nil || !strings.Contains(err.Error(), test.errContains) {
						t.Fatalf("connect error %v, want it to contain %q", err, test.errContains)
					}
					if strings.Contains(err.Error(), "hunter2") {
						t.Errorf("connect error leaks the password: %v", err)
					}
					return
				}
				if err != nil {
					t.Fatalf("connecting: %v", err)
				}
				if err := w.WriteBatch(t.Context(), service.MessageBatch{msg("hello")}); err != nil {
					t.Fatalf("writing: %v", err)
				}
				if r := c.Consume(t, "secure", 1, consumeTimeout)[0]; string(r.Value) != "hello" {
					t.Errorf("got %q", r.Value)
				}
			})
		}
	}
}

// TestPlainClientToTLSBroker checks that a client without TLS does not
// reach a TLS-only broker: Connect fails rather than hangs.
func TestPlainClientToTLSBroker(t *testing.T) {
	skipShort(t)
	c := kafkatest.StartTLS(t, testcerts.New(t))
	for _, kind := range []string{"kafka_franz", "kafka"} {
		t.Run(kind, func(t *testing.T) {
			w := newSecureWriter(t, kind, c.Addrs()[0], "")
			if err := w.Connect(t.Context()); err == nil {
				t.Fatal("a plain client connected to a TLS-only broker")
			}
		})
	}
}
