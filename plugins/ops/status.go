package ops

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// Status page defaults and environment variables.
const (
	DefaultStatusAddress = "127.0.0.1:4196"

	EnvStatusAddress  = "STATUS_ADDRESS"
	EnvStatusToken    = "STATUS_TOKEN"
	EnvStatusUser     = "STATUS_USER"
	EnvStatusPassword = "STATUS_PASSWORD"

	statusCookie     = "kafkastore_status"
	statusShownDead  = 20
	statusRefresh    = 5 * time.Second
	statusRedisLimit = 3 * time.Second
)

// StatusConfig configures the status page.
type StatusConfig struct {
	Address  string // host:port to listen on; empty or "off" disables the page
	Token    string // bearer token; also accepted once as ?token= and then as a cookie
	User     string // basic auth user, with Password
	Password string
}

// StatusConfigFromEnv reads STATUS_ADDRESS (unset means
// DefaultStatusAddress), STATUS_TOKEN, STATUS_USER and STATUS_PASSWORD
// through lookup (os.LookupEnv).
func StatusConfigFromEnv(lookup func(string) (string, bool)) StatusConfig {
	addr, ok := lookup(EnvStatusAddress)
	if !ok {
		addr = DefaultStatusAddress
	}
	get := func(k string) string { v, _ := lookup(k); return v }
	return StatusConfig{Address: strings.TrimSpace(addr), Token: get(EnvStatusToken), User: get(EnvStatusUser), Password: get(EnvStatusPassword)}
}

// Enabled reports whether the page should be served.
func (c StatusConfig) Enabled() bool { return c.Address != "" && c.Address != "off" }

// StatusPage serves a small HTML page with throughput, queue depths and the
// newest dead letters. It always requires credentials.
type StatusPage struct {
	cfg       StatusConfig
	generated bool // cfg.Token was generated at start
	client    redis.UniversalClient
	keys      Keys
	rates     *rateTracker
	tokenSum  [32]byte
	userSum   [32]byte
	passSum   [32]byte
}

// NewStatusPage checks the credentials and builds the page. With neither a
// token nor a user and password configured it generates a random token when
// the address is loopback, and refuses otherwise. metrics is the process's
// own metrics (nil shows no throughput).
func NewStatusPage(cfg StatusConfig, c redis.UniversalClient, k Keys, metrics prometheus.Gatherer) (*StatusPage, error) {
	if (cfg.User == "") != (cfg.Password == "") {
		return nil, fmt.Errorf("%s and %s must be set together", EnvStatusUser, EnvStatusPassword)
	}
	p := &StatusPage{cfg: cfg, client: c, keys: k, rates: newRateTracker(metrics)}
	if cfg.Token == "" && cfg.User == "" {
		loopback, err := isLoopback(cfg.Address)
		if err != nil {
			return nil, err
		}
		if !loopback {
			return nil, fmt.Errorf("status page on %s is reachable from other hosts and has no credentials: set %s, or %s and %s, or listen on 127.0.0.1 (%s=off disables the page)",
				cfg.Address, EnvStatusToken, EnvStatusUser, EnvStatusPassword, EnvStatusAddress)
		}
		var b [16]byte
		_, _ = rand.Read(b[:])
		p.cfg.Token, p.generated = hex.EncodeToString(b[:]), true
	}
	p.tokenSum = sha256.Sum256([]byte(p.cfg.Token))
	p.userSum = sha256.Sum256([]byte(p.cfg.User))
	p.passSum = sha256.Sum256([]byte(p.cfg.Password))
	return p, nil
}

// isLoopback reports whether host:port listens on loopback only.
func isLoopback(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, fmt.Errorf("parsing %s %q: %w", EnvStatusAddress, addr, err)
	}
	if host == "localhost" {
		return true, nil
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback(), nil
}

// GeneratedToken returns the token generated at start, or "" when
// credentials were configured.
func (p *StatusPage) GeneratedToken() string {
	if p.generated {
		return p.cfg.Token
	}
	return ""
}

// Handler returns the page's HTTP handler.
func (p *StatusPage) Handler() http.Handler { return http.HandlerFunc(p.serve) }

func (p *StatusPage) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	if !p.authorized(w, r) {
		p.unauthorized(w)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), statusRedisLimit)
	defer cancel()
	p.render(ctx, w)
}

// authorized checks the bearer header, the cookie, a ?token= (which it turns
// into the cookie with a redirect that drops the token from the address) or
// basic auth, comparing in constant time.
func (p *StatusPage) authorized(w http.ResponseWriter, r *http.Request) bool {
	if p.cfg.Token != "" {
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && p.tokenOK(tok) {
			return true
		}
		if c, err := r.Cookie(statusCookie); err == nil && p.tokenOK(c.Value) {
			return true
		}
		if q := r.URL.Query(); q.Has("token") {
			if !p.tokenOK(q.Get("token")) {
				return false
			}
			http.SetCookie(w, &http.Cookie{Name: statusCookie, Value: p.cfg.Token, Path: "/", HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
			q.Del("token")
			target := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
			http.Redirect(w, r, target.String(), http.StatusSeeOther)
			return false
		}
	}
	if p.cfg.User != "" {
		user, pass, ok := r.BasicAuth()
		if ok {
			u := sha256.Sum256([]byte(user))
			pw := sha256.Sum256([]byte(pass))
			// Both compared, always: no early exit that times the user name.
			uOK := subtle.ConstantTimeCompare(u[:], p.userSum[:])
			pOK := subtle.ConstantTimeCompare(pw[:], p.passSum[:])
			return uOK&pOK == 1
		}
	}
	return false
}

func (p *StatusPage) tokenOK(tok string) bool {
	sum := sha256.Sum256([]byte(tok))
	return subtle.ConstantTimeCompare(sum[:], p.tokenSum[:]) == 1
}

// unauthorized writes the 401 page, unless authorized already answered with
// the ?token= redirect.
func (p *StatusPage) unauthorized(w http.ResponseWriter) {
	if w.Header().Get("Location") != "" {
		return
	}
	if p.cfg.User != "" {
		w.Header().Set("WWW-Authenticate", `Basic realm="kafkastore status", charset="UTF-8"`)
	} else {
		w.Header().Set("WWW-Authenticate", `Bearer realm="kafkastore status"`)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusUnauthorized)
	_ = unauthorizedTmpl.Execute(w, nil)
}

// Serve listens on the configured address, samples metrics and serves the
// page until ctx ends, then shuts the server down. Listening errors return at
// once; the bound address goes to ready (for tests using port 0).
func (p *StatusPage) Serve(ctx context.Context, ready func(addr net.Addr)) error {
	ln, err := net.Listen("tcp", p.cfg.Address)
	if err != nil {
		return fmt.Errorf("listening for the status page on %s: %w", p.cfg.Address, err)
	}
	if ready != nil {
		ready(ln.Addr())
	}
	srv := &http.Server{Handler: p.Handler(), ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 15 * time.Second, IdleTimeout: time.Minute}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { p.rates.run(ctx, 2*time.Second) })
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	err = srv.Serve(ln)
	cancel()
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("serving the status page on %s: %w", p.cfg.Address, err)
}

// URL returns the page's address for addr, with the generated token when
// there is one, fit to log once at start.
func (p *StatusPage) URL(addr net.Addr) string {
	u := "http://" + addr.String() + "/"
	if p.generated {
		u += "?token=" + p.cfg.Token
	}
	return u
}
