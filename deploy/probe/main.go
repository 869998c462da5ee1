//go:build ignore

// Command probe is the HEALTHCHECK of deploy/Dockerfile, whose distroless
// image has no shell, curl or wget. It sends GET /ready (or the path given
// as its argument, such as /ping) to the Benthos HTTP server at
// HTTP_ADDRESS, reaching a wildcard host (0.0.0.0, ::, empty) over
// loopback, and exits 0 on a 2xx answer and 1 otherwise, saying why on
// stderr, which Docker keeps in the container's health log.
//
// The ignore build tag keeps it out of the module's packages; build it by
// file name:
//
//	CGO_ENABLED=0 go build -trimpath -o probe ./deploy/probe/main.go
//	HTTP_ADDRESS=127.0.0.1:4195 ./probe /ready
package main

import (
	"cmp"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	path := "/ready"
	if len(os.Args) > 1 {
		path = os.Args[1]
	}
	url, err := probeURL(cmp.Or(os.Getenv("HTTP_ADDRESS"), "127.0.0.1:4195"), path)
	if err == nil {
		err = probe(url, 3*time.Second)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "probe: %v\n", err)
		os.Exit(1)
	}
}

// probeURL turns a listen address into the URL to probe it on.
func probeURL(addr, path string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("reading HTTP_ADDRESS %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + path, nil
}

// probe GETs url and wants a 2xx answer within timeout.
func probe(url string, timeout time.Duration) error {
	client := http.Client{Timeout: timeout}
	resp, err := client.Get(url)
	if err != nil {
		return fmt.Errorf("probing: %w", err) // err names the URL
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("probing %s: %s: %s", url, resp.Status, body)
	}
	return nil
}
