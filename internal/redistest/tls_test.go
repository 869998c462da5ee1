package redistest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kafkastore/kafkastore/internal/redistest"
	"github.com/kafkastore/kafkastore/internal/testcerts"
)

func TestServerTLS(t *testing.T) {
	certs := testcerts.New(t)
	tests := []struct {
		name string
		opts []redistest.Option
	}{
		{name: "tls", opts: []redistest.Option{redistest.WithTLS(certs)}},
		{name: "tls with password", opts: []redistest.Option{redistest.WithTLS(certs), redistest.WithPassword("s3cret")}},
		{name: "mutual tls", opts: []redistest.Option{redistest.WithTLS(certs), redistest.WithTLSClientCerts()}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			s := redistest.Start(t, test.opts...)
			if !strings.HasPrefix(s.URL(), "rediss://") {
				t.Errorf("URL %q does not use rediss://", s.URL())
			}
			if err := s.Client(t).Ping(t.Context()).Err(); err != nil {
				t.Fatalf("TLS client: %v", err)
			}
			plain := redis.NewClient(&redis.Options{Addr: s.Addr(), MaxRetries: -1, ReadTimeout: time.Second})
			defer plain.Close()
			if err := plain.Ping(t.Context()).Err(); err == nil {
				t.Error("a plain TCP client got an answer from the TLS-only server")
			}
		})
	}
}
