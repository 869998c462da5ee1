package redistest

import (
	"crypto/tls"

	"github.com/kafkastore/kafkastore/internal/testcerts"
)

// WithTLS serves TLS only (the plain port is off) with the server
// certificate of certs. Clients may present a certificate signed by the
// certs' CA; with WithTLSClientCerts they must. URL then uses rediss:// and
// Client trusts the CA and presents the client certificate.
func WithTLS(certs *testcerts.Certs) Option {
	return func(c *config) { c.tls = certs }
}

// WithTLSClientCerts makes a WithTLS server refuse clients that present no
// certificate signed by the CA (tls-auth-clients yes).
func WithTLSClientCerts() Option {
	return func(c *config) { c.tlsRequireClientCert = true }
}

// portArgs returns the listening arguments: the plain port, or with TLS the
// TLS port and the certificate files.
func (c config) portArgs(port string) []string {
	if c.tls == nil {
		return []string{"--port", port}
	}
	auth := "optional"
	if c.tlsRequireClientCert {
		auth = "yes"
	}
	return []string{
		"--port", "0", "--tls-port", port,
		"--tls-cert-file", c.tls.ServerCertFile,
		"--tls-key-file", c.tls.ServerKeyFile,
		"--tls-ca-cert-file", c.tls.CAFile,
		"--tls-auth-clients", auth,
	}
}

// clientTLS returns the TLS config of clients of the server, nil without TLS.
func (c config) clientTLS() *tls.Config {
	if c.tls == nil {
		return nil
	}
	return c.tls.ClientTLS()
}

// TLS reports whether the server serves TLS only.
func (s *Server) TLS() bool { return s.conf.tls != nil }
