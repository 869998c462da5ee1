// Package testcerts generates a throwaway certificate authority with a server
// and a client certificate for TLS tests.
//
// Everything is made at test time with crypto/x509 and written as PEM files
// into t.TempDir(), so no key is ever committed. The server certificate is
// valid for localhost, 127.0.0.1 and ::1; the client certificate is for
// client authentication (mutual TLS). Every call to New makes a new CA, so two
// sets never trust each other, which tests of untrusted peers rely on.
package testcerts

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Certs is a CA with one server and one client certificate, as PEM files
// and as parsed values.
type Certs struct {
	Dir string // the directory holding the files

	CAFile         string // CA certificate (ca.pem)
	ServerCertFile string // server certificate (server.pem), signed by the CA
	ServerKeyFile  string // server private key (server-key.pem)
	ClientCertFile string // client certificate (client.pem), signed by the CA
	ClientKeyFile  string // client private key (client-key.pem)

	CAPool     *x509.CertPool
	ServerCert tls.Certificate
	ClientCert tls.Certificate
}

// New generates a CA, a server and a client certificate valid for an hour
// into a fresh t.TempDir(). It fails the test on any error.
func New(t testing.TB) *Certs {
	t.Helper()
	c, err := generate(t.TempDir())
	if err != nil {
		t.Fatalf("generating test certificates: %v", err)
	}
	return c
}

// ServerTLS returns a server config with the server certificate that
// verifies client certificates against the CA when clients send one;
// with requireClientCert it refuses clients without one.
func (c *Certs) ServerTLS(requireClientCert bool) *tls.Config {
	auth := tls.VerifyClientCertIfGiven
	if requireClientCert {
		auth = tls.RequireAndVerifyClientCert
	}
	return &tls.Config{
		Certificates: []tls.Certificate{c.ServerCert},
		ClientCAs:    c.CAPool,
		ClientAuth:   auth,
		MinVersion:   tls.VersionTLS12,
	}
}

// ClientTLS returns a client config that trusts the CA and presents the
// client certificate.
func (c *Certs) ClientTLS() *tls.Config {
	return &tls.Config{
		RootCAs:      c.CAPool,
		Certificates: []tls.Certificate{c.ClientCert},
		MinVersion:   tls.VersionTLS12,
	}
}

type keyPair struct {
	cert *x509.Certificate
	der  []byte
	key  *ecdsa.PrivateKey
}

func generate(dir string) (*Certs, error) {
	now := time.Now()
	ca, err := newPair(&x509.Certificate{
		Subject:               pkix.Name{CommonName: "kafkastore test CA"},
		NotBefore:             now.Add(-time.Minute),
		NotAfter:              now.Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, nil)
	if err != nil {
		return nil, err
	}
	server, err := newPair(&x509.Certificate{
		Subject:     pkix.Name{CommonName: "localhost"},
		NotBefore:   now.Add(-time.Minute),
		NotAfter:    now.Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}, ca)
	if err != nil {
		return nil, err
	}
	client, err := newPair(&x509.Certificate{
		Subject:     pkix.Name{CommonName: "kafkastore test client"},
		NotBefore:   now.Add(-time.Minute),
		NotAfter:    now.Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, ca)
	if err != nil {
		return nil, err
	}

	c := &Certs{
		Dir:            dir,
		CAFile:         filepath.Join(dir, "ca.pem"),
		ServerCertFile: filepath.Join(dir, "server.pem"),
		ServerKeyFile:  filepath.Join(dir, "server-key.pem"),
		ClientCertFile: filepath.Join(dir, "client.pem"),
		ClientKeyFile:  filepath.Join(dir, "client-key.pem"),
		CAPool:         x509.NewCertPool(),
	}
	c.CAPool.AddCert(ca.cert)
	if err := writeCert(c.CAFile, ca); err != nil {
		return nil, err
	}
	if c.ServerCert, err = writePair(c.ServerCertFile, c.ServerKeyFile, server); err != nil {
		return nil, err
	}
	if c.ClientCert, err = writePair(c.ClientCertFile, c.ClientKeyFile, client); err != nil {
		return nil, err
	}
	return c, nil
}

// newPair makes a key and a certificate from template, signed by parent or
// self-signed when parent is nil.
func newPair(template *x509.Certificate, parent *keyPair) (*keyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, err
	}
	template.SerialNumber = serial
	signCert, signKey := template, key
	if parent != nil {
		signCert, signKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, template, signCert, &key.PublicKey, signKey)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &keyPair{cert: cert, der: der, key: key}, nil
}

func writeCert(path string, p *keyPair) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.der}), 0o600)
}

// writePair writes the certificate and its PKCS #8 key and returns them as a
// tls.Certificate.
func writePair(certPath, keyPath string, p *keyPair) (tls.Certificate, error) {
	keyDER, err := x509.MarshalPKCS8PrivateKey(p.key)
	if err != nil {
		return tls.Certificate{}, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	if err := os.WriteFile(certPath, certPEM, 0o600); err != nil {
		return tls.Certificate{}, err
	}
	if err := os.WriteFile(keyPath, keyPEM, 0o600); err != nil {
		return tls.Certificate{}, err
	}
	return tls.X509KeyPair(certPEM, keyPEM)
}
