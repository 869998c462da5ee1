package config

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"gopkg.in/yaml.v3"
)

// findProcessor returns the config of the first processor of that type in
// pipeline.processors.
func findProcessor(t *testing.T, conf map[string]any, typ string) map[string]any {
	t.Helper()
	pipeline, _ := conf["pipeline"].(map[string]any)
	procs, _ := pipeline["processors"].([]any)
	for _, p := range procs {
		if m, ok := p.(map[string]any); ok {
			if c, ok := m[typ]; ok {
				c, _ := c.(map[string]any)
				return c
			}
		}
	}
	t.Fatalf("no %s processor in pipeline.processors", typ)
	return nil
}

func loadYAML(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var conf map[string]any
	if err := yaml.Unmarshal(b, &conf); err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	return conf
}

// withoutMaxInFlight returns a deep copy of v without max_in_flight keys,
// which the examples set higher than the default config (order is not
// kept there).
func withoutMaxInFlight(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			if k != "max_in_flight" {
				out[k] = withoutMaxInFlight(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = withoutMaxInFlight(e)
		}
		return out
	}
	return v
}

// TestExamplesFollowDefaultConfig checks that the examples process and
// route lines as config/kafkastore.yaml does: the same tracker_event
// settings, and for the Kafka examples the same dead_letter output (only
// max_in_flight may differ), so a change to the default config cannot
// leave a stale copy behind.
func TestExamplesFollowDefaultConfig(t *testing.T) {
	var def map[string]any
	if err := yaml.Unmarshal([]byte(Default), &def); err != nil {
		t.Fatal(err)
	}
	defEvent := findProcessor(t, def, "tracker_event")
	defOutput := withoutMaxInFlight(def["output"])
	tests := []struct {
		file       string
		toKafka    bool
		eventExtra []string // default-config keys the example leaves out
	}{
		{file: "stdin_to_kafka.yaml", toKafka: true},
		{file: "file_to_kafka.yaml", toKafka: true},
		{file: "http_to_kafka.yaml", toKafka: true},
		{file: "stdin_to_stdout.yaml", eventExtra: []string{"keep_original"}},
	}
	for _, test := range tests {
		t.Run(test.file, func(t *testing.T) {
			conf := loadYAML(t, filepath.Join("examples", test.file))
			want := map[string]any{}
			for k, v := range defEvent {
				want[k] = v
			}
			for _, k := range test.eventExtra {
				delete(want, k)
			}
			if got := findProcessor(t, conf, "tracker_event"); !reflect.DeepEqual(got, want) {
				t.Errorf("tracker_event %v, config/kafkastore.yaml has %v", got, want)
			}
			if !test.toKafka {
				return
			}
			if got := withoutMaxInFlight(conf["output"]); !reflect.DeepEqual(got, defOutput) {
				t.Errorf("output differs from config/kafkastore.yaml's (max_in_flight aside):\n got %v\nwant %v", got, defOutput)
			}
		})
	}
}
