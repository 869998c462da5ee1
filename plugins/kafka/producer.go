package kafka

import (
	"fmt"
	"hash/fnv"
	"math"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/twmb/franz-go/pkg/kgo"
)

// partitionerOpt maps a partitioner name of either output to franz-go.
// murmur2_hash is Kafka's Java-client hash, so keyed records land where Java
// producers would put them; records without a key stick to one partition per
// batch.
func partitionerOpt(name string) (kgo.Opt, error) {
	var p kgo.Partitioner
	switch name {
	case "", "murmur2_hash":
		p = kgo.StickyKeyPartitioner(nil)
	case "fnv1a_hash":
		p = kgo.StickyKeyPartitioner(fnv1aHasher)
	case "round_robin":
		p = kgo.RoundRobinPartitioner()
	case "least_backup":
		p = kgo.LeastBackupPartitioner()
	case "random":
		p = kgo.StickyPartitioner()
	case "manual":
		p = kgo.ManualPartitioner()
	default:
		return nil, fmt.Errorf("unknown partitioner %q", name)
	}
	return kgo.RecordPartitioner(p), nil
}

// fnv1aHasher matches sarama's default hash partitioner: 32-bit FNV-1a of the
// key as a signed integer, modulo the partition count, made positive.
func fnv1aHasher(key []byte, n int) int {
	h := fnv.New32a()
	_, _ = h.Write(key)
	p := int32(h.Sum32()) % int32(n)
	if p < 0 {
		p = -p
	}
	return int(p)
}

// compressionOpt maps a codec name to franz-go; "" keeps franz-go's default
// (snappy when the broker supports it).
func compressionOpt(name string) (kgo.Opt, error) {
	var c kgo.CompressionCodec
	switch name {
	case "":
		return nil, nil
	case "none":
		c = kgo.NoCompression()
	case "snappy":
		c = kgo.SnappyCompression()
	case "lz4":
		c = kgo.Lz4Compression()
	case "gzip":
		c = kgo.GzipCompression()
	case "zstd":
		c = kgo.ZstdCompression()
	default:
		return nil, fmt.Errorf("unknown compression %q", name)
	}
	return kgo.ProducerBatchCompression(c), nil
}

// acksOpts maps acks to franz-go; idempotent writes need acks "all".
func acksOpts(acks string, idempotent bool) ([]kgo.Opt, error) {
	var a kgo.Acks
	switch acks {
	case "all":
		a = kgo.AllISRAcks()
	case "leader":
		a = kgo.LeaderAck()
	case "none":
		a = kgo.NoAck()
	default:
		return nil, fmt.Errorf("unknown acks %q: use all, leader or none", acks)
	}
	opts := []kgo.Opt{kgo.RequiredAcks(a)}
	if !idempotent {
		opts = append(opts, kgo.DisableIdempotentWrite())
	} else if acks != "all" {
		return nil, fmt.Errorf("idempotent_write needs acks all, got %q", acks)
	}
	return opts, nil
}

// parseBytes reads a size such as "1MiB" or "1000000" and checks its range.
func parseBytes(field, s string, limit uint64) (int64, error) {
	n, err := humanize.ParseBytes(s)
	if err != nil {
		return 0, fmt.Errorf("parsing %s %q: %w", field, s, err)
	}
	if limit == 0 {
		limit = math.MaxInt32
	}
	if n > limit {
		return 0, fmt.Errorf("%s %q exceeds %d bytes", field, s, limit)
	}
	return int64(n), nil
}

// producerLimits are the sizing knobs both outputs map onto franz-go; zero
// leaves franz-go's default.
type producerLimits struct {
	maxMessageBytes     int32
	brokerWriteMaxBytes int32
	maxBufferedBytes    int
	maxBufferedRecords  int
	maxInFlightRequests int
	recordRetries       int
	timeout             time.Duration
	deliveryTimeout     time.Duration
}

func limitOpts(l producerLimits) []kgo.Opt {
	var opts []kgo.Opt
	add := func(ok bool, o kgo.Opt) {
		if ok {
			opts = append(opts, o)
		}
	}
	add(l.maxMessageBytes > 0, kgo.ProducerBatchMaxBytes(l.maxMessageBytes))
	add(l.brokerWriteMaxBytes > 0, kgo.BrokerMaxWriteBytes(l.brokerWriteMaxBytes))
	add(l.maxBufferedBytes > 0, kgo.MaxBufferedBytes(l.maxBufferedBytes))
	add(l.maxBufferedRecords > 0, kgo.MaxBufferedRecords(l.maxBufferedRecords))
	add(l.maxInFlightRequests > 0, kgo.MaxProduceRequestsInflightPerBroker(l.maxInFlightRequests))
	add(l.recordRetries > 0, kgo.RecordRetries(l.recordRetries))
	add(l.timeout > 0, kgo.ProduceRequestTimeout(l.timeout))
	add(l.deliveryTimeout > 0, kgo.RecordDeliveryTimeout(l.deliveryTimeout))
	return opts
}
