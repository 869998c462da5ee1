package kafka

import (
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/twmb/franz-go/pkg/kgo"
)

const (
	koFieldAddresses           = "addresses"
	koFieldTargetVersion       = "target_version"
	koFieldRackID              = "rack_id"
	koFieldCustomTopicCreation = "custom_topic_creation"
	koFieldStaticHeaders       = "static_headers"
	koFieldInjectTracingMap    = "inject_tracing_map"
	koFieldAckReplicas         = "ack_replicas"
	koFieldMaxMsgBytes         = "max_msg_bytes"
	koFieldRetryAsBatch        = "retry_as_batch"
	koFieldMaxRetries          = "max_retries"
	koFieldBackoff             = "backoff"
)

func kafkaSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Stable().
		Categories("Services").
		Summary("Writes batches of messages to Kafka, configured like the stock sarama-based `kafka` output but running on the same franz-go producer as `kafka_franz`.").
		Description(`
Both the `+"`key` and `topic`"+` fields can be set per message with interpolations. Metadata is added to each message as headers, restricted by the `+"`metadata`"+` field.

The stock fields `+"`target_version`, `rack_id`, `custom_topic_creation`, `inject_tracing_map`, `retry_as_batch` and `max_retries`"+` are accepted and ignored: franz-go negotiates protocol versions, topics are created by the brokers' auto-creation, and records are retried until they succeed (see below). From `+"`backoff`"+` the initial and maximum intervals pace those retries. The `+"`random`"+` partitioner picks a random partition per batch rather than per message, and `+"`murmur2_hash`"+` is Kafka's Java-client hash.
`+deliveryDescription).
		Fields(
			service.NewStringListField(koFieldAddresses).
				Description("A list of broker addresses to connect to. If an item of the list contains commas it is expanded into multiple addresses.").
				Example([]string{"localhost:9092"}).
				Example([]string{"localhost:9041,localhost:9042"}),
			service.NewTLSToggledField(kcFieldTLS),
			saramaSASLField(),
			service.NewInterpolatedStringField(kfoFieldTopic).
				Description("The topic to publish messages to."),
			service.NewStringField(kcFieldClientID).
				Description("An identifier for the client connection.").Default("benthos").Advanced(),
			service.NewStringField(koFieldTargetVersion).
				Description("Accepted for compatibility and ignored: franz-go negotiates the protocol version with the brokers.").Optional(),
			service.NewStringField(koFieldRackID).
				Description("Accepted for compatibility and ignored.").Default("").Advanced(),
			service.NewInterpolatedStringField(kfoFieldKey).
				Description("The key to publish messages with; an empty key is no key.").Default(""),
			service.NewStringEnumField(kfoFieldPartitioner, "fnv1a_hash", "murmur2_hash", "random", "round_robin", "manual").
				Description("The partitioning algorithm to use.").Default("fnv1a_hash"),
			service.NewInterpolatedStringField(kfoFieldPartition).
				Description("The partition to publish messages to when `partitioner` is `manual`. Must interpolate to a 32-bit integer.").
				Default("").Advanced(),
			service.NewObjectField(koFieldCustomTopicCreation,
				service.NewBoolField("enabled").Description("Ignored.").Default(false),
				service.NewIntField("partitions").Description("Ignored.").Default(-1),
				service.NewIntField("replication_factor").Description("Ignored.").Default(-1),
			).Description("Accepted for compatibility and ignored.").Advanced().Optional(),
			service.NewStringEnumField(kfoFieldCompression, "none", "snappy", "lz4", "gzip", "zstd").
				Description("The compression algorithm to use.").Default("none"),
			service.NewStringMapField(koFieldStaticHeaders).
				Description("An optional map of static headers added to messages in addition to metadata.").
				Example(map[string]string{"first-static-header": "value-1"}).Optional(),
			service.NewMetadataExcludeFilterField(kfoFieldMetadata).
				Description("Specify criteria for which metadata values are sent with messages as headers."),
			service.NewInterpolatedStringField(koFieldInjectTracingMap).
				Description("Accepted for compatibility and ignored.").Optional().Advanced(),
			service.NewOutputMaxInFlightField(),
			service.NewBoolField(kfoFieldIdempotentWrite).
				Description("Enable the idempotent producer; it requires `ack_replicas: true`.").Default(false).Advanced(),
			service.NewBoolField(koFieldAckReplicas).
				Description("Ensure that messages have been copied across all replicas before acknowledging receipt.").
				Default(false).Advanced(),
			service.NewIntField(koFieldMaxMsgBytes).
				Description("The maximum size in bytes of a record batch sent to the target topic; a larger record fails on its own.").
				Default(1000000).Advanced(),
			service.NewDurationField(kfoFieldTimeout).
				Description("The maximum period of time to wait for a produce request before abandoning it and retrying.").
				Default("5s").Advanced(),
			service.NewBoolField(koFieldRetryAsBatch).
				Description("Accepted for compatibility and ignored: only failed records are retried.").Default(false).Advanced(),
			service.NewBatchPolicyField(kfoFieldBatching),
			service.NewIntField(koFieldMaxRetries).
				Description("Accepted for compatibility and ignored: transient failures are retried until they succeed.").Default(0).Advanced(),
			service.NewBackOffField(koFieldBackoff, true, &backoff.ExponentialBackOff{
				InitialInterval: 3 * time.Second,
				MaxInterval:     10 * time.Second,
				MaxElapsedTime:  30 * time.Second,
			}).Description("Pacing of retries: the initial and maximum intervals are used, the maximum elapsed time is ignored.").Advanced(),
		).
		LintRule(`root = match {
  this.addresses.or([]).length() == 0 => "at least one address is required"
  this.partitioner.or("") == "manual" && this.partition.or("") == "" => "a partition must be specified when the partitioner is set to manual"
  this.idempotent_write.or(false) && !this.ack_replicas.or(false) => "idempotent_write requires ack_replicas: true"
}`)
}

func init() {
	service.MustRegisterBatchOutput("kafka", kafkaSpec(),
		func(conf *service.ParsedConfig, mgr *service.Resources) (service.BatchOutput, service.BatchPolicy, int, error) {
			maxInFlight, err := conf.FieldMaxInFlight()
			if err != nil {
				return nil, service.BatchPolicy{}, 0, err
			}
			policy, err := conf.FieldBatchPolicy(kfoFieldBatching)
			if err != nil {
				return nil, service.BatchPolicy{}, 0, err
			}
			w, err := newKafkaFromConfig(conf, mgr)
			return w, policy, maxInFlight, err
		})
}

func newKafkaFromConfig(conf *service.ParsedConfig, mgr *service.Resources) (*franzWriter, error) {
	var wc writerConfig
	var err error
	if wc.conn, err = saramaConnConfigFromParsed(conf); err != nil {
		return nil, err
	}
	if wc.records, err = saramaRecordConfigFromParsed(conf); err != nil {
		return nil, err
	}
	if wc.producerOpts, err = saramaProducerOptsFromParsed(conf); err != nil {
		return nil, err
	}
	boff, err := conf.FieldBackOff(koFieldBackoff)
	if err != nil {
		return nil, err
	}
	wc.retryMin, wc.retryMax = boff.InitialInterval, max(boff.MaxInterval, boff.InitialInterval)
	if wc.retryMin <= 0 {
		wc.retryMin, wc.retryMax = franzRetryMin, franzRetryMax
	}
	return newFranzWriter(wc, mgr.Logger(), mgr.Metrics())
}

func saramaConnConfigFromParsed(conf *service.ParsedConfig) (connConfig, error) {
	c := connConfig{metadataMaxAge: 5 * time.Minute}
	list, err := conf.FieldStringList(koFieldAddresses)
	if err != nil {
		return c, err
	}
	if c.seedBrokers, err = parseSeedBrokers(list); err != nil {
		return c, wrapField(koFieldAddresses, err)
	}
	if c.clientID, err = conf.FieldString(kcFieldClientID); err != nil {
		return c, err
	}
	if c.tlsConf, err = tlsFromParsed(conf, kcFieldTLS); err != nil {
		return c, err
	}
	c.sasl, err = saramaSASLFromParsed(conf)
	return c, err
}

func saramaRecordConfigFromParsed(conf *service.ParsedConfig) (recordConfig, error) {
	rc := recordConfig{emptyKeyIsNil: true}
	var err error
	if rc.topic, err = conf.FieldInterpolatedString(kfoFieldTopic); err != nil {
		return rc, err
	}
	if raw, err := conf.FieldString(kfoFieldTopic); err == nil {
		rc.setTopicSource(raw)
	}
	if rc.key, err = conf.FieldInterpolatedString(kfoFieldKey); err != nil {
		return rc, err
	}
	if s, _ := conf.FieldString(kfoFieldPartition); s != "" {
		if rc.partition, err = conf.FieldInterpolatedString(kfoFieldPartition); err != nil {
			return rc, err
		}
	}
	if rc.metadata, err = conf.FieldMetadataExcludeFilter(kfoFieldMetadata); err != nil {
		return rc, err
	}
	if conf.Contains(koFieldStaticHeaders) {
		hs, err := conf.FieldStringMap(koFieldStaticHeaders)
		if err != nil {
			return rc, err
		}
		for _, k := range slices.Sorted(maps.Keys(hs)) {
			rc.staticHeaders = append(rc.staticHeaders, kgo.RecordHeader{Key: k, Value: []byte(hs[k])})
		}
	}
	return rc, rc.init()
}

func saramaProducerOptsFromParsed(conf *service.ParsedConfig) ([]kgo.Opt, error) {
	partitioner, err := conf.FieldString(kfoFieldPartitioner)
	if err != nil {
		return nil, err
	}
	partition, _ := conf.FieldString(kfoFieldPartition)
	if partitioner == "manual" && partition == "" {
		return nil, errors.New("partition must be set when partitioner is manual")
	}
	po, err := partitionerOpt(partitioner)
	if err != nil {
		return nil, err
	}
	compression, err := conf.FieldString(kfoFieldCompression)
	if err != nil {
		return nil, err
	}
	co, err := compressionOpt(compression)
	if err != nil {
		return nil, err
	}
	idempotent, err := conf.FieldBool(kfoFieldIdempotentWrite)
	if err != nil {
		return nil, err
	}
	ackReplicas, err := conf.FieldBool(koFieldAckReplicas)
	if err != nil {
		return nil, err
	}
	acks := "leader"
	if ackReplicas {
		acks = "all"
	}
	opts, err := acksOpts(acks, idempotent)
	if err != nil {
		return nil, errors.New("idempotent_write requires ack_replicas: true")
	}
	maxMsgBytes, err := conf.FieldInt(koFieldMaxMsgBytes)
	if err != nil {
		return nil, err
	}
	if maxMsgBytes < 1 || maxMsgBytes > 1<<30 {
		return nil, errors.New("max_msg_bytes must be between 1 and 1073741824")
	}
	timeout, err := conf.FieldDuration(kfoFieldTimeout)
	if err != nil {
		return nil, err
	}
	opts = append(opts, po, kgo.AllowAutoTopicCreation())
	if co != nil {
		opts = append(opts, co)
	}
	opts = append(opts, limitOpts(producerLimits{maxMessageBytes: int32(maxMsgBytes), timeout: timeout})...)
	return opts, nil
}
