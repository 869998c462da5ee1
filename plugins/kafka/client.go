package kafka

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/redpanda-data/benthos/v4/public/utils/netutil"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
)

// Connection fields shared by kafka_franz (and, renamed, by kafka).
const (
	kcFieldSeedBrokers            = "seed_brokers"
	kcFieldClientID               = "client_id"
	kcFieldTLS                    = "tls"
	kcFieldSASL                   = "sasl"
	kcFieldMetadataMaxAge         = "metadata_max_age"
	kcFieldRequestTimeoutOverhead = "request_timeout_overhead"
	kcFieldConnIdleTimeout        = "conn_idle_timeout"
	kcFieldTCPUserTimeout         = "tcp_user_timeout"
)

var errNoSeedBrokers = errors.New("no seed brokers configured: list at least one host:port")

// franzConnectionFields returns the stock kafka_franz connection fields.
func franzConnectionFields() []*service.ConfigField {
	return []*service.ConfigField{
		service.NewStringListField(kcFieldSeedBrokers).
			Description("A list of broker addresses (`host:port`) to connect to in order to establish connections. If an item of the list contains commas it is expanded into multiple addresses.").
			Example([]string{"localhost:9092"}).
			Example([]string{"foo:9092", "bar:9092"}).
			Example([]string{"foo:9092,bar:9092"}),
		service.NewStringField(kcFieldClientID).
			Description("An identifier for the client connection.").
			Default("redpanda-connect").Advanced(),
		service.NewTLSToggledField(kcFieldTLS),
		franzSASLField(),
		service.NewDurationField(kcFieldMetadataMaxAge).
			Description("The maximum age of metadata before it is refreshed.").
			Default("5m").Advanced(),
		service.NewDurationField(kcFieldRequestTimeoutOverhead).
			Description("The request time overhead, added to the timeout of requests that carry one (roughly `request.timeout.ms`).").
			Default("10s").Advanced(),
		service.NewDurationField(kcFieldConnIdleTimeout).
			Description("The rough amount of time to allow connections to idle before they are closed.").
			Default("20s").Advanced(),
		service.NewDurationField(kcFieldTCPUserTimeout).
			Description("The TCP user timeout (TCP_USER_TIMEOUT, Linux only) for detecting dead connections: how long sent data may stay unacknowledged before the connection is closed. `0s` leaves the system default.").
			Default("0s").Advanced(),
	}
}

// connConfig describes how to reach and authenticate with the brokers.
type connConfig struct {
	seedBrokers            []string
	clientID               string
	tlsConf                *tls.Config // nil when TLS is off
	sasl                   []sasl.Mechanism
	metadataMaxAge         time.Duration
	requestTimeoutOverhead time.Duration
	connIdleTimeout        time.Duration
	tcpUserTimeout         time.Duration
}

// franzConnConfigFromParsed reads the kafka_franz connection fields.
func franzConnConfigFromParsed(conf *service.ParsedConfig) (connConfig, error) {
	var c connConfig
	list, err := conf.FieldStringList(kcFieldSeedBrokers)
	if err != nil {
		return c, err
	}
	if c.seedBrokers, err = parseSeedBrokers(list); err != nil {
		return c, fmt.Errorf("%s: %w", kcFieldSeedBrokers, err)
	}
	if c.clientID, err = conf.FieldString(kcFieldClientID); err != nil {
		return c, err
	}
	if c.tlsConf, err = tlsFromParsed(conf, kcFieldTLS); err != nil {
		return c, err
	}
	if c.sasl, err = franzSASLFromParsed(conf); err != nil {
		return c, err
	}
	for field, dst := range map[string]*time.Duration{
		kcFieldMetadataMaxAge:         &c.metadataMaxAge,
		kcFieldRequestTimeoutOverhead: &c.requestTimeoutOverhead,
		kcFieldConnIdleTimeout:        &c.connIdleTimeout,
		kcFieldTCPUserTimeout:         &c.tcpUserTimeout,
	} {
		if *dst, err = conf.FieldDuration(field); err != nil {
			return c, err
		}
	}
	return c, nil
}

func tlsFromParsed(conf *service.ParsedConfig, field string) (*tls.Config, error) {
	tlsConf, enabled, err := conf.FieldTLSToggled(field)
	if err != nil || !enabled {
		return nil, err
	}
	return tlsConf, nil
}

// parseSeedBrokers expands comma-separated entries and checks that every
// address is a host:port, so a typo fails at config time rather than as an
// endless reconnect loop.
func parseSeedBrokers(list []string) ([]string, error) {
	var out []string
	for _, entry := range list {
		for addr := range strings.SplitSeq(entry, ",") {
			addr = strings.TrimSpace(addr)
			if addr == "" {
				continue
			}
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, fmt.Errorf("broker address %q is not host:port: %w", addr, err)
			}
			if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || host == "" {
				return nil, fmt.Errorf("broker address %q needs a host and a port between 1 and 65535", addr)
			}
			out = append(out, addr)
		}
	}
	if len(out) == 0 {
		return nil, errNoSeedBrokers
	}
	return out, nil
}

// kgoOpts returns the franz-go options that connect as described.
func (c connConfig) kgoOpts(log *service.Logger) []kgo.Opt {
	opts := []kgo.Opt{
		kgo.SeedBrokers(c.seedBrokers...),
		kgo.ClientID(c.clientID),
	}
	if log != nil {
		opts = append(opts, kgo.WithLogger(kgoLogger{log}))
	}
	if len(c.sasl) > 0 {
		opts = append(opts, kgo.SASL(c.sasl...))
	}
	if c.metadataMaxAge > 0 {
		opts = append(opts, kgo.MetadataMaxAge(c.metadataMaxAge))
	}
	if c.requestTimeoutOverhead > 0 {
		opts = append(opts, kgo.RequestTimeoutOverhead(c.requestTimeoutOverhead))
	}
	if c.connIdleTimeout > 0 {
		opts = append(opts, kgo.ConnIdleTimeout(c.connIdleTimeout))
	}
	switch {
	case c.tcpUserTimeout > 0:
		d := &net.Dialer{Timeout: 10 * time.Second}
		_ = netutil.DecorateDialer(d, netutil.DialerConfig{Timeout: 10 * time.Second, TCPUserTimeout: c.tcpUserTimeout})
		if c.tlsConf != nil {
			td := &tls.Dialer{NetDialer: d, Config: c.tlsConf}
			opts = append(opts, kgo.Dialer(td.DialContext))
		} else {
			opts = append(opts, kgo.Dialer(d.DialContext))
		}
	case c.tlsConf != nil:
		opts = append(opts, kgo.DialTLSConfig(c.tlsConf))
	}
	return opts
}

// kgoLogger routes franz-go logs into the Benthos logger. franz-go's info
// level (connections opening and closing) goes to debug, so that healthy
// operation stays quiet.
type kgoLogger struct{ log *service.Logger }

func (kgoLogger) Level() kgo.LogLevel { return kgo.LogLevelInfo }

func (l kgoLogger) Log(level kgo.LogLevel, msg string, keyvals ...any) {
	log := l.log
	if len(keyvals) > 0 {
		log = log.With(keyvals...)
	}
	switch level {
	case kgo.LogLevelError:
		log.Error(msg)
	case kgo.LogLevelWarn:
		log.Warn(msg)
	default:
		log.Debug(msg)
	}
}
