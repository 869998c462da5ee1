package kafka

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/kafkastore/kafkastore/internal/kafkatest"
)

// brokerMaxBytes is the broker's message.max.bytes in the tests below: a
// record batch (not a record) larger than this is refused as a whole.
const brokerMaxBytes = 2000

// incompressible returns n bytes of hex digits from random bytes, which the
// default snappy codec cannot shrink below the broker limit.
func incompressible(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n/2)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// TestKafkaFranzIsolatesRecordsTheBrokerRefuses checks that a record the
// broker refuses as too large fails alone: Kafka refuses the whole produce
// batch it shares with valid records, and those must still arrive.
func TestKafkaFranzIsolatesRecordsTheBrokerRefuses(t *testing.T) {
	skipShort(t)
	tests := []struct {
		name       string
		maxMessage string // our max_message_bytes; "" keeps the default
		sizes      []int  // value size of each message
		wantFailed []int
	}{
		{name: "one valid, one over the broker limit", sizes: []int{200, 8192}, wantFailed: []int{1}},
		{name: "over the broker limit first", sizes: []int{8192, 200, 200}, wantFailed: []int{0}},
		{
			name:       "two over the broker limit among many valid",
			sizes:      []int{200, 200, 200, 8192, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 4096, 200, 200},
			wantFailed: []int{3, 15},
		},
		{name: "valid records filling a batch over the broker limit", sizes: []int{900, 900, 900, 900}},
		{
			name:       "over max_message_bytes and over the broker limit",
			maxMessage: "16KiB",
			sizes:      []int{200, 32768, 8192, 200},
			wantFailed: []int{1, 2},
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			c := kafkatest.Start(t, kfake.BrokerConfigs(map[string]string{"message.max.bytes": fmt.Sprint(brokerMaxBytes)}))
			yaml := fmt.Sprintf("seed_brokers: [ %q ]\ntopic: big\nkey: same\n", c.Addrs()[0])
			if test.maxMessage != "" {
				yaml += fmt.Sprintf("max_message_bytes: %s\n", test.maxMessage)
			}
			w := newTestWriter(t, yaml)
			batch := make(service.MessageBatch, len(test.sizes))
			var want []string
			for i, n := range test.sizes {
				v := incompressible(t, n)
				batch[i] = msg(v)
				if !slices.Contains(test.wantFailed, i) {
					want = append(want, v)
				}
			}
			err := w.WriteBatch(t.Context(), batch)
			if got := failedIndexes(t, err); !slices.Equal(got, test.wantFailed) {
				t.Fatalf("failed indexes %v (%v), want %v", got, err, test.wantFailed)
			}
			if err != nil && !errors.Is(err, kerr.MessageTooLarge) {
				t.Errorf("error %v is not %v", err, kerr.MessageTooLarge)
			}
			var got []string
			for _, r := range c.Consume(t, "big", len(want), consumeTimeout) {
				got = append(got, string(r.Value))
			}
			// Records that shared a refused request are sent again after
			// the ones that did not, so only the set is certain here.
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("topic holds %d records, want the %d valid ones", len(got), len(want))
			}
		})
	}
}

// TestKafkaFranzIsolatesAcrossConcurrentBatches runs several batches at
// once, as max_in_flight does, each with one record over the broker limit:
// a too-large record of one batch must not fail a valid record of another.
func TestKafkaFranzIsolatesAcrossConcurrentBatches(t *testing.T) {
	skipShort(t)
	c := kafkatest.Start(t, kfake.BrokerConfigs(map[string]string{"message.max.bytes": fmt.Sprint(brokerMaxBytes)}))
	w := newTestWriter(t, fmt.Sprintf("seed_brokers: [ %q ]\ntopic: big\nkey: same\n", c.Addrs()[0]))

	const writers, size = 8, 20
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for n := range writers {
		batch := make(service.MessageBatch, size)
		for i := range batch {
			batch[i] = msg(incompressible(t, 100))
		}
		batch[n%size] = msg(incompressible(t, 4096))
		wg.Go(func() { errs[n] = w.WriteBatch(t.Context(), batch) })
	}
	wg.Wait()
	for n, err := range errs {
		if got := failedIndexes(t, err); !slices.Equal(got, []int{n % size}) {
			t.Errorf("batch %d: failed indexes %v (%v), want [%d]", n, got, err, n%size)
		}
	}
	c.Consume(t, "big", writers*(size-1), consumeTimeout)
}
