package ops

import (
	"context"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// chromium returns the path of Debian's chromium, failing the test with the
// install hint when it is missing (skipping only under -short).
func chromium(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("headless browser test: skipped under -short")
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium not found on PATH: install it with `apt-get install -y chromium` (or run .ci/ensure-tools)")
	return ""
}

// dumpDOM loads url in headless chromium and returns the DOM after load.
func dumpDOM(t *testing.T, bin, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--no-first-run", "--disable-dev-shm-usage", "--user-data-dir="+t.TempDir(), "--dump-dom", url)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("running chromium on %s: %v\n%s", url, err, stderr.String())
	}
	return string(out)
}

func TestStatusPageInChromium(t *testing.T) {
	bin := chromium(t)
	c := startSeeded(t)
	reg, sent := testMetrics(t)
	sent.WithLabelValues("kafka", "root.output.a").Add(42)
	p, err := NewStatusPage(StatusConfig{Address: "127.0.0.1:0"}, c, testKeys, reg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	addrs := make(chan net.Addr, 1)
	served := make(chan error, 1)
	go func() { served <- p.Serve(ctx, func(a net.Addr) { addrs <- a }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	var addr net.Addr
	select {
	case addr = <-addrs:
	case err := <-served:
		t.Fatal(err)
	}
	withToken := p.URL(addr)
	if !strings.Contains(withToken, "?token="+p.GeneratedToken()) {
		t.Fatalf("URL %q lacks the generated token", withToken)
	}

	tests := []struct {
		name    string
		url     string
		want    []string
		notWant []string
	}{
		{
			name: "with token",
			url:  withToken,
			want: []string{
				`id="depth-queue">3<`, `id="depth-dead">6<`, `id="depth-processing">7 in 2 lists<`,
				`id="total-delivered">42<`,
				`"\x00\xff 1700000000 clicks /t p &lt;script&gt;alert(1)&lt;/script&gt;"`,
			},
			notWant: []string{"401 Unauthorized", "<script>"},
		},
		{
			name:    "without credentials",
			url:     "http://" + addr.String() + "/",
			want:    []string{`id="unauthorized"`, "401 Unauthorized"},
			notWant: []string{"depth-queue", "clicks"},
		},
		{
			name:    "wrong token",
			url:     "http://" + addr.String() + "/?token=" + strings.Repeat("0", 32),
			want:    []string{"401 Unauthorized"},
			notWant: []string{"depth-queue"},
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			dom := dumpDOM(t, bin, test.url)
			for _, w := range test.want {
				if !strings.Contains(dom, w) {
					t.Errorf("DOM lacks %q:\n%s", w, dom)
				}
			}
			for _, w := range test.notWant {
				if strings.Contains(dom, w) {
					t.Errorf("DOM holds %q:\n%s", w, dom)
				}
			}
		})
	}
}
