package event

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/redpanda-data/benthos/v4/public/components/pure"
	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/kafkastore/kafkastore/internal/synth"
	"github.com/kafkastore/kafkastore/plugins/device"
	_ "github.com/kafkastore/kafkastore/plugins/geoip"
	_ "github.com/kafkastore/kafkastore/plugins/tracker"
)

const cityDB = "../geoip/testdata/city.mmdb"

// pair is the four-processor chain and tracker_event built side by side as
// Benthos resources, the way a config builds them.
type pair struct {
	res    *service.Resources
	chain  []string // labels of the chain's processors, in order
	mode   string   // the fused processor's metadata mode
	fields []string // nil: default
}

// newPair builds the chain tracker_line, device_detect, geoip, cgi_message
// and a tracker_event with the same settings.
func newPair(t testing.TB, geo, keepOriginal, mode string, fields []string) *pair {
	t.Helper()
	fieldsYAML := ""
	if fields != nil {
		fieldsYAML = fmt.Sprintf("\n  fields: [ %s ]", strings.Join(fields, ", "))
	}
	rb := service.NewResourceBuilder()
	rb.SetLogger(slog.New(slog.DiscardHandler))
	for _, y := range []string{
		"label: c0\ntracker_line: {}",
		"label: c1\ndevice_detect: {}",
		fmt.Sprintf("label: c2\ngeoip:\n  database: %q", geo),
		fmt.Sprintf("label: c3\ncgi_message:\n  keep_original: %q%s", keepOriginal, fieldsYAML),
		fmt.Sprintf("label: fused\ntracker_event:\n  geoip_database: %q\n  keep_original: %q\n  metadata: %s%s", geo, keepOriginal, mode, fieldsYAML),
	} {
		if err := rb.AddProcessorYAML(y); err != nil {
			t.Fatal(err)
		}
	}
	res, closeRes, err := rb.Build()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = closeRes(context.Background()) })
	return &pair{res: res, chain: []string{"c0", "c1", "c2", "c3"}, mode: mode, fields: fields}
}

// run passes batch through the processors labelled labels, in order.
func (p *pair) run(t testing.TB, labels []string, batch service.MessageBatch) service.MessageBatch {
	t.Helper()
	ctx := context.Background()
	for _, l := range labels {
		err := p.res.AccessProcessor(ctx, l, func(rp *service.ResourceProcessor) {
			out, err := rp.ProcessBatch(ctx, batch)
			if err != nil {
				t.Fatal(err)
			}
			if len(out) != 1 || len(out[0]) != len(batch) {
				t.Fatalf("%s returned %d batches", l, len(out))
			}
			batch = out[0]
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return batch
}

// input is one message to feed both: a line and, when set, the error it
// already carries.
type input struct {
	line   string
	preErr string
}

func batchOf(in []input) service.MessageBatch {
	b := make(service.MessageBatch, len(in))
	for i, x := range in {
		b[i] = service.NewMessage([]byte(x.line))
		if x.preErr != "" {
			b[i].SetError(errors.New(x.preErr))
		}
	}
	return b
}

// compare runs in through both and reports every difference. The two runs
// are repeated when the clock's second changes between them, so klag is
// comparable.
func (p *pair) compare(t testing.TB, in []input) {
	t.Helper()
	var chain, fused service.MessageBatch
	for range 5 {
		before := time.Now().Unix()
		chain = p.run(t, p.chain, batchOf(in))
		fused = p.run(t, []string{"fused"}, batchOf(in))
		if time.Now().Unix() == before {
			break
		}
	}
	for i := range in {
		if d := p.diff(in[i], chain[i], fused[i]); d != "" {
			t.Errorf("line %q: %s", in[i].line, d)
		}
	}
}

// diff describes how fused differs from what it must be given chain.
func (p *pair) diff(in input, chain, fused *service.Message) string {
	cb, _ := chain.AsBytes()
	fb, _ := fused.AsBytes()
	if string(cb) != string(fb) {
		return fmt.Sprintf("content\n got  %q\n want %q", fb, cb)
	}
	if in.preErr != "" {
		// tracker_line does not skip errored messages; tracker_event, like
		// the other three, leaves them exactly as they are.
		if err := fused.GetError(); err == nil || err.Error() != in.preErr {
			return fmt.Sprintf("error of an errored message changed to %v", err)
		}
		if m := metaOf(fused); len(m) != 0 {
			return fmt.Sprintf("errored message got metadata %v", m)
		}
		if string(fb) != in.line {
			return "errored message's content changed"
		}
		return ""
	}
	if ce, fe := errText(chain), errText(fused); ce != fe {
		return fmt.Sprintf("error\n got  %q\n want %q", fe, ce)
	}
	want := metaOf(chain)
	if p.mode == teMetadataRouting && chain.GetError() == nil {
		for k := range want {
			if k != "kafka_topic" && k != "tracker_line" {
				delete(want, k)
			}
		}
	}
	if got := metaOf(fused); !maps.Equal(got, want) {
		return fmt.Sprintf("metadata\n got  %v\n want %v", got, want)
	}
	return ""
}

func errText(m *service.Message) string {
	if err := m.GetError(); err != nil {
		return err.Error()
	}
	return ""
}

func metaOf(m *service.Message) map[string]string {
	out := map[string]string{}
	_ = m.MetaWalk(func(k, v string) error {
		out[k] = v
		return nil
	})
	return out
}

// edgeLines are hand-written lines at the edges of the format.
var edgeLines = []string{
	"127.0.0.1 1700000000 clicks /t/click f=e&g=h iPhone Banana Phone",
	"81.2.69.160 1700000000 clicks /t/click p",
	"81.2.69.160 1700000000 clicks /t/click p ",
	"81.2.69.160 1700000000 clicks /t/click p Mozilla/5.0  (Linux;  Android 13;  SM-G991B)  Mobile",
	"81.2.69.160 1700000000 clicks /t/click p  ",
	"2a02:ec80::1 1700000000 impressions /t/imp c=1 Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X)",
	"2001:480::7 1700000000 impressions /t/imp c=1 Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
	"::ffff:81.2.69.160 1700000000 clicks /t/click p curl/8.0",
	"::1 1700000000 clicks /t/click p curl/8.0",
	"fe80::1%eth0 1700000000 clicks /t/click p curl/8.0",
	"999.1.1.1 1700000000 clicks /t/click p curl/8.0",
	"not-an-ip 1700000000 clicks /t/click p",
	"81.2.69.160 yesterday clicks /t/click p Mozilla/5.0",
	"81.2.69.160 99999999999999999999 clicks /t/click p Mozilla/5.0",
	"81.2.69.160 +1700000000 clicks /t/click p Mozilla/5.0",
	"81.2.69.160 -5 clicks /t/click p Mozilla/5.0",
	"81.2.69.160 0017 clicks /t/click p Mozilla/5.0",
	"garbage",
	"",
	"\n",
	"81.2.69.160 1700000000 clicks",
	"81.2.69.160 1700000000 clicks /t/click",
	"81.2.69.160  1700000000 clicks /t/click p x",
	"81.2.69.160 1700000000 click$ /t/click p x",
	"81.2.69.160 1700000000 .. /t/click p x",
	"81.2.69.160 1700000000 " + strings.Repeat("t", 250) + " /t/click p x",
	"81.2.69.160 1700000000 " + strings.Repeat("t", 249) + " /t/click p x",
	"81.2.69.160 1700000000 clicks /t/click p iPhone\n",
	"81.2.69.160 1700000000 clicks /t/click p iPhone\r\n",
	"81.2.69.160 1700000000 clicks /t/click p iPhone\n\n",
	"89.160.20.112 1700000000 clicks /t/click p Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
	"89.160.20.112 1700000000 clicks /t/click p Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
	"89.160.20.112 1700000000 clicks /t/click p Some Spider crawler",
	"89.160.20.112 1700000000 clicks /t/ä?x q=%zz&ü Mozilla/5.0 (Linux; Android 14; Pixel 8 Pro) ünïcode \xff",
	"10.1.2.3 1700000000 clicks /t/click p Mozilla/5.0 (PlayStation 5 3.11) AppleWebKit/605.1.15",
	"81.2.69.160 1700000000 clicks /t/click p " + strings.Repeat("A", 70000),
	"81.2.69.160 1700000000 clicks /t/click p " + strings.Repeat("A", 65536-len("81.2.69.160 1700000000 clicks /t/click p ")),
}

// synthLines returns n lines of the generator with opts.
func synthLines(opts synth.Options, n int) []input {
	g := synth.New(opts)
	out := make([]input, n)
	for i := range out {
		out[i] = input{line: g.Line()}
	}
	return out
}

func edgeInputs() []input {
	in := make([]input, 0, len(edgeLines)+2)
	for _, l := range edgeLines {
		in = append(in, input{line: l})
	}
	in = append(in,
		input{line: edgeLines[0], preErr: "an earlier step failed"},
		input{line: "garbage", preErr: "an earlier step failed"})
	return in
}

func TestDifferential(t *testing.T) {
	nowUnix := time.Now().Unix()
	data := map[string][]input{
		"edges":  edgeInputs(),
		"zipf":   synthLines(synth.Options{Seed: 7, Now: nowUnix, BadEvery: 50}, 3000),
		"unique": synthLines(synth.Options{Seed: 8, Now: nowUnix, UniqueAgents: true, BadEvery: 37}, 1500),
	}
	customFields := []string{"city", "country", "device", "event_path", "ip", "kafka_topic", "klag", "original", "platform", "ts", "user_agent"}
	tests := []struct {
		name         string
		geo          string
		keepOriginal string
		mode         string
		fields       []string
	}{
		{name: "all/geoip", geo: cityDB, keepOriginal: "tracker_line", mode: teMetadataAll},
		{name: "routing/geoip", geo: cityDB, keepOriginal: "tracker_line", mode: teMetadataRouting},
		{name: "all/no geoip", keepOriginal: "tracker_line", mode: teMetadataAll},
		{name: "routing/no geoip", keepOriginal: "tracker_line", mode: teMetadataRouting},
		{name: "routing/no keep_original", geo: cityDB, mode: teMetadataRouting},
		{name: "all/custom fields", geo: cityDB, keepOriginal: "original", mode: teMetadataAll, fields: customFields},
		{name: "all/keep_original collides", geo: cityDB, keepOriginal: "device", mode: teMetadataAll},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			p := newPair(t, test.geo, test.keepOriginal, test.mode, test.fields)
			for _, name := range slices.Sorted(maps.Keys(data)) {
				in := data[name]
				for start := 0; start < len(in); start += 500 {
					p.compare(t, in[start:min(start+500, len(in))])
				}
			}
		})
	}
}

// TestDifferentialFixtureSeen checks that the fixtures exercise what they
// claim: countries found, bots, devices and errors all appear.
func TestDifferentialFixtureSeen(t *testing.T) {
	p := newPair(t, cityDB, "tracker_line", teMetadataAll, nil)
	out := p.run(t, []string{"fused"}, batchOf(edgeInputs()))
	seen := map[string]bool{}
	for _, m := range out {
		if m.GetError() != nil {
			seen["error"] = true
			continue
		}
		for _, k := range []string{"country", device.MetaBotName, device.MetaDevice, device.MetaDeviceName} {
			if _, ok := m.MetaGet(k); ok {
				seen[k] = true
			}
		}
	}
	for _, k := range []string{"error", "country", "bot_name", "device", "device_name"} {
		if !seen[k] {
			t.Errorf("no edge line has %s", k)
		}
	}
}
