package geoip

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/redpanda-data/benthos/v4/public/components/pure"
	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/kafkastore/kafkastore/internal/streamtest"
)

// newTestProcessor builds the processor from YAML as a user's config would,
// and returns its log output.
func newTestProcessor(t testing.TB, yaml string) (*geoipProcessor, *streamtest.LogBuffer, error) {
	t.Helper()
	conf, err := geoipProcessorSpec().ParseYAML(yaml, nil)
	if err != nil {
		t.Fatalf("parsing config: %v", err)
	}
	logs := &streamtest.LogBuffer{}
	logger := service.NewLoggerFromSlog(slog.New(slog.NewTextHandler(logs, nil)))
	p, err := newGeoIPProcessorFromConfig(conf, service.MockResources(service.MockResourcesOptUseLogger(logger)))
	if err == nil {
		t.Cleanup(func() { _ = p.Close(t.Context()) })
	}
	return p, logs, err
}

// metaOf runs one message with client_ip and content ip through p and
// returns the metadata the processor added.
func metaOf(t testing.TB, p *geoipProcessor, ip string) map[string]string {
	t.Helper()
	msg := service.NewMessage([]byte(ip))
	msg.MetaSetMut("client_ip", ip)
	out, err := p.ProcessBatch(t.Context(), service.MessageBatch{msg})
	if err != nil {
		t.Fatalf("processing: %v", err)
	}
	if len(out) != 1 || len(out[0]) != 1 {
		t.Fatalf("got %d batches, want one batch of one message", len(out))
	}
	if err := out[0][0].GetError(); err != nil {
		t.Fatalf("message flagged with %v, want no error", err)
	}
	got := map[string]string{}
	_ = out[0][0].MetaWalk(func(k, v string) error {
		if k != "client_ip" {
			got[k] = v
		}
		return nil
	})
	return got
}

func fixture(name string) string {
	return filepath.Join("testdata", name)
}

const allExtras = `
extras:
  city: true
  subdivision: true
  continent: true
  location: true
  asn: true
`

func TestGeoIPLookup(t *testing.T) {
	none := map[string]string{}
	country := func(c string) map[string]string { return map[string]string{"country": c} }
	countryCases := []struct {
		ip   string
		want map[string]string
	}{
		{"81.2.69.142", country("GB")},
		{"89.160.20.112", country("SE")},
		{"8.8.8.8", country("US")},
		{"::ffff:8.8.8.8", country("US")},
		{"2001:4860:4860::8888", country("US")},
		{"2a01:4f8:c17:b8f::2", country("DE")},
		{"2a02:ec80:300::1", country("SE")},
		{"10.1.2.3", none},       // private
		{"192.168.1.1", none},    // private
		{"127.0.0.1", none},      // loopback
		{"::1", none},            // loopback
		{"fe80::1", none},        // link-local
		{"169.254.10.1", none},   // link-local
		{"0.0.0.0", none},        // unspecified
		{"fd00::1", none},        // unique local
		{"9.9.9.9", none},        // not in the database
		{"2c0f:f248::1", none},   // not in the database
		{"196.201.0.5", none},    // in the database, with no country
		{"not-an-ip", none},      // unparsable: tracker_line validates, we stay quiet
		{"", none},               // no address
		{"81.2.69.142:80", none}, // host:port is not an address
	}

	type lookupCase struct {
		name string
		yaml string
		ip   string
		want map[string]string
	}
	var tests []lookupCase
	for _, db := range []struct{ file, schema string }{
		{"country.mmdb", "auto"}, {"country.mmdb", "maxmind"},
		{"flat.mmdb", "auto"}, {"flat.mmdb", "flat"},
		{"city.mmdb", "auto"}, {"flat_city.mmdb", "auto"},
	} {
		for _, c := range countryCases {
			tests = append(tests, lookupCase{
				name: fmt.Sprintf("%s %s %s", db.file, db.schema, c.ip),
				yaml: fmt.Sprintf("database: %s\nschema: %s\n", fixture(db.file), db.schema),
				ip:   c.ip, want: c.want,
			})
		}
	}
	tests = append(tests, []lookupCase{
		{
			name: "city all extras ipv4",
			yaml: "database: " + fixture("city.mmdb") + allExtras,
			ip:   "81.2.69.142",
			want: map[string]string{
				"country": "GB", "city": "London", "subdivision": "ENG", "continent": "EU",
				"latitude": "51.5142", "longitude": "-0.0931", "asn": "20712", "as_org": "Andrews & Arnold Ltd",
			},
		},
		{
			name: "city all extras ipv6",
			yaml: "database: " + fixture("city.mmdb") + allExtras,
			ip:   "2a01:4f8:c17:b8f::2",
			want: map[string]string{
				"country": "DE", "city": "Falkenstein", "subdivision": "SN", "continent": "EU",
				"latitude": "50.4779", "longitude": "12.3713", "asn": "24940", "as_org": "Hetzner Online GmbH",
			},
		},
		{
			name: "city all extras, only some known",
			yaml: "database: " + fixture("city.mmdb") + allExtras,
			ip:   "2001:4860:4860::8844",
			want: map[string]string{"country": "US", "continent": "NA", "asn": "15169", "as_org": "Google LLC"},
		},
		{
			name: "city all extras, no country",
			yaml: "database: " + fixture("city.mmdb") + allExtras,
			ip:   "196.201.0.5",
			want: map[string]string{"continent": "AF"},
		},
		{
			name: "city all extras, private",
			yaml: "database: " + fixture("city.mmdb") + allExtras,
			ip:   "10.0.0.1",
			want: none,
		},
		{
			name: "city extras off",
			yaml: "database: " + fixture("city.mmdb"),
			ip:   "81.2.69.142",
			want: country("GB"),
		},
		{
			name: "city only city and continent",
			yaml: "database: " + fixture("city.mmdb") + "\nextras: {city: true, continent: true}",
			ip:   "89.160.20.112",
			want: map[string]string{"country": "SE", "city": "Linköping", "continent": "EU"},
		},
		{
			name: "country db with extras on",
			yaml: "database: " + fixture("country.mmdb") + allExtras,
			ip:   "8.8.8.8",
			want: map[string]string{"country": "US", "continent": "NA"},
		},
		{
			name: "flat all extras ipv4",
			yaml: "database: " + fixture("flat_city.mmdb") + allExtras,
			ip:   "8.8.8.8",
			want: map[string]string{
				"country": "US", "city": "Mountain View", "subdivision": "CA", "continent": "NA",
				"latitude": "37.386", "longitude": "-122.0838", "asn": "15169", "as_org": "Google LLC",
			},
		},
		{
			name: "flat all extras ipv6",
			yaml: "database: " + fixture("flat_city.mmdb") + allExtras,
			ip:   "2a02:ec80:300::1",
			want: map[string]string{"country": "SE", "continent": "EU", "asn": "1299", "as_org": "Arelion Sweden AB"},
		},
		{
			name: "flat extras off",
			yaml: "database: " + fixture("flat_city.mmdb"),
			ip:   "8.8.8.8",
			want: country("US"),
		},
		{
			name: "ip from an interpolation",
			yaml: "database: " + fixture("country.mmdb") + "\nip: '${! content() }'",
			ip:   "89.160.20.112",
			want: country("SE"),
		},
		{
			name: "ip from an interpolation, not an address",
			yaml: "database: " + fixture("country.mmdb") + "\nip: '${! content().uppercase() }'",
			ip:   "nope",
			want: none,
		},
	}...)

	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			p, _, err := newTestProcessor(t, test.yaml)
			if err != nil {
				t.Fatalf("building processor: %v", err)
			}
			got := metaOf(t, p, test.ip)
			if fmt.Sprint(got) != fmt.Sprint(test.want) {
				t.Errorf("metadata for %q = %v, want %v", test.ip, got, test.want)
			}
		})
	}
}

// TestGeoIPSkipsFailedMessages checks that a message flagged by an earlier
// step is left as it is, as inside a try block.
func TestGeoIPSkipsFailedMessages(t *testing.T) {
	tests := []struct {
		name        string
		err         error
		wantCountry string // "" when unset
	}{
		{name: "not failed", wantCountry: "GB"},
		{name: "failed earlier", err: errors.New("line has 4 fields")},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			p, _, err := newTestProcessor(t, "database: "+fixture("country.mmdb"))
			if err != nil {
				t.Fatal(err)
			}
			msg := service.NewMessage([]byte("line"))
			msg.MetaSetMut("client_ip", "81.2.69.142")
			if test.err != nil {
				msg.SetError(test.err)
			}
			if _, err := p.ProcessBatch(t.Context(), service.MessageBatch{msg}); err != nil {
				t.Fatal(err)
			}
			if got, _ := msg.MetaGet("country"); got != test.wantCountry {
				t.Errorf("country = %q, want %q", got, test.wantCountry)
			}
			if got := msg.GetError(); got != test.err {
				t.Errorf("error = %v, want %v", got, test.err)
			}
		})
	}
}

func TestGeoIPStartErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	country, err := os.ReadFile(fixture("country.mmdb"))
	if err != nil {
		t.Fatal(err)
	}
	// Zero the search tree: the metadata still parses, the data does not.
	damaged := bytes.Clone(country)
	for i := range 300 {
		damaged[i] = 0xff
	}

	tests := []struct {
		name        string
		yaml        string
		errContains string
	}{
		{"missing file", "database: " + filepath.Join(dir, "nope.mmdb"), "does not exist"},
		{"text file", "database: " + write("text.mmdb", []byte("GB 81.2.69.0/24\n")), "not a valid MaxMind DB"},
		{"truncated file", "database: " + write("truncated.mmdb", country[:len(country)/2]), "not a valid MaxMind DB"},
		{"damaged tree", "database: " + write("damaged.mmdb", damaged), "is corrupt"},
		{"asn database", "database: " + fixture("asn.mmdb"), `"testdata/asn.mmdb" is a GeoLite2-ASN database; the geoip processor needs a Country or City database`},
		{"maxmind schema on flat file", "database: " + fixture("flat.mmdb") + "\nschema: maxmind", "has the flat layout, not the maxmind one; set schema to flat or auto"},
		{"flat schema on maxmind file", "database: " + fixture("city.mmdb") + "\nschema: flat", "has the maxmind layout, not the flat one"},
		{"unknown schema", "database: " + fixture("city.mmdb") + "\nschema: geoip3", `unknown schema "geoip3"`},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			_, _, err := newTestProcessor(t, test.yaml)
			if err == nil {
				t.Fatalf("building processor: no error, want one containing %q", test.errContains)
			}
			if !strings.Contains(err.Error(), test.errContains) {
				t.Errorf("error %q does not contain %q", err, test.errContains)
			}
		})
	}
}

func TestGeoIPWarnings(t *testing.T) {
	tests := []struct {
		name     string
		yaml     string
		warnings []string // each must appear exactly once
	}{
		{"no database", `database: ""`, []string{"has no database"}},
		{"default config", `ip: '${! @client_ip }'`, []string{"has no database"}},
		{"extras the database lacks", "database: " + fixture("country.mmdb") + allExtras, []string{"shows no [city subdivision location asn] data"}},
		{"extras the database has", "database: " + fixture("city.mmdb") + allExtras, nil},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			p, logs, err := newTestProcessor(t, test.yaml)
			if err != nil {
				t.Fatalf("building processor: %v", err)
			}
			for range 3 {
				metaOf(t, p, "81.2.69.142")
			}
			out := logs.String()
			for _, w := range test.warnings {
				if n := strings.Count(out, w); n != 1 {
					t.Errorf("log has %q %d times, want once; log:\n%s", w, n, out)
				}
			}
			if len(test.warnings) == 0 && out != "" {
				t.Errorf("log is %q, want nothing", out)
			}
		})
	}
	t.Run("no database sets nothing", func(t *testing.T) {
		p, _, err := newTestProcessor(t, `database: ""`)
		if err != nil {
			t.Fatal(err)
		}
		if got := metaOf(t, p, "81.2.69.142"); len(got) != 0 {
			t.Errorf("metadata %v, want none", got)
		}
	})
}

// replaceFile writes data next to path and renames it over path, as a
// database updater should.
func replaceFile(t *testing.T, path string, data []byte) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func TestGeoIPReload(t *testing.T) {
	read := func(name string) []byte {
		data, err := os.ReadFile(fixture(name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	path := filepath.Join(t.TempDir(), "geo.mmdb")
	replaceFile(t, path, read("country.mmdb"))
	p, logs, err := newTestProcessor(t, "database: "+path+"\nreload_interval: 20ms")
	if err != nil {
		t.Fatalf("building processor: %v", err)
	}

	// 81.2.69.142 is GB in every file; 1.1.1.1 is only in city.mmdb.
	var stop atomic.Bool
	var bad atomic.Value
	var loops atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for !stop.Load() {
			msg := service.NewMessage(nil)
			msg.MetaSetMut("client_ip", "81.2.69.142")
			out, err := p.ProcessBatch(t.Context(), service.MessageBatch{msg})
			if err != nil || out[0][0].GetError() != nil {
				bad.Store(fmt.Sprint("lookup failed: ", err, out[0][0].GetError()))
				return
			}
			if c, _ := out[0][0].MetaGet("country"); c != "GB" {
				bad.Store("country " + c + " during reload, want GB")
				return
			}
			loops.Add(1)
		}
	}()

	waitFor := func(want string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			got := metaOf(t, p, "1.1.1.1")["country"]
			if got == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("1.1.1.1 is %q after 5s, want %q; log:\n%s", got, want, logs.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	waitFor("")
	replaceFile(t, path, read("city.mmdb"))
	waitFor("AU")
	replaceFile(t, path, []byte("not a database at all"))
	time.Sleep(150 * time.Millisecond) // several intervals: logged once, old data kept
	waitFor("AU")
	replaceFile(t, path, read("asn.mmdb"))
	time.Sleep(150 * time.Millisecond)
	waitFor("AU")
	replaceFile(t, path, read("country.mmdb"))
	waitFor("")

	stop.Store(true)
	<-done
	if v := bad.Load(); v != nil {
		t.Fatal(v)
	}
	if loops.Load() == 0 {
		t.Fatal("the lookup loop never ran")
	}
	out := logs.String()
	for _, want := range []string{"not a valid MaxMind DB", "is a GeoLite2-ASN database"} {
		if n := strings.Count(out, want); n != 1 {
			t.Errorf("log has %q %d times, want once; log:\n%s", want, n, out)
		}
	}
	if n := strings.Count(out, "Reloaded geoip database"); n != 2 {
		t.Errorf("log has %d reloads, want 2; log:\n%s", n, out)
	}
}

func TestGeoIPReloadOff(t *testing.T) {
	path := filepath.Join(t.TempDir(), "geo.mmdb")
	data, err := os.ReadFile(fixture("country.mmdb"))
	if err != nil {
		t.Fatal(err)
	}
	replaceFile(t, path, data)
	p, _, err := newTestProcessor(t, "database: "+path+"\nreload_interval: 0s")
	if err != nil {
		t.Fatal(err)
	}
	if p.reload != nil {
		t.Fatal("reload_interval 0s started a reloader")
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if got := metaOf(t, p, "8.8.8.8")["country"]; got != "US" {
		t.Errorf("country %q after the file went, want US from memory", got)
	}
}

func TestMetaKeyOf(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"${! @client_ip }", "client_ip"},
		{"${!@ip}", "ip"},
		{"${! @client_ip.or(\"\") }", ""},
		{"${! meta(\"client_ip\") }", ""},
		{"8.8.8.8", ""},
		{"${! @a }${! @b }", ""},
	}
	for _, test := range tests {
		if got := metaKeyOf(test.raw); got != test.want {
			t.Errorf("metaKeyOf(%q) = %q, want %q", test.raw, got, test.want)
		}
	}
}

func TestGeoIPInStream(t *testing.T) {
	builder := service.NewStreamBuilder()
	if err := builder.SetLoggerYAML("level: none"); err != nil {
		t.Fatal(err)
	}
	if err := builder.AddProcessorYAML("geoip:\n  database: " + fixture("city.mmdb") + "\n  extras: {city: true}"); err != nil {
		t.Fatalf("adding processor: %v", err)
	}
	produce, err := builder.AddBatchProducerFunc()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := builder.AddBatchConsumerFunc(func(_ context.Context, batch service.MessageBatch) error {
		for _, msg := range batch {
			country, _ := msg.MetaGet("country")
			city, _ := msg.MetaGet("city")
			got = append(got, country+"/"+city)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	stream, err := builder.Build()
	if err != nil {
		t.Fatalf("building stream: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- stream.Run(t.Context()) }()

	var batch service.MessageBatch
	for _, ip := range []string{"81.2.69.142", "2001:4860:4860::8888", "10.0.0.1"} {
		msg := service.NewMessage([]byte("line"))
		msg.MetaSetMut("client_ip", ip)
		batch = append(batch, msg)
	}
	if err := produce(t.Context(), batch); err != nil {
		t.Fatalf("producing: %v", err)
	}
	if err := stream.Stop(t.Context()); err != nil {
		t.Fatalf("stopping: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("running: %v", err)
	}
	if want := "[GB/London US/ /]"; fmt.Sprint(got) != want {
		t.Errorf("got %v, want %s", got, want)
	}
}
