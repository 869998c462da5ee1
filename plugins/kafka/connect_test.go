package kafka

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

func TestIsAuthErr(t *testing.T) {
	// A port nobody listens on: connection refused.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	refused := cl.Ping(ctx)
	if refused == nil {
		t.Fatal("ping of a closed port succeeded")
	}

	tests := []struct {
		name string
		err  error
		want bool
	}{
		{name: "connection refused is an outage", err: refused, want: false},
		{name: "timeout is an outage", err: context.DeadlineExceeded, want: false},
		{name: "sasl failure", err: fmt.Errorf("connecting: %w", kerr.SaslAuthenticationFailed), want: true},
		{name: "unsupported mechanism", err: kerr.UnsupportedSaslMechanism, want: true},
		{name: "not leader is an outage", err: kerr.NotLeaderForPartition, want: false},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			if got := isAuthErr(test.err); got != test.want {
				t.Errorf("isAuthErr(%v) = %v, want %v", test.err, got, test.want)
			}
		})
	}
}
