package config

import (
	"net"
	"os"
	"regexp"
	"testing"

	"gopkg.in/yaml.v3"
)

// envRef matches a Benthos environment reference ${NAME} or ${NAME:default}.
var envRef = regexp.MustCompile(`\$\{([0-9A-Za-z_.]+)(?::([^}]*))?\}`)

// expandUnset resolves every reference as Benthos does with the variable
// unset: to its default, or to nothing.
func expandUnset(s string) string {
	return envRef.ReplaceAllStringFunc(s, func(ref string) string {
		return envRef.FindStringSubmatch(ref)[2]
	})
}

// TestHTTPListensOnLoopback checks that with no environment set the Benthos
// HTTP server (metrics, health, ready) of the default config binds to a
// loopback address, never to every interface.
func TestHTTPListensOnLoopback(t *testing.T) {
	t.Setenv("HTTP_ADDRESS", "")
	if err := os.Unsetenv("HTTP_ADDRESS"); err != nil {
		t.Fatal(err)
	}
	var conf struct {
		HTTP struct {
			Enabled *bool  `yaml:"enabled"`
			Address string `yaml:"address"`
		} `yaml:"http"`
	}
	if err := yaml.Unmarshal([]byte(Default), &conf); err != nil {
		t.Fatalf("parsing kafkastore.yaml: %v", err)
	}
	if conf.HTTP.Enabled != nil && !*conf.HTTP.Enabled {
		return
	}
	if conf.HTTP.Address == "" {
		t.Fatal("http.address is not set: Benthos would listen on 0.0.0.0:4195")
	}
	addr := expandUnset(conf.HTTP.Address)
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("http.address %q: %v", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		t.Errorf("http.address %q resolves to %q, which is not a loopback address", conf.HTTP.Address, addr)
	}
}
