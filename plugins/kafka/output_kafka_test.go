package kafka

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/redpanda-data/benthos/v4/public/components/pure"
	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/kafkastore/kafkastore/internal/kafkatest"
)

// runStream sends one batch through a stream whose output is outputYAML and
// waits for the output to acknowledge it.
func runStream(t *testing.T, outputYAML string, batch service.MessageBatch) {
	t.Helper()
	sb := service.NewStreamBuilder()
	if err := sb.SetLoggerYAML("level: warn"); err != nil {
		t.Fatal(err)
	}
	send, err := sb.AddBatchProducerFunc()
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.AddOutputYAML(outputYAML); err != nil {
		t.Fatalf("adding output: %v", err)
	}
	stream, err := sb.Build()
	if err != nil {
		t.Fatalf("building stream: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	runErr := make(chan error, 1)
	go func() { runErr <- stream.Run(ctx) }()
	sendCtx, sendCancel := context.WithTimeout(ctx, 30*time.Second)
	defer sendCancel()
	if err := send(sendCtx, batch); err != nil {
		t.Fatalf("sending batch: %v", err)
	}
	if err := stream.Stop(t.Context()); err != nil {
		t.Fatalf("stopping stream: %v", err)
	}
	<-runErr
}

func trackerBatch() service.MessageBatch {
	return service.MessageBatch{
		msg("/t/click p", "kafka_topic", "clicks", "client_ip", "1.2.3.4", "event_ts", "1700000000"),
		msg("/t/view p", "kafka_topic", "views", "client_ip", "5.6.7.8", "event_ts", "1700000001"),
	}
}

func TestStockConfigsDeliver(t *testing.T) {
	skipShort(t)
	tests := []struct {
		name, yaml  string
		wantHeaders []string
	}{
		{
			name: "kafka_franz",
			yaml: `
kafka_franz:
  seed_brokers: [ %q ]
  client_id: kafkastore
  topic: ${! @kafka_topic }
  key: ${! @client_ip }
  partitioner: murmur2_hash
  idempotent_write: true
  compression: snappy
  timeout: 10s
  max_message_bytes: 1MB
  broker_write_max_bytes: 100MB
  max_buffered_records: 10000
  metadata_max_age: 5m
  metadata:
    include_prefixes: [ event_ ]
  max_in_flight: 10
  batching:
    count: 10
    period: 100ms
`,
			wantHeaders: []string{"event_ts"},
		},
		{
			name: "kafka",
			yaml: `
kafka:
  addresses: [ %q ]
  topic: ${! @kafka_topic }
  key: ${! @client_ip }
  client_id: kafkastore
  target_version: 2.1.0
  partitioner: fnv1a_hash
  compression: gzip
  ack_replicas: true
  idempotent_write: true
  max_msg_bytes: 1000000
  timeout: 5s
  retry_as_batch: false
  max_retries: 0
  backoff:
    initial_interval: 100ms
    max_interval: 1s
    max_elapsed_time: 30s
  custom_topic_creation:
    enabled: false
  static_headers:
    source: kafkastore
  metadata:
    exclude_prefixes: [ client_ ]
  max_in_flight: 64
  batching:
    count: 10
    period: 100ms
`,
			wantHeaders: []string{"event_ts", "kafka_topic", "source"},
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			c := kafkatest.Start(t)
			runStream(t, fmt.Sprintf(test.yaml, c.Addrs()[0]), trackerBatch())
			for topic, want := range map[string]string{"clicks": "/t/click p", "views": "/t/view p"} {
				r := c.Consume(t, topic, 1, consumeTimeout)[0]
				if string(r.Value) != want {
					t.Errorf("%s: got %q, want %q", topic, r.Value, want)
				}
				var keys []string
				for _, h := range r.Headers {
					keys = append(keys, h.Key)
				}
				slices.Sort(keys)
				if !slices.Equal(keys, test.wantHeaders) {
					t.Errorf("%s: headers %q, want %q", topic, keys, test.wantHeaders)
				}
			}
		})
	}
}

func TestKcatReadsProducedRecords(t *testing.T) {
	skipShort(t)
	c := kafkatest.Start(t)
	w := newTestWriter(t, fmt.Sprintf("seed_brokers: [ %q ]\ntopic: kcat\nkey: k\n", c.Addrs()[0]))
	var batch service.MessageBatch
	var want []string
	for i := range 50 {
		v := fmt.Sprintf("/t/click ts=%d&n=%d", 1700000000+i, i)
		batch = append(batch, msg(v))
		want = append(want, v)
	}
	if err := w.WriteBatch(t.Context(), batch); err != nil {
		t.Fatalf("writing: %v", err)
	}
	if got := kafkatest.Kcat(t, c.Addrs()[0], "kcat"); !slices.Equal(got, want) {
		t.Errorf("kcat read %d values %q..., want %d in order", len(got), got[:min(3, len(got))], len(want))
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name, output, yaml string
		errContains        string
	}{
		{"franz no seed brokers", "kafka_franz", "seed_brokers: []\ntopic: t", "no seed brokers"},
		{"franz blank seed brokers", "kafka_franz", "seed_brokers: [ ' , ' ]\ntopic: t", "no seed brokers"},
		{"franz broker without port", "kafka_franz", "seed_brokers: [ localhost ]\ntopic: t", "not host:port"},
		{"franz bad sasl mechanism", "kafka_franz", "seed_brokers: [ localhost:9092 ]\ntopic: t\nsasl:\n  - mechanism: GSSAPI", "unknown SASL mechanism"},
		{"franz bad partitioner", "kafka_franz", "seed_brokers: [ localhost:9092 ]\ntopic: t\npartitioner: fnv1a_hash", "unknown partitioner"},
		{"franz manual without partition", "kafka_franz", "seed_brokers: [ localhost:9092 ]\ntopic: t\npartitioner: manual", "partition must be set"},
		{"franz idempotent with leader acks", "kafka_franz", "seed_brokers: [ localhost:9092 ]\ntopic: t\nacks: leader", "needs acks all"},
		{"franz bad static topic", "kafka_franz", "seed_brokers: [ localhost:9092 ]\ntopic: bad/topic", "INVALID_TOPIC_EXCEPTION"},
		{"franz bad size", "kafka_franz", "seed_brokers: [ localhost:9092 ]\ntopic: t\nmax_message_bytes: lots", "parsing max_message_bytes"},
		{"kafka no addresses", "kafka", "addresses: []\ntopic: t", "no seed brokers"},
		{"kafka bad sasl mechanism", "kafka", "addresses: [ localhost:9092 ]\ntopic: t\nsasl:\n  mechanism: KERBEROS", "unknown SASL mechanism"},
		{"kafka bad partitioner", "kafka", "addresses: [ localhost:9092 ]\ntopic: t\npartitioner: least_backup_please", "unknown partitioner"},
		{"kafka idempotent without ack_replicas", "kafka", "addresses: [ localhost:9092 ]\ntopic: t\nidempotent_write: true", "requires ack_replicas"},
		{"kafka token cache", "kafka", "addresses: [ localhost:9092 ]\ntopic: t\nsasl:\n  mechanism: OAUTHBEARER\n  token_cache: foo", "not supported"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			spec, ctor := kafkaFranzSpec(), newKafkaFranzFromConfig
			if test.output == "kafka" {
				spec, ctor = kafkaSpec(), newKafkaFromConfig
			}
			conf, err := spec.ParseYAML(test.yaml, nil)
			if err == nil {
				_, err = ctor(conf, service.MockResources())
			}
			if err == nil || !strings.Contains(err.Error(), test.errContains) {
				t.Fatalf("got error %v, want it to contain %q", err, test.errContains)
			}
		})
	}
}

func TestLintRules(t *testing.T) {
	tests := []struct {
		name, yaml   string
		lintContains string
	}{
		{"no seed brokers", "kafka_franz:\n  seed_brokers: []\n  topic: t", "at least one seed broker"},
		{"manual without partition", "kafka_franz:\n  seed_brokers: [ a:1 ]\n  topic: t\n  partitioner: manual", "partition must be specified"},
		{"bad partitioner enum", "kafka_franz:\n  seed_brokers: [ a:1 ]\n  topic: t\n  partitioner: fnv1a_hash", "fnv1a_hash"},
		{"kafka idempotent without acks", "kafka:\n  addresses: [ a:1 ]\n  topic: t\n  idempotent_write: true", "ack_replicas"},
	}
	linter := service.GlobalEnvironment().NewComponentConfigLinter()
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			lints, err := linter.LintOutputYAML([]byte(test.yaml))
			if err != nil {
				t.Fatal(err)
			}
			var all []string
			for _, l := range lints {
				all = append(all, l.Error())
			}
			if !strings.Contains(strings.Join(all, "; "), test.lintContains) {
				t.Errorf("lints %q, want one containing %q", all, test.lintContains)
			}
		})
	}
}
