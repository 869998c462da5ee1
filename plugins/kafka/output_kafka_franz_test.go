package kafka

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/kafkastore/kafkastore/internal/kafkatest"
)

const consumeTimeout = 20 * time.Second

// newTestWriter builds a kafka_franz output from YAML the way Benthos does
// and connects it.
func newTestWriter(t testing.TB, yaml string) *franzWriter {
	t.Helper()
	conf, err := kafkaFranzSpec().ParseYAML(yaml, nil)
	if err != nil {
		t.Fatalf("parsing config: %v", err)
	}
	w, err := newKafkaFranzFromConfig(conf, service.MockResources())
	if err != nil {
		t.Fatalf("building output: %v", err)
	}
	t.Cleanup(func() { _ = w.Close(t.Context()) })
	if err := w.Connect(t.Context()); err != nil {
		t.Fatalf("connecting: %v", err)
	}
	return w
}

func msg(value string, meta ...string) *service.Message {
	m := service.NewMessage([]byte(value))
	for i := 0; i+1 < len(meta); i += 2 {
		m.MetaSetMut(meta[i], meta[i+1])
	}
	return m
}

// failedIndexes returns the indexes a BatchError fails, or fails the test
// when err is neither nil nor a BatchError.
func failedIndexes(t testing.TB, err error) []int {
	t.Helper()
	if err == nil {
		return nil
	}
	var be *service.BatchError
	if !errors.As(err, &be) {
		t.Fatalf("want a BatchError, got %v", err)
	}
	var idx []int
	be.WalkMessages(func(i int, _ *service.Message, err error) bool {
		if err != nil {
			idx = append(idx, i)
		}
		return true
	})
	return idx
}

func skipShort(t testing.TB) {
	if testing.Short() {
		t.Skip("integration test against kfake")
	}
}

func TestKafkaFranzDelivers(t *testing.T) {
	skipShort(t)
	c := kafkatest.Start(t)
	w := newTestWriter(t, fmt.Sprintf(`
seed_brokers: [ %q ]
topic: ${! @kafka_topic }
key: ${! @client_ip }
metadata:
  include_prefixes: [ "event_" ]
`, c.Addrs()[0]))

	batch := service.MessageBatch{
		msg("/t/click a=b", "kafka_topic", "clicks", "client_ip", "1.2.3.4", "event_ts", "1700000000", "other", "x"),
		msg("/t/view c=d", "kafka_topic", "views", "client_ip", "5.6.7.8", "event_ts", "1700000001"),
		msg("/t/click e=f", "kafka_topic", "clicks", "client_ip", "1.2.3.4", "event_ts", "1700000002"),
	}
	if err := w.WriteBatch(t.Context(), batch); err != nil {
		t.Fatalf("writing: %v", err)
	}

	clicks := c.Consume(t, "clicks", 2, consumeTimeout)
	views := c.Consume(t, "views", 1, consumeTimeout)
	tests := []struct {
		name, topic, key, value, header string
		got                             int
	}{
		{"first click", "clicks", "1.2.3.4", "/t/click a=b", "1700000000", 0},
		{"second click", "clicks", "1.2.3.4", "/t/click e=f", "1700000002", 1},
		{"view", "views", "5.6.7.8", "/t/view c=d", "1700000001", 0},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			recs := clicks
			if test.topic == "views" {
				recs = views
			}
			r := recs[test.got]
			if r.Topic != test.topic || string(r.Key) != test.key || string(r.Value) != test.value {
				t.Errorf("got topic %q key %q value %q", r.Topic, r.Key, r.Value)
			}
			if len(r.Headers) != 1 || r.Headers[0].Key != "event_ts" || string(r.Headers[0].Value) != test.header {
				t.Errorf("got headers %+v, want only event_ts=%s", r.Headers, test.header)
			}
		})
	}
}

func TestKafkaFranzKeepsOrderPerKey(t *testing.T) {
	skipShort(t)
	c := kafkatest.Start(t)
	w := newTestWriter(t, fmt.Sprintf(`
seed_brokers: [ %q ]
topic: ordered
key: same
`, c.Addrs()[0]))

	const batches, size = 5, 200
	for b := range batches {
		batch := make(service.MessageBatch, size)
		for i := range batch {
			batch[i] = msg(fmt.Sprintf("%05d", b*size+i))
		}
		if err := w.WriteBatch(t.Context(), batch); err != nil {
			t.Fatalf("writing batch %d: %v", b, err)
		}
	}
	recs := c.Consume(t, "ordered", batches*size, consumeTimeout)
	for i, r := range recs {
		if want := fmt.Sprintf("%05d", i); string(r.Value) != want {
			t.Fatalf("record %d is %q, want %q", i, r.Value, want)
		}
	}
}

func TestKafkaFranzFailsOnlyRefusedRecords(t *testing.T) {
	skipShort(t)
	tests := []struct {
		name    string
		bad     *service.Message
		wantErr error
	}{
		{"record over max_message_bytes", msg(strings.Repeat("x", 4096), "topic", "good"), kerr.MessageTooLarge},
		{"invalid topic name", msg("v", "topic", "bad/topic"), kerr.InvalidTopicException},
		{"empty topic name", msg("v", "topic", ""), kerr.InvalidTopicException},
		{"topic interpolation fails", msg("v"), errRecordInvalid},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			c := kafkatest.Start(t)
			w := newTestWriter(t, fmt.Sprintf(`
seed_brokers: [ %q ]
topic: ${! @topic.not_null() }
max_message_bytes: 1KiB
`, c.Addrs()[0]))
			batch := service.MessageBatch{msg("a", "topic", "good"), test.bad, msg("b", "topic", "good")}
			err := w.WriteBatch(t.Context(), batch)
			if got := failedIndexes(t, err); !slices.Equal(got, []int{1}) {
				t.Fatalf("failed indexes %v (%v), want [1]", got, err)
			}
			if !errors.Is(err, test.wantErr) {
				t.Errorf("error %v is not %v", err, test.wantErr)
			}
			recs := c.Consume(t, "good", 2, consumeTimeout)
			var values []string
			for _, r := range recs {
				values = append(values, string(r.Value))
			}
			slices.Sort(values)
			if !slices.Equal(values, []string{"a", "b"}) {
				t.Errorf("topic good holds %q, want a and b", values)
			}
		})
	}
}

func TestKafkaFranzSASL(t *testing.T) {
	skipShort(t)
	tests := []struct {
		name, mechanism, password string
		errContains               string
	}{
		{name: "plain", mechanism: "PLAIN", password: "secret"},
		{name: "scram-sha-256", mechanism: "SCRAM-SHA-256", password: "secret"},
		{name: "scram-sha-512", mechanism: "SCRAM-SHA-512", password: "secret"},
		{name: "wrong password", mechanism: "SCRAM-SHA-256", password: "nope", errContains: "check the sasl credentials"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			c := kafkatest.StartSASL(t, test.mechanism, "alice", "secret")
			conf, err := kafkaFranzSpec().ParseYAML(fmt.Sprintf(`
seed_brokers: [ %q ]
topic: secure
sasl:
  - mechanism: %s
    username: alice
    password: %s
`, c.Addrs()[0], test.mechanism, test.password), nil)
			if err != nil {
				t.Fatal(err)
			}
			w, err := newKafkaFranzFromConfig(conf, service.MockResources())
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close(t.Context())
			err = w.Connect(t.Context())
			if test.errContains != "" {
				if err == nil || !strings.Contains(err.Error(), test.errContains) {
					t.Fatalf("connect error %v, want it to contain %q", err, test.errContains)
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

// TestKafkaFranzSurvivesBrokerReplacement replaces the cluster with a new,
// empty one on the same port: the idempotent producer's id is unknown there,
// and a write during the outage must wait rather than fail.
func TestKafkaFranzSurvivesBrokerReplacement(t *testing.T) {
	skipShort(t)
	c := kafkatest.Start(t)
	addr := c.Addrs()[0]
	port := addr[strings.LastIndexByte(addr, ':')+1:]
	w := newTestWriter(t, fmt.Sprintf(`
seed_brokers: [ %q ]
topic: events
key: ${! content() }
`, addr))

	if err := w.WriteBatch(t.Context(), service.MessageBatch{msg("before-1"), msg("before-2")}); err != nil {
		t.Fatalf("writing before: %v", err)
	}
	c.Consume(t, "events", 2, consumeTimeout)
	c.Close()

	done := make(chan error, 1)
	go func() {
		done <- w.WriteBatch(t.Context(), service.MessageBatch{msg("during-1"), msg("during-2"), msg("during-3")})
	}()
	select {
	case err := <-done:
		t.Fatalf("write during the outage returned %v, want it to wait", err)
	case <-time.After(time.Second):
	}

	var p int
	if _, err := fmt.Sscan(port, &p); err != nil {
		t.Fatal(err)
	}
	fresh := kafkatest.Start(t, kfake.Ports(p))
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("write during the outage: %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("write during the outage did not finish after the new broker came up")
	}
	if err := w.WriteBatch(t.Context(), service.MessageBatch{msg("after-1"), msg("after-2")}); err != nil {
		t.Fatalf("writing after: %v", err)
	}
	var values []string
	for _, r := range fresh.Consume(t, "events", 5, consumeTimeout) {
		values = append(values, string(r.Value))
	}
	slices.Sort(values)
	want := []string{"after-1", "after-2", "during-1", "during-2", "during-3"}
	if !slices.Equal(values, want) {
		t.Errorf("new cluster holds %q, want %q", values, want)
	}
}
