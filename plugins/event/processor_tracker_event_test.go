package event

import (
	"strings"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
)

// newFromYAML builds a tracker_event processor from YAML as a config does.
func newFromYAML(t *testing.T, yaml string) (*trackerEvent, error) {
	t.Helper()
	conf, err := trackerEventSpec().ParseYAML(yaml, nil)
	if err != nil {
		return nil, err
	}
	p, err := newTrackerEventFromConfig(conf, service.MockResources())
	if err == nil {
		t.Cleanup(func() { _ = p.Close(t.Context()) })
	}
	return p, err
}

func TestTrackerEventConfig(t *testing.T) {
	tests := []struct {
		name        string
		yaml        string
		errContains string
	}{
		{name: "defaults", yaml: `{}`},
		{name: "country database", yaml: `geoip_database: ../geoip/testdata/country.mmdb`},
		{name: "flat database", yaml: `geoip_database: ../geoip/testdata/flat.mmdb`},
		{name: "asn database", yaml: `geoip_database: ../geoip/testdata/asn.mmdb`, errContains: "GeoLite2-ASN database; the geoip processor needs a Country or City database"},
		{name: "missing database", yaml: `geoip_database: ../geoip/testdata/nope.mmdb`, errContains: "the file does not exist"},
		{name: "not a database", yaml: `geoip_database: doc.go`, errContains: "not a valid MaxMind DB"},
		{name: "unknown metadata mode", yaml: `metadata: everything`, errContains: `metadata "everything" is unknown: use routing or all`},
		{name: "duplicate field", yaml: `fields: [ ip, ts, ip ]`, errContains: `checking fields: field "ip" is listed twice`},
		{name: "empty fields", yaml: `fields: []`, errContains: "checking fields: no fields"},
		{name: "bad field name", yaml: `fields: [ "a=b" ]`, errContains: `field name "a=b" has "="`},
		{name: "negative cache", yaml: `cache_size: -1`, errContains: "cache_size -1 is negative"},
		{name: "zero cache", yaml: `cache_size: 0`},
		{name: "bad regexes file", yaml: `regexes_file: nope.yaml`, errContains: "reading regexes file"},
		{name: "max_line_bytes zero", yaml: `max_line_bytes: 0`, errContains: "max_line_bytes is 0; it must be positive"},
		{name: "bad reload interval", yaml: `geoip_reload_interval: soon`, errContains: "soon"},
		{name: "negative classify_workers", yaml: `classify_workers: -1`, errContains: "classify_workers is -1; use 0 for GOMAXPROCS"},
		{name: "serial classification", yaml: `classify_workers: 1`},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			_, err := newFromYAML(t, test.yaml)
			switch {
			case test.errContains == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case test.errContains != "" && err == nil:
				t.Fatalf("no error, want one containing %q", test.errContains)
			case test.errContains != "" && !strings.Contains(err.Error(), test.errContains):
				t.Fatalf("error %q does not contain %q", err, test.errContains)
			}
		})
	}
}

// TestTrackerEventLint checks that the spec's lints catch what a user
// would see from `kafkastore lint`.
func TestTrackerEventLint(t *testing.T) {
	env := service.NewEnvironment()
	for _, y := range []string{
		"tracker_event:\n  metadata: everything\n",
		"tracker_event:\n  cache_size: -5\n",
		"tracker_event:\n  classify_workers: -2\n",
	} {
		sb := env.NewStreamBuilder()
		if err := sb.AddProcessorYAML(y); err == nil {
			t.Errorf("%q: no lint error", y)
		}
	}
}

// TestTrackerEventExample converts the example line of the docs with a
// fixed clock.
func TestTrackerEventExample(t *testing.T) {
	p, err := newFromYAML(t, "keep_original: tracker_line")
	if err != nil {
		t.Fatal(err)
	}
	p.now = func() time.Time { return time.Unix(1700000000, 0) }
	line := "127.0.0.1 1700000000 clicks /t/click f=e&g=h iPhone Banana Phone"
	batch := service.MessageBatch{service.NewMessage([]byte(line)), service.NewMessage([]byte("127.0.0.1 abc clicks /t/click p"))}
	out, err := p.ProcessBatch(t.Context(), batch)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := out[0][0].AsBytes()
	want := "/t/click bot_name&country&device=smartphone&device_name=iPhone&ip=2130706433&klag=0&platform=ios&ts=1700000000 f=e&g=h"
	if string(got) != want {
		t.Errorf("content = %q, want %q", got, want)
	}
	if v, _ := out[0][0].MetaGet("tracker_line"); v != line {
		t.Errorf("tracker_line = %q", v)
	}
	if v, _ := out[0][0].MetaGet("kafka_topic"); v != "clicks" {
		t.Errorf("kafka_topic = %q", v)
	}
	if err := out[0][1].GetError(); err == nil || err.Error() != `field 2 (timestamp) is not an integer: "abc"` {
		t.Errorf("error = %v", err)
	}
}
