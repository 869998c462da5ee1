package testcerts_test

import (
	"crypto/tls"
	"os"
	"testing"

	"github.com/kafkastore/kafkastore/internal/testcerts"
)

func TestHandshake(t *testing.T) {
	certs := testcerts.New(t)
	other := testcerts.New(t)
	noCert := certs.ClientTLS()
	noCert.Certificates = nil
	tests := []struct {
		name    string
		client  *tls.Config
		require bool
		wantErr bool
	}{
		{name: "mutual", client: certs.ClientTLS(), require: true},
		{name: "no client cert, optional", client: noCert},
		{name: "no client cert, required", client: noCert, require: true, wantErr: true},
		{name: "client of another CA", client: other.ClientTLS(), wantErr: true},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			l, err := tls.Listen("tcp", "127.0.0.1:0", certs.ServerTLS(test.require))
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			go func() {
				c, err := l.Accept()
				if err != nil {
					return
				}
				defer c.Close()
				_ = c.(*tls.Conn).Handshake()
				_, _ = c.Write([]byte("ok"))
			}()
			c, err := tls.Dial("tcp", l.Addr().String(), test.client)
			if err == nil {
				// TLS 1.3 reports a refused client certificate on the first read.
				_, err = c.Read(make([]byte, 2))
				c.Close()
			}
			if test.wantErr != (err != nil) {
				t.Fatalf("err = %v, want error: %v", err, test.wantErr)
			}
		})
	}
}

func TestFiles(t *testing.T) {
	certs := testcerts.New(t)
	for _, f := range []string{certs.CAFile, certs.ServerCertFile, certs.ServerKeyFile, certs.ClientCertFile, certs.ClientKeyFile} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f, fi.Mode().Perm())
		}
	}
	if _, err := tls.LoadX509KeyPair(certs.ClientCertFile, certs.ClientKeyFile); err != nil {
		t.Fatalf("loading client pair: %v", err)
	}
}
