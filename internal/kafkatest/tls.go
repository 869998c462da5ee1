package kafkatest

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kafkastore/kafkastore/internal/testcerts"
)

// StartTLS is Start with a TLS-only listener serving certs' server
// certificate; clients may present a certificate signed by the certs' CA.
// The cluster's ClientOpts trust the CA and present the client certificate.
func StartTLS(t testing.TB, certs *testcerts.Certs, opts ...kfake.Opt) *Cluster {
	t.Helper()
	c := Start(t, append([]kfake.Opt{kfake.TLS(certs.ServerTLS(false))}, opts...)...)
	c.ClientOpts = append(c.ClientOpts, kgo.DialTLSConfig(certs.ClientTLS()))
	return c
}

// StartTLSSASL is StartSASL over a TLS-only listener, as StartTLS.
func StartTLSSASL(t testing.TB, certs *testcerts.Certs, mechanism, user, pass string, opts ...kfake.Opt) *Cluster {
	t.Helper()
	c := StartSASL(t, mechanism, user, pass, append([]kfake.Opt{kfake.TLS(certs.ServerTLS(false))}, opts...)...)
	c.ClientOpts = append(c.ClientOpts, kgo.DialTLSConfig(certs.ClientTLS()))
	return c
}
