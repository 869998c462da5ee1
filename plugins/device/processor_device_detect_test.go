package device

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	_ "github.com/redpanda-data/benthos/v4/public/components/pure"
	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/kafkastore/kafkastore/internal/synth"
)

// buildDeviceDetect builds the processor from YAML, as Benthos does.
func buildDeviceDetect(t testing.TB, yaml string) (*deviceDetect, error) {
	t.Helper()
	conf, err := deviceDetectSpec().ParseYAML(yaml, nil)
	if err != nil {
		t.Fatalf("parsing config: %v", err)
	}
	return newDeviceDetectFromConfig(conf, service.MockResources())
}

// meta is the device metadata of a message; absent keys are missing.
func meta(msg *service.Message) map[string]string {
	out := map[string]string{}
	for _, k := range []string{ddMetaDevice, ddMetaPlatform, ddMetaDeviceName, ddMetaBotName} {
		if v, ok := msg.MetaGet(k); ok {
			out[k] = v
		}
	}
	return out
}

func TestDeviceDetectProcessor(t *testing.T) {
	tests := []struct {
		name     string
		yaml     string
		content  string
		metadata map[string]string
		want     map[string]string
		errSub   string
	}{
		{
			name:     "contract example",
			yaml:     `{}`,
			metadata: map[string]string{"user_agent": "iPhone Banana Phone"},
			want:     map[string]string{"device": "smartphone", "platform": "ios", "device_name": "iPhone"},
		},
		{
			name:     "crawler",
			yaml:     `{}`,
			metadata: map[string]string{"user_agent": "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"},
			want:     map[string]string{"platform": "", "bot_name": "bingbot"},
		},
		{
			name:     "empty user agent sets an empty platform only",
			yaml:     `{}`,
			metadata: map[string]string{"user_agent": ""},
			want:     map[string]string{"platform": ""},
		},
		{
			name: "missing metadata reads as empty",
			yaml: `{}`,
			want: map[string]string{"platform": ""},
		},
		{
			name:     "stale values are removed",
			yaml:     `{}`,
			metadata: map[string]string{"user_agent": "curl/8.4.0", "device": "tv", "device_name": "x", "bot_name": "y", "platform": "z"},
			want:     map[string]string{"platform": ""},
		},
		{
			name:     "other metadata key",
			yaml:     `user_agent: "${! @ua }"`,
			metadata: map[string]string{"ua": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36"},
			want:     map[string]string{"device": "desktop", "platform": "windows"},
		},
		{
			name:    "interpolation of the content, uncached",
			yaml:    "user_agent: '${! content() }'\ncache_size: 0",
			content: "Mozilla/5.0 (Linux; Android 12; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36",
			want:    map[string]string{"device": "tablet", "platform": "android", "device_name": "SM-X200"},
		},
		{
			name:   "failing interpolation flags the message",
			yaml:   `user_agent: '${! throw("no agent") }'`,
			want:   map[string]string{},
			errSub: "no agent",
		},
	}
	// Holding a processor keeps the shared detector, so the subtests do
	// not compile the rules again each.
	keep, err := newDeviceDetect("${! @user_agent }", 50000, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer keep.Close(t.Context())
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			proc, err := buildDeviceDetect(t, test.yaml)
			if err != nil {
				t.Fatal(err)
			}
			defer proc.Close(t.Context())
			msg := service.NewMessage([]byte(test.content))
			for k, v := range test.metadata {
				msg.MetaSetMut(k, v)
			}
			batches, err := proc.ProcessBatch(t.Context(), service.MessageBatch{msg})
			if err != nil {
				t.Fatal(err)
			}
			if len(batches) != 1 || len(batches[0]) != 1 {
				t.Fatalf("got %d batches, want one of one message", len(batches))
			}
			out := batches[0][0]
			if err := out.GetError(); (err != nil) != (test.errSub != "") ||
				(err != nil && !strings.Contains(err.Error(), test.errSub)) {
				t.Fatalf("error %v, want one containing %q", err, test.errSub)
			}
			if got := meta(out); fmt.Sprint(got) != fmt.Sprint(test.want) {
				t.Errorf("metadata %v, want %v", got, test.want)
			}
		})
	}
}

func TestDeviceDetectRegexesFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	custom := write("custom.yaml", `
user_agent_parsers:
  - regex: '(Banana)/(\d+)'
os_parsers:
  - regex: '(BananaOS)'
    os_replacement: 'Android'
device_parsers:
  - regex: '(Bananaphone) (\w+)'
    device_replacement: 'Bananaphone'
    brand_replacement: 'Fruit'
    model_replacement: 'Bananaphone $2'
`)
	tests := []struct {
		name   string
		path   string
		errSub string
	}{
		{name: "custom rules", path: custom},
		{name: "missing file", path: filepath.Join(dir, "nope.yaml"), errSub: "reading regexes file"},
		{name: "not yaml", path: write("bad.yaml", "user_agent_parsers: [unclosed"), errSub: "parsing regexes file"},
		{name: "not uap-core", path: write("other.yaml", "foo: bar\n"), errSub: "is it a uap-core regexes.yaml"},
		{name: "bad regex", path: write("badre.yaml", "user_agent_parsers:\n  - regex: '(x'\nos_parsers:\n  - regex: 'y'\ndevice_parsers:\n  - regex: 'z'\n"), errSub: "compiling regexes file"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			proc, err := buildDeviceDetect(t, fmt.Sprintf("regexes_file: %q", test.path))
			if test.errSub != "" {
				if err == nil || !strings.Contains(err.Error(), test.errSub) {
					t.Fatalf("error %v, want one containing %q", err, test.errSub)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer proc.Close(t.Context())
			msg := service.NewMessage(nil)
			msg.MetaSetMut("user_agent", "BananaOS Bananaphone X1 Mobile")
			batches, err := proc.ProcessBatch(t.Context(), service.MessageBatch{msg})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"device": "smartphone", "platform": "android", "device_name": "Bananaphone X1"}
			if got := meta(batches[0][0]); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("metadata %v, want %v", got, want)
			}
		})
	}
}

func TestDeviceDetectSharesDetector(t *testing.T) {
	a, err := newDeviceDetect("${! @user_agent }", 1234, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := newDeviceDetect("${! @user_agent }", 1234, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.det != b.det {
		t.Error("two processors with the same config built two detectors")
	}
	key := detectorKey{cacheSize: 1234}
	registered := func() bool {
		detectors.Lock()
		defer detectors.Unlock()
		_, ok := detectors.m[key]
		return ok
	}
	a.Close(t.Context())
	a.Close(t.Context()) // a second Close must not release twice
	if !registered() {
		t.Fatal("detector released while still in use")
	}
	b.Close(t.Context())
	if registered() {
		t.Error("detector kept after its last processor closed")
	}
	if _, err := newDeviceDetect("${! @user_agent }", -1, "", nil); err == nil {
		t.Error("negative cache_size accepted")
	}
}

func TestDeviceDetectCacheCounts(t *testing.T) {
	d, err := newDeviceDetect("${! @user_agent }", 100, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(t.Context())
	ua := "Mozilla/5.0 (Linux; Android 14; cache-count-test) Mobile"
	if _, hit := d.det.lookup(ua); hit {
		t.Error("first lookup was a hit")
	}
	if c, hit := d.det.lookup(ua); !hit || c.Device != DeviceSmartphone {
		t.Errorf("second lookup: hit %v, device %q", hit, c.Device)
	}
}

// benchBatch returns a batch of n messages carrying the given user agents
// in turn.
func benchBatch(agents []string, n, from int) service.MessageBatch {
	batch := make(service.MessageBatch, n)
	for i := range batch {
		batch[i] = service.NewMessage(nil)
		batch[i].MetaSetMut("user_agent", agents[(from+i)%len(agents)])
	}
	return batch
}

func BenchmarkDeviceDetectCached(b *testing.B) {
	const batchSize = 500
	agents := synth.Agents()
	d, err := newDeviceDetect("${! @user_agent }", 50000, "", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close(b.Context())
	var batches []service.MessageBatch
	for from := 0; from < len(agents); from += batchSize {
		batches = append(batches, benchBatch(agents, batchSize, from))
	}
	for _, batch := range batches { // warm the cache
		if _, err := d.ProcessBatch(b.Context(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := d.ProcessBatch(b.Context(), batches[i%len(batches)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batchSize), "ns/ua")
}

func BenchmarkDeviceDetectUncached(b *testing.B) {
	const batchSize = 20
	agents := synth.Agents()
	d, err := newDeviceDetect("${! @user_agent }", 0, "", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close(b.Context())
	batch := benchBatch(agents, batchSize, 0)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for _, msg := range batch {
			n++
			msg.MetaSetMut("user_agent", fmt.Sprintf("%s [FBAV/%d]", agents[n%len(agents)], n))
		}
		if _, err := d.ProcessBatch(b.Context(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batchSize), "ns/ua")
}

func TestDeviceDetectInStream(t *testing.T) {
	tests := []struct {
		name   string
		yaml   string
		errSub string
	}{
		{name: "defaults", yaml: "device_detect: {}"},
		{name: "negative cache size lints", yaml: "device_detect:\n  cache_size: -1", errSub: "cache_size must not be negative"},
		{name: "unknown field lints", yaml: "device_detect:\n  cache: 5", errSub: "cache"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			builder := service.NewStreamBuilder()
			produce, err := builder.AddProducerFunc()
			if err != nil {
				t.Fatal(err)
			}
			err = builder.AddProcessorYAML(test.yaml)
			if test.errSub != "" {
				if err == nil || !strings.Contains(err.Error(), test.errSub) {
					t.Fatalf("error %v, want one containing %q", err, test.errSub)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := make(chan map[string]string, 1)
			if err := builder.AddConsumerFunc(func(_ context.Context, msg *service.Message) error {
				got <- meta(msg)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			stream, err := builder.Build()
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- stream.Run(t.Context()) }()
			msg := service.NewMessage([]byte("x"))
			msg.MetaSetMut("user_agent", "iPhone Banana Phone")
			if err := produce(t.Context(), msg); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"device": "smartphone", "device_name": "iPhone", "platform": "ios"}
			if m := <-got; fmt.Sprint(m) != fmt.Sprint(want) {
				t.Errorf("metadata %v, want %v", m, want)
			}
			if err := stream.Stop(t.Context()); err != nil {
				t.Fatal(err)
			}
			<-done
		})
	}
}

func TestDeviceDetectLeavesFailedMessagesAlone(t *testing.T) {
	d, err := buildDeviceDetect(t, `{}`)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(t.Context())
	failed := service.NewMessage([]byte("garbage"))
	failed.MetaSetMut("user_agent", "iPhone Banana Phone")
	failed.SetError(fmt.Errorf("line has 1 fields"))
	ok := service.NewMessage(nil)
	ok.MetaSetMut("user_agent", "iPhone Banana Phone")
	if _, err := d.ProcessBatch(t.Context(), service.MessageBatch{failed, ok}); err != nil {
		t.Fatal(err)
	}
	if got := meta(failed); len(got) != 0 {
		t.Errorf("failed message got device metadata %v, want none", got)
	}
	if got := meta(ok)["device"]; got != "smartphone" {
		t.Errorf("valid message after a failed one: device %q, want smartphone", got)
	}
}

// within reports whether s's bytes lie inside whole's memory.
func within(s, whole string) bool {
	if len(s) == 0 {
		return false
	}
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	start := uintptr(unsafe.Pointer(unsafe.StringData(whole)))
	return p >= start && p < start+uintptr(len(whole))
}

// TestDeviceDetectCacheCopiesKey checks that a user agent read from
// metadata as a substring of a larger string (as tracker_line sets it, cut
// from the whole batch's lines) is cached as a copy, with results that do
// not point into the larger string either, so the cache never keeps a
// batch alive.
func TestDeviceDetectCacheCopiesKey(t *testing.T) {
	tests := []struct {
		name string
		ua   string
	}{
		{name: "device name cut from the agent", ua: "Mozilla/5.0 (Linux; Android 14; SM-G991B copy-key-test) AppleWebKit/537.36 Mobile"},
		{name: "crawler", ua: "Mozilla/5.0 (compatible; CopyKeyTestBot/1.0; +http://example.com/bot)"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			// A cache size of its own: a detector no other test shares.
			d, err := newDeviceDetect("${! @user_agent }", 4093, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close(t.Context())
			whole := "127.0.0.1 1700000000 clicks /t/click p " + test.ua + "\n" + strings.Repeat("x", 4096)
			start := strings.Index(whole, test.ua)
			ua := whole[start : start+len(test.ua)]
			msg := service.NewMessage(nil)
			msg.MetaSetMut("user_agent", ua)
			if got, _ := msg.MetaGet("user_agent"); !within(got, whole) {
				t.Fatal("test setup: the metadata value is not a substring of the batch string")
			}
			if _, err := d.ProcessBatch(t.Context(), service.MessageBatch{msg}); err != nil {
				t.Fatal(err)
			}
			s := d.det.cache.shard(ua)
			s.mu.Lock()
			n, ok := s.items[ua]
			s.mu.Unlock()
			if !ok {
				t.Fatal("user agent not cached")
			}
			if within(n.key, whole) {
				t.Error("cached key shares the batch string's memory")
			}
			r := n.val.Result
			for _, v := range []string{r.Device, r.Platform, r.DeviceName, r.BotName} {
				if within(v, whole) {
					t.Errorf("cached result %q shares the batch string's memory", v)
				}
			}
		})
	}
}
