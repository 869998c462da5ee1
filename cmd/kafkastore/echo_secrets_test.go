package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// buildBinary builds kafkastore into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary: skipped under -short")
	}
	bin := filepath.Join(t.TempDir(), "kafkastore")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("building kafkastore: %v\n%s", err, out)
	}
	return bin
}

// echoConfig has a secret in every field that can hold one, literal or from
// the environment; each secret contains "hunter2".
const echoConfig = `
input:
  redis_list:
    url: redis://:hunter2-in@127.0.0.1:6379/0
    key: q
    tls:
      enabled: true
      client_certs:
        - cert: not-a-cert
          key: hunter2-tls-key
          password: hunter2-tls-key-password
output:
  fallback:
    - kafka_franz:
        seed_brokers: [ "127.0.0.1:9092" ]
        topic: t
        sasl:
          - mechanism: SCRAM-SHA-512
            username: alice
            password: hunter2-franz
          - mechanism: OAUTHBEARER
            token: hunter2-token
    - kafka:
        addresses: [ "127.0.0.1:9092" ]
        topic: t
        sasl:
          mechanism: PLAIN
          user: bob
          password: ${KAFKA_PASSWORD}
          access_token: hunter2-access
    - redis_list:
        url: ${DEAD_LETTER_URL}
        key: dead
    - redis_list:
        url: "redis://:hunter2#unescaped@127.0.0.1:6379/0"
        key: dead
    - redis_list:
        url: "redis://app:hunter2-a@127.0.0.1:1,redis://app:hunter2-b@127.0.0.1:2"
        kind: cluster
        key: "{q}dead"
metrics:
  prometheus:
    push_url: http://pusher:hunter2-push-url@127.0.0.1:9091
    push_basic_auth:
      username: pusher
      password: hunter2-push
`

// TestEcho runs `kafkastore echo` from a freshly built binary.
func TestEcho(t *testing.T) {
	bin := buildBinary(t)
	t.Run("secrets are scrubbed", func(t *testing.T) { testEchoScrubsSecrets(t, bin) })
	t.Run("default http address is loopback", func(t *testing.T) { testEchoDefaultHTTPLoopback(t, bin) })
}

// testEchoScrubsSecrets echoes a config with secrets, literal and from the
// environment, and checks that none is printed.
func testEchoScrubsSecrets(t *testing.T, bin string) {
	conf := filepath.Join(t.TempDir(), "secrets.yaml")
	if err := os.WriteFile(conf, []byte(echoConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "echo", conf)
	cmd.Env = append(os.Environ(),
		"KAFKA_PASSWORD=hunter2-env",
		"DEAD_LETTER_URL=rediss://:hunter2-env-url@127.0.0.1:6380/1",
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("kafkastore echo: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "hunter2") {
		t.Errorf("echo prints a secret:\n%s", out)
	}
	if n := strings.Count(string(out), "!!!SECRET_SCRUBBED!!!"); n != 12 {
		t.Errorf("echo scrubbed %d fields, want 12:\n%s", n, out)
	}
}

// testEchoDefaultHTTPLoopback echoes the default config with no environment:
// the HTTP server binds to loopback.
func testEchoDefaultHTTPLoopback(t *testing.T, bin string) {
	cmd := exec.Command(bin, "echo", filepath.Join("..", "..", "config", "kafkastore.yaml"))
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("kafkastore echo: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "address: 127.0.0.1:4195") {
		t.Errorf("default http.address is not 127.0.0.1:4195:\n%s", out)
	}
}
