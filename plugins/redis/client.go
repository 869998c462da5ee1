package redis

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redpanda-data/benthos/v4/public/service"
)

// Connection fields shared by every redis component, named and defaulted as in
// the stock Redpanda Connect redis components so their configs run unchanged.
const (
	rcFieldURL        = "url"
	rcFieldKind       = "kind"
	rcFieldMaster     = "master"
	rcFieldClientName = "client_name"
	rcFieldTLS        = "tls"

	kindSimple   = "simple"
	kindCluster  = "cluster"
	kindFailover = "failover"
)

// clientFields returns the connection fields of every redis component.
func clientFields() []*service.ConfigField {
	return []*service.ConfigField{
		service.NewURLField(rcFieldURL).
			Description("The URL of the Redis server. The database is optional and given as the URL path; a password may be given in the URL and is never logged, and `echo` shows the field scrubbed. Several comma-separated URLs name the seed nodes of a cluster or the sentinels of a failover setup. The scheme `rediss://` switches TLS on with system defaults when `tls` is not enabled.").
			Example("redis://localhost:6379").
			Example("redis://:foopassword@redisplace:6379/1").
			Example("redis://localhost:6379,redis://localhost:6380").
			Secret(),
		service.NewStringEnumField(rcFieldKind, kindSimple, kindCluster, kindFailover).
			Description("Specifies a simple, cluster-aware, or failover-aware (sentinel) redis client.").
			Default(kindSimple).
			Advanced(),
		service.NewStringField(rcFieldMaster).
			Description("Name of the redis master when `kind` is `failover`.").
			Default("").
			Example("mymaster").
			Advanced(),
		service.NewStringField(rcFieldClientName).
			Description("The name this client announces with `CLIENT SETNAME`, visible in `CLIENT LIST`. Empty sends none.").
			Default("kafkastore").
			Advanced(),
		service.NewTLSToggledField(rcFieldTLS).
			Description("Custom TLS settings can be used to override system defaults. Some hosted Redis services need `enable_renegotiation: true` and TLS 1.2 or later; TLS problems often show as plain `i/o timeout` errors."),
	}
}

// clientConfig holds the parsed connection fields; build turns them into a
// client without dialing.
type clientConfig struct {
	urls       string
	kind       string
	master     string
	clientName string
	tls        *tls.Config
}

func clientConfigFromParsed(conf *service.ParsedConfig) (clientConfig, error) {
	var c clientConfig
	var err error
	if c.urls, err = conf.FieldString(rcFieldURL); err != nil {
		return c, err
	}
	if c.kind, err = conf.FieldString(rcFieldKind); err != nil {
		return c, err
	}
	if c.master, err = conf.FieldString(rcFieldMaster); err != nil {
		return c, err
	}
	if c.clientName, err = conf.FieldString(rcFieldClientName); err != nil {
		return c, err
	}
	tlsConf, tlsOn, err := conf.FieldTLSToggled(rcFieldTLS)
	if err != nil {
		return c, err
	}
	if tlsOn {
		c.tls = tlsConf
	}
	return c, nil
}

// build returns a client for the configuration. It validates every URL and
// the kind, but does not connect.
func (c clientConfig) build() (redis.UniversalClient, error) {
	opts := &redis.UniversalOptions{ClientName: c.clientName, TLSConfig: c.tls, ContextTimeoutEnabled: true}
	for i, raw := range strings.Split(c.urls, ",") {
		raw = strings.TrimSpace(raw)
		o, err := ParseURL(raw)
		if err != nil {
			return nil, fmt.Errorf("parsing url %d of %q: %w", i+1, redactURLs(c.urls), err)
		}
		opts.Addrs = append(opts.Addrs, o.Addr)
		opts.DB, opts.Username, opts.Password = o.DB, o.Username, o.Password
		if opts.TLSConfig == nil && o.TLSConfig != nil {
			opts.TLSConfig = o.TLSConfig
		}
	}
	switch c.kind {
	case kindSimple:
		if len(opts.Addrs) > 1 {
			return nil, fmt.Errorf("kind %q takes one url, got %d: set kind to cluster or failover", c.kind, len(opts.Addrs))
		}
		return redis.NewClient(opts.Simple()), nil
	case kindCluster:
		return redis.NewClusterClient(opts.Cluster()), nil
	case kindFailover:
		if c.master == "" {
			return nil, errors.New("kind failover needs the master field: the sentinel master name")
		}
		opts.MasterName = c.master
		return redis.NewFailoverClient(opts.Failover()), nil
	default:
		return nil, fmt.Errorf("unknown redis kind %q: use simple, cluster or failover", c.kind)
	}
}

// parseRedisURL parses one URL into go-redis options; its errors never carry
// the URL itself, which may hold a password.
func parseRedisURL(raw string) (*redis.Options, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, urlProblem(err)
	}
	if u.Host == "" {
		return nil, errors.New("missing host: write it as redis://host:port")
	}
	if u.Scheme == "tcp" {
		u.Scheme = "redis"
	}
	o, err := redis.ParseURL(u.String())
	if err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "redis: "))
	}
	return o, nil
}

// urlProblem returns what url.Parse disliked without the piece of the URL it
// quotes: a '#', '/' or '?' in a password ends the host part early, so the
// quoted "port" or escape is then a piece of the password.
func urlProblem(err error) error {
	msg := err.Error()
	var uerr *url.Error
	if errors.As(err, &uerr) {
		msg = uerr.Err.Error()
	}
	if i := strings.IndexByte(msg, '"'); i >= 0 {
		msg = strings.TrimSpace(msg[:i])
	}
	return fmt.Errorf("malformed url: %s (percent-encode special characters of a password: %%23 for #, %%2F for /, %%3F for ?, %%25 for %%)", msg)
}

// redactURLs returns the comma-separated URLs with any password replaced by
// "xxxxx", fit for logs and errors.
func redactURLs(urls string) string {
	parts := strings.Split(urls, ",")
	for i, p := range parts {
		parts[i] = RedactURL(strings.TrimSpace(p))
	}
	return strings.Join(parts, ",")
}

// isConnErr reports whether err is connection trouble rather than an error
// reply about the command. Replies a failover or restart produces count as
// connection trouble.
func isConnErr(err error) bool {
	var rerr redis.Error
	if !errors.As(err, &rerr) {
		return true
	}
	msg := rerr.Error()
	for _, p := range []string{"LOADING", "READONLY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "NOAUTH"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// retryConn runs f until it succeeds, fails with an error reply, or ctx ends,
// backing off through connection trouble.
func retryConn(ctx context.Context, f func() error) error {
	wait := 50 * time.Millisecond
	for {
		err := f()
		if err == nil || !isConnErr(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

func init() {
	redis.SetLogger(&throttledLogger{last: map[string]time.Time{}})
}

// throttledLogger stands in for go-redis's internal logger, which during an
// outage prints every failed dial of every command. It prints each kind of
// message (its format) at most once a minute; the components log the outage
// itself once, with context.
type throttledLogger struct {
	mu   sync.Mutex
	last map[string]time.Time
}

func (l *throttledLogger) Printf(_ context.Context, format string, v ...any) {
	now := time.Now()
	l.mu.Lock()
	t, seen := l.last[format]
	quiet := seen && now.Sub(t) < time.Minute
	if !quiet {
		l.last[format] = now
	}
	l.mu.Unlock()
	if !quiet {
		log.Printf(format, v...)
	}
}
