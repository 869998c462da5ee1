package redis

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/kafkastore/kafkastore/internal/redistest"
	"github.com/kafkastore/kafkastore/internal/testcerts"
)

// tlsBlock returns a `tls` config block trusting certs' CA, presenting the
// client certificate when withClientCert.
func tlsBlock(certs *testcerts.Certs, withClientCert bool) string {
	s := fmt.Sprintf("tls:\n  enabled: true\n  root_cas_file: %q\n", certs.CAFile)
	if withClientCert {
		s += fmt.Sprintf("  client_certs:\n    - cert_file: %q\n      key_file: %q\n", certs.ClientCertFile, certs.ClientKeyFile)
	}
	return s
}

// TestTLS runs the redis_list input and output against a TLS-only
// redis-server with AUTH: the `rediss://` scheme or the `tls` block, the
// default user's requirepass password or an ACL user in the URL, with and
// without client certificates.
func TestTLS(t *testing.T) {
	certs := testcerts.New(t)
	other := testcerts.New(t)
	const pass, aclPass = "tls-hunter2", "acl-hunter2"
	pwSrv := redistest.Start(t, redistest.WithTLS(certs), redistest.WithPassword(pass))
	mtlsSrv := redistest.Start(t, redistest.WithTLS(certs), redistest.WithTLSClientCerts(), redistest.WithPassword(pass))
	aclSrv := redistest.Start(t, redistest.WithTLS(certs), redistest.WithACLUser("app", aclPass, "~*", "&*", "+@all"))
	tests := []struct {
		name        string
		srv         *redistest.Server
		url         string // %s is the server address
		tls         string
		errContains string
	}{
		{name: "rediss url with requirepass", srv: pwSrv, url: "rediss://:" + pass + "@%s/0", tls: tlsBlock(certs, false)},
		{name: "redis url with tls block", srv: pwSrv, url: "redis://:" + pass + "@%s/0", tls: tlsBlock(certs, true)},
		{name: "client certificate required", srv: mtlsSrv, url: "rediss://:" + pass + "@%s/0", tls: tlsBlock(certs, true)},
		{name: "acl user", srv: aclSrv, url: "rediss://app:" + aclPass + "@%s/0", tls: tlsBlock(certs, true)},
		{name: "wrong password", srv: pwSrv, url: "rediss://:wrong-" + pass + "@%s/0", tls: tlsBlock(certs, false), errContains: "WRONGPASS"},
		{name: "wrong acl password", srv: aclSrv, url: "rediss://app:wrong-" + aclPass + "@%s/0", tls: tlsBlock(certs, false), errContains: "WRONGPASS"},
		{name: "missing password", srv: pwSrv, url: "rediss://%s/0", tls: tlsBlock(certs, false), errContains: "NOAUTH"},
		{name: "missing client certificate", srv: mtlsSrv, url: "rediss://:" + pass + "@%s/0", tls: tlsBlock(certs, false), errContains: "certificate required"},
		{name: "untrusted server", srv: pwSrv, url: "rediss://:" + pass + "@%s/0", tls: tlsBlock(other, false), errContains: "certificate signed by unknown authority"},
		{name: "rediss with system roots", srv: pwSrv, url: "rediss://:" + pass + "@%s/0", errContains: "certificate signed by unknown authority"},
		{name: "plain client to tls server", srv: pwSrv, url: "redis://:" + pass + "@%s/0", errContains: "pinging redis"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			base := fmt.Sprintf("url: %s\n%s", fmt.Sprintf(test.url, test.srv.Addr()), test.tls)
			c := test.srv.Client(t)
			c.FlushAll(t.Context())

			in, inErr := connectTLSInput(t, base+"key: q\nbatch_size: 10\n")
			out, outErr := connectTLSOutput(t, base+"key: out\n")
			if test.errContains != "" {
				for what, err := range map[string]error{"input": inErr, "output": outErr} {
					if err == nil || !strings.Contains(err.Error(), test.errContains) {
						t.Errorf("%s connect error = %v, want it to contain %q", what, err, test.errContains)
					}
					t.Logf("%s: %v", what, err)
					if err != nil && strings.Contains(err.Error(), "hunter2") {
						t.Errorf("%s connect error leaks the password: %v", what, err)
					}
				}
				return
			}
			if inErr != nil || outErr != nil {
				t.Fatalf("connecting: input %v, output %v", inErr, outErr)
			}

			push(t, c, "q", seq(0, 5))
			got, ack := read(t, in)
			if err := ack(t.Context(), nil); err != nil {
				t.Fatal(err)
			}
			if want := seq(0, 5); !slices.Equal(got, want) {
				t.Errorf("input read %v, want %v", got, want)
			}
			batch := service.MessageBatch{service.NewMessage([]byte("a")), service.NewMessage([]byte("b"))}
			if err := out.WriteBatch(t.Context(), batch); err != nil {
				t.Fatalf("writing: %v", err)
			}
			if got := lrange(t, c, "out"); !slices.Equal(got, []string{"a", "b"}) {
				t.Errorf("output wrote %v, want [a b]", got)
			}
		})
	}
}

func connectTLSInput(t *testing.T, yaml string) (*redisListInput, error) {
	t.Helper()
	in, err := parseInput(yaml)
	if err != nil {
		t.Fatalf("parsing input config: %v", err)
	}
	t.Cleanup(func() { _ = in.Close(context.Background()) })
	return in, in.Connect(t.Context())
}

func connectTLSOutput(t *testing.T, yaml string) (*redisListOutput, error) {
	t.Helper()
	out, err := parseOutput(yaml)
	if err != nil {
		t.Fatalf("parsing output config: %v", err)
	}
	t.Cleanup(func() { _ = out.Close(context.Background()) })
	return out, out.Connect(t.Context())
}
