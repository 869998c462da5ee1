package ops

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// testMetrics is a registry with the output_sent counters of the default
// config.
func testMetrics(t *testing.T) (*prometheus.Registry, *prometheus.CounterVec) {
	t.Helper()
	reg := prometheus.NewRegistry()
	sent := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "output_sent", Help: "Benthos Counter metric"}, []string{"label", "path"})
	reg.MustRegister(sent)
	return reg, sent
}

func TestStatusConfig(t *testing.T) {
	tests := []struct {
		name        string
		env         map[string]string
		enabled     bool
		generated   bool
		errContains string
	}{
		{name: "default loopback generates a token", env: map[string]string{}, enabled: true, generated: true},
		{name: "off", env: map[string]string{EnvStatusAddress: "off"}},
		{name: "empty", env: map[string]string{EnvStatusAddress: ""}},
		{name: "localhost", env: map[string]string{EnvStatusAddress: "localhost:0"}, enabled: true, generated: true},
		{name: "ipv6 loopback", env: map[string]string{EnvStatusAddress: "[::1]:0"}, enabled: true, generated: true},
		{name: "all interfaces without credentials", env: map[string]string{EnvStatusAddress: ":4196"}, enabled: true, errContains: "reachable from other hosts and has no credentials"},
		{name: "public without credentials", env: map[string]string{EnvStatusAddress: "0.0.0.0:4196"}, enabled: true, errContains: "set STATUS_TOKEN"},
		{name: "public with token", env: map[string]string{EnvStatusAddress: "0.0.0.0:4196", EnvStatusToken: "t"}, enabled: true},
		{name: "public with basic auth", env: map[string]string{EnvStatusAddress: "0.0.0.0:4196", EnvStatusUser: "u", EnvStatusPassword: "p"}, enabled: true},
		{name: "user without password", env: map[string]string{EnvStatusUser: "u"}, enabled: true, errContains: "STATUS_USER and STATUS_PASSWORD must be set together"},
		{name: "bad address", env: map[string]string{EnvStatusAddress: "nohostport"}, enabled: true, errContains: "parsing STATUS_ADDRESS"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			cfg := StatusConfigFromEnv(func(k string) (string, bool) { v, ok := test.env[k]; return v, ok })
			if cfg.Enabled() != test.enabled {
				t.Fatalf("Enabled() = %v, want %v", cfg.Enabled(), test.enabled)
			}
			if !test.enabled {
				return
			}
			p, err := NewStatusPage(cfg, nil, testKeys, nil)
			if test.errContains != "" {
				if err == nil || !strings.Contains(err.Error(), test.errContains) {
					t.Fatalf("err = %v, want it to contain %q", err, test.errContains)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := p.GeneratedToken() != ""; got != test.generated {
				t.Errorf("generated token = %v, want %v", got, test.generated)
			}
			if test.generated && len(p.GeneratedToken()) != 32 {
				t.Errorf("generated token %q is not 128 random bits in hex", p.GeneratedToken())
			}
		})
	}
}

// get sends a request to h and returns the response and its body.
func get(t *testing.T, h http.Handler, target string, set func(*http.Request)) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, target, nil)
	if set != nil {
		set(req)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func TestStatusPageHTTP(t *testing.T) {
	c := startSeeded(t)
	reg, sent := testMetrics(t)
	p, err := NewStatusPage(StatusConfig{Address: "0.0.0.0:0", Token: "tok-en", User: "ops", Password: "pa:ss"}, c, testKeys, reg)
	if err != nil {
		t.Fatal(err)
	}
	sent.WithLabelValues("kafka", "root.output.a").Add(1000)
	sent.WithLabelValues("dead_letter", "root.output.b").Add(10)
	now := time.Now()
	p.rates.sample(now.Add(-10 * time.Second))
	sent.WithLabelValues("kafka", "root.output.a").Add(5000)
	sent.WithLabelValues("dead_letter", "root.output.b").Add(20)
	sent.WithLabelValues("kafka_rejected", "root.output.c").Add(10)
	sent.WithLabelValues("other", "root.output.d").Add(99999)
	p.rates.sample(now)
	h := p.Handler()

	tests := []struct {
		name     string
		target   string
		set      func(*http.Request)
		status   int
		contains []string
	}{
		{name: "no credentials", target: "/", status: http.StatusUnauthorized, contains: []string{"401 Unauthorized"}},
		{name: "wrong bearer", target: "/", set: func(r *http.Request) { r.Header.Set("Authorization", "Bearer tok-eN") }, status: http.StatusUnauthorized},
		{name: "wrong query token", target: "/?token=nope", status: http.StatusUnauthorized},
		{name: "wrong cookie", target: "/", set: func(r *http.Request) { r.AddCookie(&http.Cookie{Name: statusCookie, Value: "x"}) }, status: http.StatusUnauthorized},
		{name: "wrong password", target: "/", set: func(r *http.Request) { r.SetBasicAuth("ops", "pass") }, status: http.StatusUnauthorized},
		{name: "bearer", target: "/", set: func(r *http.Request) { r.Header.Set("Authorization", "Bearer tok-en") }, status: http.StatusOK,
			contains: []string{`id="depth-queue">3<`, `id="depth-processing">7 in 2 lists<`, `id="depth-dead">6<`, `id="rate-delivered">500.0<`, `id="rate-dead">3.0<`, `id="total-dead">40<`, `id="total-delivered">6000<`}},
		{name: "basic auth", target: "/", set: func(r *http.Request) { r.SetBasicAuth("ops", "pa:ss") }, status: http.StatusOK, contains: []string{`id="depth-queue">3<`}},
		{name: "cookie", target: "/", set: func(r *http.Request) { r.AddCookie(&http.Cookie{Name: statusCookie, Value: "tok-en"}) }, status: http.StatusOK},
		{name: "escaped dead letter", target: "/", set: func(r *http.Request) { r.SetBasicAuth("ops", "pa:ss") }, status: http.StatusOK,
			contains: []string{`&#34;\x00\xff 1700000000 clicks /t p &lt;script&gt;alert(1)&lt;/script&gt;&#34;`, "field 1 (ip) is not an IPv4 or IPv6 address"}},
		{name: "other path", target: "/x", set: func(r *http.Request) { r.SetBasicAuth("ops", "pa:ss") }, status: http.StatusNotFound},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			res, body := get(t, h, test.target, test.set)
			if res.StatusCode != test.status {
				t.Fatalf("status %d, want %d\n%s", res.StatusCode, test.status, body)
			}
			for _, want := range test.contains {
				if !strings.Contains(body, want) {
					t.Errorf("body lacks %q:\n%s", want, body)
				}
			}
			if strings.Contains(body, "<script>") || strings.Contains(body, "\x00") {
				t.Errorf("body holds an unescaped dead letter:\n%s", body)
			}
			if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("Content-Security-Policy = %q", csp)
			}
			if res.StatusCode == http.StatusUnauthorized && res.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

func TestStatusTokenCookieFlow(t *testing.T) {
	c := startSeeded(t)
	p, err := NewStatusPage(StatusConfig{Address: "127.0.0.1:0"}, c, testKeys, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok := p.GeneratedToken()
	h := p.Handler()
	res, _ := get(t, h, "/?token="+tok+"&x=1", nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/?x=1" {
		t.Fatalf("status %d to %q, want 303 to /?x=1 (token dropped from the address)", res.StatusCode, res.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == statusCookie {
			cookie = ck
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Value != tok {
		t.Fatalf("cookie = %+v, want an HttpOnly SameSite=Strict cookie with the token", cookie)
	}
	res, body := get(t, h, "/", func(r *http.Request) { r.AddCookie(cookie) })
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="depth-dead">6<`) {
		t.Fatalf("with the cookie: status %d\n%s", res.StatusCode, body)
	}
	if !strings.Contains(body, "Metrics unavailable") {
		t.Error("no metrics source, but the page does not say so")
	}
}

func TestStatusRedisDown(t *testing.T) {
	c, err := NewClient("redis://:secret@127.0.0.1:1/0")
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewStatusPage(StatusConfig{Address: "127.0.0.1:0", Token: "t"}, c, testKeys, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, body := get(t, p.Handler(), "/", func(r *http.Request) { r.Header.Set("Authorization", "Bearer t") })
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="redis-error"`) || strings.Contains(body, "secret") {
		t.Fatalf("status %d, want 200 with a Redis error and no password:\n%s", res.StatusCode, body)
	}
}
