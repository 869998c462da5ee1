// Package kafkatest starts an in-process Kafka cluster (franz-go's kfake) for
// tests and offers helpers to read back what a test produced, both with a
// fresh franz-go client and with kcat as an independent client.
package kafkatest

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// DefaultPartitions is the partition count of topics the cluster creates on
// first use.
const DefaultPartitions = 3

// Cluster is a running kfake cluster. It is closed when the test ends; Close
// may also be called earlier, for example to simulate a broker outage.
type Cluster struct {
	*kfake.Cluster

	// ClientOpts are the franz-go options a client needs to talk to this
	// cluster (seed brokers and, for SASL clusters, credentials).
	ClientOpts []kgo.Opt
}

// Start runs a single-broker kfake cluster on a free loopback port with
// automatic topic creation and DefaultPartitions partitions per new topic.
// Extra kfake options are applied after the defaults, so kfake.Ports or
// kfake.NumBrokers override them.
func Start(t testing.TB, opts ...kfake.Opt) *Cluster {
	t.Helper()
	base := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(DefaultPartitions),
	}
	kc, err := kfake.NewCluster(append(base, opts...)...)
	if err != nil {
		t.Fatalf("starting kfake cluster: %v", err)
	}
	t.Cleanup(kc.Close)
	return &Cluster{
		Cluster:    kc,
		ClientOpts: []kgo.Opt{kgo.SeedBrokers(kc.ListenAddrs()...)},
	}
}

// StartSASL is Start with SASL enabled and a single superuser that
// authenticates with mechanism (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512). The
// cluster's ClientOpts carry the same credentials.
func StartSASL(t testing.TB, mechanism, user, pass string, opts ...kfake.Opt) *Cluster {
	t.Helper()
	c := Start(t, append([]kfake.Opt{kfake.EnableSASL(), kfake.Superuser(mechanism, user, pass)}, opts...)...)
	switch mechanism {
	case "PLAIN":
		c.ClientOpts = append(c.ClientOpts, kgo.SASL(plain.Auth{User: user, Pass: pass}.AsMechanism()))
	case "SCRAM-SHA-256":
		c.ClientOpts = append(c.ClientOpts, kgo.SASL(scram.Auth{User: user, Pass: pass}.AsSha256Mechanism()))
	case "SCRAM-SHA-512":
		c.ClientOpts = append(c.ClientOpts, kgo.SASL(scram.Auth{User: user, Pass: pass}.AsSha512Mechanism()))
	default:
		t.Fatalf("unsupported SASL mechanism %q", mechanism)
	}
	return c
}

// Addrs returns the host:port of every broker.
func (c *Cluster) Addrs() []string { return c.ListenAddrs() }

// Consume reads topic from its start with a fresh client until it has n
// records or timeout passes, failing the test in the latter case. It returns
// the records in the order the client received them (ordered per partition).
func (c *Cluster) Consume(t testing.TB, topic string, n int, timeout time.Duration) []*kgo.Record {
	t.Helper()
	opts := append([]kgo.Opt{
		kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	}, c.ClientOpts...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatalf("creating consumer: %v", err)
	}
	defer cl.Close()

	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var recs []*kgo.Record
	for len(recs) < n {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consuming %q: got %d of %d records within %v", topic, len(recs), n, timeout)
		}
		for _, fe := range fetches.Errors() {
			if !errors.Is(fe.Err, context.DeadlineExceeded) {
				t.Logf("consuming %q: fetch error on partition %d: %v", topic, fe.Partition, fe.Err)
			}
		}
		recs = append(recs, fetches.Records()...)
	}
	return recs
}

// Kcat reads every record value of topic with kcat (librdkafka), an
// independent client, and returns the values in partition order. It fails the
// test when kcat is not installed.
func Kcat(t testing.TB, addr, topic string) []string {
	t.Helper()
	bin, err := exec.LookPath("kcat")
	if err != nil {
		t.Fatalf("kcat is not installed (apt-get install -y kcat): %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-b", addr, "-C", "-t", topic, "-e", "-o", "beginning", "-q", "-f", `%s\n`)
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := errors.AsType[*exec.ExitError](err); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("running kcat on %q: %v: %s", topic, err, stderr)
	}
	trimmed := strings.TrimSuffix(string(out), "\n")
	if trimmed == "" {
		return nil
	}
	return strings.Split(trimmed, "\n")
}
