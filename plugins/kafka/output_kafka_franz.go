package kafka

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/twmb/franz-go/pkg/kgo"
)

const (
	kfoFieldTopic                  = "topic"
	kfoFieldKey                    = "key"
	kfoFieldPartition              = "partition"
	kfoFieldMetadata               = "metadata"
	kfoFieldTimestamp              = "timestamp"
	kfoFieldTimestampMs            = "timestamp_ms"
	kfoFieldMaxInFlight            = "max_in_flight"
	kfoFieldBatching               = "batching"
	kfoFieldRackID                 = "rack_id"
	kfoFieldPartitioner            = "partitioner"
	kfoFieldIdempotentWrite        = "idempotent_write"
	kfoFieldAcks                   = "acks"
	kfoFieldCompression            = "compression"
	kfoFieldAllowAutoTopicCreation = "allow_auto_topic_creation"
	kfoFieldTimeout                = "timeout"
	kfoFieldMaxMessageBytes        = "max_message_bytes"
	kfoFieldBrokerWriteMaxBytes    = "broker_write_max_bytes"
	kfoFieldMaxBufferedRecords     = "max_buffered_records"
	kfoFieldMaxBufferedBytes       = "max_buffered_bytes"
	kfoFieldMaxInFlightRequests    = "max_in_flight_requests"
	kfoFieldRecordRetries          = "record_retries"
	kfoFieldRecordDeliveryTimeout  = "record_delivery_timeout"

	// franzRetryMin and franzRetryMax bound the wait between rounds that
	// re-produce transiently failed records.
	franzRetryMin = 100 * time.Millisecond
	franzRetryMax = 5 * time.Second
)

// deliveryDescription documents the extension shared by both outputs.
const deliveryDescription = `
### Delivery semantics (kafkastore extension)

A message fails (individually, in a batch error) only when Kafka refuses that record for good: larger than ` + "`max_message_bytes`" + ` (` + "`MESSAGE_TOO_LARGE`" + `, ` + "`RECORD_LIST_TOO_LARGE`" + `), an invalid topic name (checked before producing, ` + "`INVALID_TOPIC_EXCEPTION`" + `), ` + "`INVALID_RECORD`" + `, ` + "`CORRUPT_MESSAGE`" + `, ` + "`INVALID_TIMESTAMP`" + `, or a topic, key, partition or timestamp interpolation that fails. Wrapped in a ` + "`fallback`" + ` output, exactly those messages reach the next output (the dead-letter list in the default kafkastore config).

Every other failure (brokers down, leadership changes, request timeouts, a topic still being created, producer state lost after a broker was replaced) is retried inside the output, re-producing only the failed records with a backoff, until they succeed or the stream shuts down; the output then returns the context error so the input nacks the batch. The first failure of an outage is logged once, as is the recovery. If the producer state cannot be recovered, the client is recreated. Delivery is at least once: a retry after an ambiguous failure can duplicate a record.
`

func kafkaFranzSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Stable().
		Categories("Services").
		Summary("Writes batches of messages to Kafka with the franz-go client, configured like the stock Redpanda Connect `kafka_franz` output.").
		Description(`
Writes a batch of messages to Kafka brokers, producing all of them concurrently, and waits for acknowledgement before propagating it back to the input.
`+deliveryDescription).
		Fields(slices.Concat(
			franzConnectionFields(),
			franzRecordFields(),
			[]*service.ConfigField{
				service.NewIntField(kfoFieldMaxInFlight).
					Description("The maximum number of batches to be sending in parallel at any given time.").
					Default(10),
				service.NewBatchPolicyField(kfoFieldBatching),
				service.NewStringField(kfoFieldRackID).Deprecated().Optional(),
			},
			franzProducerFields(),
		)...).
		LintRule(`root = match {
  this.seed_brokers.or([]).length() == 0 => "at least one seed broker is required"
  this.partitioner.or("") == "manual" && this.partition.or("") == "" => "a partition must be specified when the partitioner is set to manual"
  this.partitioner.or("") != "manual" && this.partition.or("") != "" => "a partition cannot be specified unless the partitioner is set to manual"
  this.timestamp.or("") != "" && this.timestamp_ms.or("") != "" => "both timestamp and timestamp_ms cannot be specified simultaneously"
  this.idempotent_write.or(true) == true && this.acks.or("all") != "all" => "idempotent_write requires acks to be set to all"
}`).
		Example("Tracker events", "Produce to the topic named by each message's metadata, keyed by client IP.", `
output:
  kafka_franz:
    seed_brokers: [ kafka-1:9092, kafka-2:9092 ]
    topic: ${! @kafka_topic }
    key: ${! @client_ip }
    batching:
      count: 500
      period: 50ms
`)
}

func franzRecordFields() []*service.ConfigField {
	return []*service.ConfigField{
		service.NewInterpolatedStringField(kfoFieldTopic).
			Description("A topic to write messages to. A message whose topic is not a valid Kafka topic name fails on its own."),
		service.NewInterpolatedStringField(kfoFieldKey).
			Description("An optional key to populate for each message.").Optional(),
		service.NewInterpolatedStringField(kfoFieldPartition).
			Description("An optional explicit partition for each message, only relevant when `partitioner` is `manual`. It must interpolate to an integer.").
			Example(`${! meta("partition") }`).Optional(),
		service.NewMetadataFilterField(kfoFieldMetadata).
			Description("Determine which (if any) metadata values should be added to messages as headers.").Optional(),
		service.NewInterpolatedStringField(kfoFieldTimestamp).
			Description("An optional timestamp for each message in seconds since the epoch; empty uses the current time.").
			Optional().Advanced().Deprecated(),
		service.NewInterpolatedStringField(kfoFieldTimestampMs).
			Description("An optional timestamp for each message in milliseconds since the epoch; empty uses the current time.").
			Example(`${! timestamp_unix_milli() }`).Optional().Advanced(),
	}
}

func franzProducerFields() []*service.ConfigField {
	return []*service.ConfigField{
		service.NewStringAnnotatedEnumField(kfoFieldPartitioner, map[string]string{
			"murmur2_hash": "Kafka's default: a 32-bit murmur2 hash of the key picks the partition.",
			"round_robin":  "Spread messages evenly over all partitions, one after the other.",
			"least_backup": "Choose the partition with the fewest buffered records, per batch.",
			"manual":       "Use the partition given by the `partition` field.",
		}).Description("Override the default murmur2 hashing partitioner.").Advanced().Optional(),
		service.NewBoolField(kfoFieldIdempotentWrite).
			Description("Enable the idempotent producer: no duplicates from the client's own retries. Requires the IDEMPOTENT_WRITE permission on the CLUSTER resource.").
			Default(true).Advanced(),
		service.NewStringEnumField(kfoFieldAcks, "all", "leader", "none").
			Description("The acknowledgements the leader must collect before answering. `idempotent_write` needs `all`.").
			Default("all").Advanced(),
		service.NewStringEnumField(kfoFieldCompression, "lz4", "snappy", "gzip", "none", "zstd").
			Description("Optionally set an explicit compression type. The default is snappy when the broker supports it, otherwise none.").
			Optional().Advanced(),
		service.NewBoolField(kfoFieldAllowAutoTopicCreation).
			Description("Let the brokers create topics that do not exist when their metadata is fetched.").
			Default(true).Advanced(),
		service.NewDurationField(kfoFieldTimeout).
			Description("The maximum period of time to wait for a produce request before abandoning it and retrying.").
			Default("10s").Advanced(),
		service.NewStringField(kfoFieldMaxMessageBytes).
			Description("The maximum size of a produced record batch (Kafka's `max.message.bytes`). A record larger than this fails on its own with `MESSAGE_TOO_LARGE`.").
			Default("1MiB").Example("100MB").Advanced(),
		service.NewStringField(kfoFieldBrokerWriteMaxBytes).
			Description("The upper bound for the number of bytes written to a broker connection in a single write (Kafka's `socket.request.max.bytes`).").
			Default("100MiB").Advanced(),
		service.NewIntField(kfoFieldMaxBufferedRecords).
			Description("The maximum number of records the client buffers before producing blocks.").
			Default(10000).Advanced(),
		service.NewStringField(kfoFieldMaxBufferedBytes).
			Description("The maximum number of bytes the client buffers before producing blocks; `0` disables the byte limit.").
			Default("0").Advanced(),
		service.NewIntField(kfoFieldMaxInFlightRequests).
			Description("The maximum number of produce requests in flight per broker connection. Ignored with `idempotent_write`, where the protocol allows 5.").
			Default(1).Advanced(),
		service.NewIntField(kfoFieldRecordRetries).
			Description("The number of times the client retries a record before failing it; `0` is unlimited. Records failed this way are re-produced by this output anyway (see delivery semantics).").
			Default(0).Advanced(),
		service.NewDurationField(kfoFieldRecordDeliveryTimeout).
			Description("The time a record may sit in the client before it is failed; `0s` is no limit. Records failed this way are re-produced by this output anyway.").
			Default("0s").Advanced(),
	}
}

func init() {
	service.MustRegisterBatchOutput("kafka_franz", kafkaFranzSpec(),
		func(conf *service.ParsedConfig, mgr *service.Resources) (service.BatchOutput, service.BatchPolicy, int, error) {
			maxInFlight, err := conf.FieldInt(kfoFieldMaxInFlight)
			if err != nil {
				return nil, service.BatchPolicy{}, 0, err
			}
			policy, err := conf.FieldBatchPolicy(kfoFieldBatching)
			if err != nil {
				return nil, service.BatchPolicy{}, 0, err
			}
			w, err := newKafkaFranzFromConfig(conf, mgr)
			return w, policy, maxInFlight, err
		})
}

func newKafkaFranzFromConfig(conf *service.ParsedConfig, mgr *service.Resources) (*franzWriter, error) {
	var wc writerConfig
	var err error
	if wc.conn, err = franzConnConfigFromParsed(conf); err != nil {
		return nil, err
	}
	if wc.records, err = franzRecordConfigFromParsed(conf); err != nil {
		return nil, err
	}
	if wc.producerOpts, err = franzProducerOptsFromParsed(conf); err != nil {
		return nil, err
	}
	wc.retryMin, wc.retryMax = franzRetryMin, franzRetryMax
	return newFranzWriter(wc, mgr.Logger(), mgr.Metrics())
}

func franzRecordConfigFromParsed(conf *service.ParsedConfig) (recordConfig, error) {
	var rc recordConfig
	var err error
	if rc.topic, err = conf.FieldInterpolatedString(kfoFieldTopic); err != nil {
		return rc, err
	}
	if raw, err := conf.FieldString(kfoFieldTopic); err == nil {
		rc.setTopicSource(raw)
	}
	if conf.Contains(kfoFieldKey) {
		if rc.key, err = conf.FieldInterpolatedString(kfoFieldKey); err != nil {
			return rc, err
		}
	}
	if s, _ := conf.FieldString(kfoFieldPartition); s != "" {
		if rc.partition, err = conf.FieldInterpolatedString(kfoFieldPartition); err != nil {
			return rc, err
		}
	}
	if conf.Contains(kfoFieldMetadata) {
		filter, err := conf.FieldMetadataFilter(kfoFieldMetadata)
		if err != nil {
			return rc, err
		}
		// An empty filter matches nothing: skip the walk per message.
		if !filter.IsEmpty() {
			rc.metadata = filter
		}
	}
	for field, unit := range map[string]time.Duration{kfoFieldTimestamp: time.Second, kfoFieldTimestampMs: time.Millisecond} {
		if s, _ := conf.FieldString(field); s == "" {
			continue
		}
		if rc.timestamp != nil {
			return rc, errors.New("cannot specify both timestamp and timestamp_ms")
		}
		if rc.timestamp, err = conf.FieldInterpolatedString(field); err != nil {
			return rc, err
		}
		rc.tsUnit = unit
	}
	return rc, rc.init()
}

func franzProducerOptsFromParsed(conf *service.ParsedConfig) ([]kgo.Opt, error) {
	var opts []kgo.Opt
	partitioner, _ := conf.FieldString(kfoFieldPartitioner)
	hasPartition := conf.Contains(kfoFieldPartition)
	if s, _ := conf.FieldString(kfoFieldPartition); s == "" {
		hasPartition = false
	}
	if (partitioner == "manual") != hasPartition {
		return nil, errors.New("partition must be set exactly when partitioner is manual")
	}
	switch partitioner {
	case "", "murmur2_hash", "round_robin", "least_backup", "manual":
	default:
		return nil, fmt.Errorf("unknown partitioner %q: use murmur2_hash, round_robin, least_backup or manual", partitioner)
	}
	o, err := partitionerOpt(partitioner)
	if err != nil {
		return nil, err
	}
	opts = append(opts, o)
	if s, _ := conf.FieldString(kfoFieldCompression); s != "" {
		if o, err = compressionOpt(s); err != nil {
			return nil, err
		}
		opts = append(opts, o)
	}
	idempotent, err := conf.FieldBool(kfoFieldIdempotentWrite)
	if err != nil {
		return nil, err
	}
	acks, err := conf.FieldString(kfoFieldAcks)
	if err != nil {
		return nil, err
	}
	ao, err := acksOpts(acks, idempotent)
	if err != nil {
		return nil, err
	}
	opts = append(opts, ao...)
	if auto, err := conf.FieldBool(kfoFieldAllowAutoTopicCreation); err != nil {
		return nil, err
	} else if auto {
		opts = append(opts, kgo.AllowAutoTopicCreation())
	}
	lo, err := franzLimitOptsFromParsed(conf)
	if err != nil {
		return nil, err
	}
	return append(opts, lo...), nil
}

func franzLimitOptsFromParsed(conf *service.ParsedConfig) ([]kgo.Opt, error) {
	sizes := map[string]int64{kfoFieldMaxMessageBytes: 0, kfoFieldBrokerWriteMaxBytes: 0, kfoFieldMaxBufferedBytes: 0}
	for field := range sizes {
		s, err := conf.FieldString(field)
		if err != nil {
			return nil, err
		}
		limit := uint64(0)
		if field == kfoFieldBrokerWriteMaxBytes {
			limit = 1 << 30
		} else if field == kfoFieldMaxBufferedBytes {
			limit = math.MaxInt
		}
		if sizes[field], err = parseBytes(field, s, limit); err != nil {
			return nil, err
		}
	}
	ints := map[string]int{kfoFieldMaxBufferedRecords: 0, kfoFieldMaxInFlightRequests: 0, kfoFieldRecordRetries: 0}
	for field := range ints {
		n, err := conf.FieldInt(field)
		if err != nil {
			return nil, err
		}
		if n < 0 || (n == 0 && field != kfoFieldRecordRetries) {
			return nil, fmt.Errorf("%s must be at least 1, got %d", field, n)
		}
		ints[field] = n
	}
	timeout, err := conf.FieldDuration(kfoFieldTimeout)
	if err != nil {
		return nil, err
	}
	deliveryTimeout, err := conf.FieldDuration(kfoFieldRecordDeliveryTimeout)
	if err != nil {
		return nil, err
	}
	return limitOpts(producerLimits{
		maxMessageBytes:     int32(sizes[kfoFieldMaxMessageBytes]),
		brokerWriteMaxBytes: int32(sizes[kfoFieldBrokerWriteMaxBytes]),
		maxBufferedBytes:    int(sizes[kfoFieldMaxBufferedBytes]),
		maxBufferedRecords:  ints[kfoFieldMaxBufferedRecords],
		maxInFlightRequests: ints[kfoFieldMaxInFlightRequests],
		recordRetries:       ints[kfoFieldRecordRetries],
		timeout:             timeout,
		deliveryTimeout:     deliveryTimeout,
	}), nil
}
