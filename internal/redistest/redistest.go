// Package redistest starts real redis-server processes for tests.
//
// Start runs a fresh server on a free loopback port with its files in
// t.TempDir(), waits until it answers PING and kills it when the test ends.
// Tests that use it skip only under `go test -short`; a missing redis-server
// binary fails the test with the command that installs it.
package redistest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kafkastore/kafkastore/internal/testcerts"
)

// Option changes how Start runs the server.
type Option func(*config)

type config struct {
	aof      bool
	password string
	users    []string
	extra    []string

	tls                  *testcerts.Certs
	tlsRequireClientCert bool
}

// WithAOF switches the append-only file on with fsync on every write, so a
// killed and restarted server keeps every acknowledged write.
func WithAOF() Option { return func(c *config) { c.aof = true } }

// WithPassword protects the default user with password; URL and Client then
// authenticate with it.
func WithPassword(password string) Option { return func(c *config) { c.password = password } }

// WithACLUser adds an ACL user with a password and ACL rules, for example
// WithACLUser("app", "secret", "~*", "&*", "+@all").
func WithACLUser(name, password string, rules ...string) Option {
	return func(c *config) {
		c.users = append(c.users, strings.Join(append([]string{"user", name, "on", ">" + password}, rules...), " "))
	}
}

// WithArgs appends raw redis-server arguments, e.g. "--maxmemory", "10mb".
func WithArgs(args ...string) Option { return func(c *config) { c.extra = append(c.extra, args...) } }

// Server is a running redis-server owned by one test.
type Server struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	conf config

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
}

// Start starts a redis-server for t and kills it in t.Cleanup.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test against redis-server: skipped under -short")
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("redis-server not found on PATH: install it with `apt-get install -y redis-server`")
	}
	s := &Server{t: t, bin: bin, dir: t.TempDir()}
	for _, o := range opts {
		o(&s.conf)
	}
	t.Cleanup(s.Kill)
	var lastErr error
	for range 5 {
		if s.port, lastErr = freePort(); lastErr != nil {
			continue
		}
		if lastErr = s.start(); lastErr == nil {
			return s
		}
	}
	t.Fatalf("starting redis-server: %v", lastErr)
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) args() ([]string, error) {
	args := append(s.conf.portArgs(strconv.Itoa(s.port)),
		"--bind", "127.0.0.1", "--dir", s.dir,
		"--save", "", "--daemonize", "no", "--logfile", "redis.log",
	)
	if s.conf.aof {
		args = append(args, "--appendonly", "yes", "--appendfsync", "always")
	} else {
		args = append(args, "--appendonly", "no")
	}
	switch {
	case len(s.conf.users) > 0:
		// requirepass and aclfile exclude each other: the file carries both.
		def := "user default on nopass ~* &* +@all"
		if s.conf.password != "" {
			def = "user default on >" + s.conf.password + " ~* &* +@all"
		}
		aclFile := filepath.Join(s.dir, "users.acl")
		content := strings.Join(append(s.conf.users, def), "\n") + "\n"
		if err := os.WriteFile(aclFile, []byte(content), 0o600); err != nil {
			return nil, fmt.Errorf("writing acl file: %w", err)
		}
		args = append(args, "--aclfile", aclFile)
	case s.conf.password != "":
		args = append(args, "--requirepass", s.conf.password)
	}
	return append(args, s.conf.extra...), nil
}

func (s *Server) start() error {
	args, err := s.args()
	if err != nil {
		return err
	}
	cmd := exec.Command(s.bin, args...)
	cmd.Dir = s.dir
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("running %s: %w", s.bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	s.mu.Lock()
	s.cmd, s.exited = cmd, exited
	s.mu.Unlock()

	c := redis.NewClient(&redis.Options{Addr: s.Addr(), Password: s.conf.password, TLSConfig: s.conf.clientTLS(), MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer c.Close()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		select {
		case <-exited:
			log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
			return fmt.Errorf("redis-server exited on port %d:\n%s", s.port, log)
		default:
		}
		if err := c.Ping(context.Background()).Err(); err == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.Kill()
	return errors.New("redis-server did not answer PING within 10s")
}

// Kill stops the server at once with SIGKILL, as a crash would, and waits
// for it to exit. Killing a stopped server does nothing.
func (s *Server) Kill() {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	<-exited
}

// Restart kills the server and starts it again on the same port and
// directory, so with WithAOF the data survives.
func (s *Server) Restart() {
	s.t.Helper()
	s.Kill()
	if err := s.Start(); err != nil {
		s.t.Fatalf("restarting redis-server: %v", err)
	}
}

// Start starts a killed server again on the same port and directory.
func (s *Server) Start() error {
	s.mu.Lock()
	running := s.cmd != nil
	s.mu.Unlock()
	if running {
		return errors.New("redis-server is already running")
	}
	var err error
	for range 50 { // the port may linger briefly after a kill
		if err = s.start(); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

// Addr returns host:port of the server.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// Dir returns the server's working directory (AOF, logs).
func (s *Server) Dir() string { return s.dir }

// URL returns a redis:// URL (rediss:// with WithTLS) for database 0, with
// the password if one is set.
func (s *Server) URL() string {
	scheme := "redis://"
	if s.conf.tls != nil {
		scheme = "rediss://"
	}
	if s.conf.password != "" {
		return scheme + ":" + s.conf.password + "@" + s.Addr() + "/0"
	}
	return scheme + s.Addr() + "/0"
}

// Client returns a go-redis client for the server, closed in t.Cleanup.
func (s *Server) Client(t testing.TB) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: s.Addr(), Password: s.conf.password, TLSConfig: s.conf.clientTLS()})
	t.Cleanup(func() { _ = c.Close() })
	return c
}
