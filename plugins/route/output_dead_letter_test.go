package route

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"

	_ "github.com/redpanda-data/benthos/v4/public/components/pure"

	"github.com/kafkastore/kafkastore/internal/kafkatest"
	"github.com/kafkastore/kafkastore/internal/redistest"
	_ "github.com/kafkastore/kafkastore/plugins/kafka"
	_ "github.com/kafkastore/kafkastore/plugins/redis"
)

// fakeWriter records the contents it is given and fails as told.
type fakeWriter struct {
	got  [][]string
	fail func(b service.MessageBatch) error
}

func (f *fakeWriter) WriteBatch(_ context.Context, b service.MessageBatch) error {
	var contents []string
	for _, m := range b {
		c, _ := m.AsBytes()
		contents = append(contents, string(c))
	}
	f.got = append(f.got, contents)
	if f.fail != nil {
		return f.fail(b)
	}
	return nil
}

func (f *fakeWriter) Close(context.Context) error { return nil }

// refuse fails the messages whose content starts with "big" individually.
func refuse(b service.MessageBatch) error {
	var berr *service.BatchError
	for i, m := range b {
		if c, _ := m.AsBytes(); strings.HasPrefix(string(c), "big") {
			if berr == nil {
				berr = service.NewBatchError(b, errors.New("record too large"))
			}
			berr.Failed(i, errors.New("record too large"))
		}
	}
	if berr == nil {
		return nil
	}
	return berr
}

func batchOf(contents ...string) service.MessageBatch {
	var b service.MessageBatch
	for _, c := range contents {
		m := service.NewMessage([]byte(c))
		if strings.HasPrefix(c, "bad") {
			m.SetError(errors.New("invalid line"))
		}
		b = append(b, m)
	}
	return b
}

func TestDeadLetterWriteBatch(t *testing.T) {
	tests := []struct {
		name         string
		in           []string
		mainFail     func(service.MessageBatch) error
		deadFail     func(service.MessageBatch) error
		ownRejected  bool
		wantMain     [][]string
		wantDead     [][]string
		wantRejected [][]string
		errContains  string
	}{
		{
			name:     "all good",
			in:       []string{"a", "b", "c"},
			wantMain: [][]string{{"a", "b", "c"}},
		},
		{
			name:     "errored messages go to the dead letter in order",
			in:       []string{"bad1", "a", "bad2", "b"},
			wantMain: [][]string{{"a", "b"}},
			wantDead: [][]string{{"bad1", "bad2"}},
		},
		{
			name:     "only errored messages",
			in:       []string{"bad1", "bad2"},
			wantDead: [][]string{{"bad1", "bad2"}},
		},
		{
			name:     "refused messages follow the errored ones without rejected",
			in:       []string{"a", "big1", "bad1", "big2"},
			mainFail: refuse,
			wantMain: [][]string{{"a", "big1", "big2"}},
			wantDead: [][]string{{"big1", "big2"}, {"bad1"}},
		},
		{
			name:         "refused messages go to rejected when set",
			in:           []string{"a", "big1", "bad1"},
			mainFail:     refuse,
			ownRejected:  true,
			wantMain:     [][]string{{"a", "big1"}},
			wantDead:     [][]string{{"bad1"}},
			wantRejected: [][]string{{"big1"}},
		},
		{
			name:        "a whole-batch failure is returned, nothing dead-lettered",
			in:          []string{"a", "bad1"},
			mainFail:    func(service.MessageBatch) error { return errors.New("shutting down") },
			wantMain:    [][]string{{"a"}},
			errContains: "shutting down",
		},
		{
			name:        "a dead-letter failure is returned",
			in:          []string{"a", "bad1"},
			deadFail:    func(service.MessageBatch) error { return errors.New("redis down") },
			wantMain:    [][]string{{"a"}},
			wantDead:    [][]string{{"bad1"}},
			errContains: "writing 1 errored messages to the dead-letter output: redis down",
		},
		{
			name: "a batch error about another batch fails the whole batch",
			in:   []string{"a", "b"},
			mainFail: func(service.MessageBatch) error {
				other := batchOf("x", "y")
				return service.NewBatchError(other, errors.New("refused")).Failed(1, errors.New("refused"))
			},
			wantMain:    [][]string{{"a", "b"}},
			errContains: "refused",
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			main := &fakeWriter{fail: test.mainFail}
			dead := &fakeWriter{fail: test.deadFail}
			var rejected batchWriter = dead
			rej := &fakeWriter{}
			if test.ownRejected {
				rejected = rej
			}
			out := newDeadLetterOutput(main, dead, rejected, service.MockResources().Logger())
			err := out.WriteBatch(t.Context(), batchOf(test.in...))
			if test.errContains == "" && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if test.errContains != "" && (err == nil || !strings.Contains(err.Error(), test.errContains)) {
				t.Fatalf("error %v, want one containing %q", err, test.errContains)
			}
			check := func(name string, got, want [][]string) {
				if !slices.EqualFunc(got, want, slices.Equal[[]string]) {
					t.Errorf("%s got %q, want %q", name, got, want)
				}
			}
			check("main", main.got, test.wantMain)
			check("dead_letter", dead.got, test.wantDead)
			check("rejected", rej.got, test.wantRejected)
		})
	}
}

// TestDeadLetterStream runs the output as users do, against a kfake broker
// and a real redis-server: invalid lines to the dead-letter list unchanged,
// a record Kafka refuses (an invalid topic name) to the rejected list as
// the line kept in metadata, the rest to Kafka in order.
func TestDeadLetterStream(t *testing.T) {
	if testing.Short() {
		t.Skip("needs redis-server and a kfake broker")
	}
	kafka := kafkatest.Start(t)
	rds := redistest.Start(t)
	rc := rds.Client(t)

	const n = 300
	var lines []string
	for i := range n {
		switch {
		case i%50 == 7:
			lines = append(lines, fmt.Sprintf("bad %d", i))
		case i%100 == 11:
			lines = append(lines, fmt.Sprintf("wrong-topic! %d", i))
		default:
			lines = append(lines, fmt.Sprintf("clicks %d", i))
		}
	}
	builder := service.NewStreamBuilder()
	if err := builder.SetLoggerYAML("level: OFF"); err != nil {
		t.Fatal(err)
	}
	produce, err := builder.AddBatchProducerFunc()
	if err != nil {
		t.Fatal(err)
	}
	err = builder.AddProcessorYAML(`
mapping: |
  meta original = content()
  let parts = content().string().split(" ")
  root = if $parts.index(0) == "bad" { throw("invalid line") } else { "msg " + $parts.index(1) }
  meta topic = $parts.index(0)
`)
	if err != nil {
		t.Fatal(err)
	}
	err = builder.AddOutputYAML(fmt.Sprintf(`
dead_letter:
  output:
    label: kafka
    kafka_franz:
      seed_brokers: [ %q ]
      topic: ${! @topic }
  dead_letter:
    label: dead
    redis_list:
      url: %s
      key: dead
  rejected:
    label: rejected
    redis_list:
      url: %s
      key: rejected
    processors:
      - mapping: 'root = @original'
`, kafka.Addrs()[0], rds.URL(), rds.URL()))
	if err != nil {
		t.Fatal(err)
	}
	stream, err := builder.Build()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- stream.Run(ctx) }()

	for start := 0; start < n; start += 100 {
		if err := produce(ctx, batchOf(lines[start:start+100]...)); err != nil {
			t.Fatalf("batch at %d: %v", start, err)
		}
	}
	if err := stream.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	<-done

	var wantKafka, wantDead, wantRejected []string
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "bad "):
			wantDead = append(wantDead, l)
		case strings.HasPrefix(l, "wrong-topic"):
			wantRejected = append(wantRejected, l)
		default:
			wantKafka = append(wantKafka, fmt.Sprintf("msg %d", i))
		}
	}
	var gotKafka []string
	for _, r := range kafka.Consume(t, "clicks", len(wantKafka), 20*time.Second) {
		gotKafka = append(gotKafka, string(r.Value))
	}
	// Three partitions: order holds per partition, so compare the sets.
	slices.Sort(gotKafka)
	slices.Sort(wantKafka)
	if !slices.Equal(gotKafka, wantKafka) {
		t.Errorf("kafka got %d records %q..., want %d", len(gotKafka), gotKafka[:min(3, len(gotKafka))], len(wantKafka))
	}
	if got := rc.LRange(ctx, "dead", 0, -1).Val(); !slices.Equal(got, wantDead) {
		t.Errorf("dead list %q, want %q", got, wantDead)
	}
	if got := rc.LRange(ctx, "rejected", 0, -1).Val(); !slices.Equal(got, wantRejected) {
		t.Errorf("rejected list %q, want %q", got, wantRejected)
	}
}

func TestDeadLetterConfigErrors(t *testing.T) {
	tests := []struct {
		name        string
		yaml        string
		errContains string
	}{
		{name: "no dead_letter", yaml: "output:\n  drop: {}\n", errContains: "dead_letter"},
		{name: "no output", yaml: "dead_letter:\n  drop: {}\n", errContains: "output"},
		{name: "unknown child", yaml: "output:\n  nope: {}\ndead_letter:\n  drop: {}\n", errContains: "nope"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			conf, err := deadLetterOutputSpec().ParseYAML(test.yaml, nil)
			if err == nil {
				_, err = newDeadLetterOutputFromConfig(conf, service.MockResources())
			}
			if err == nil || !strings.Contains(err.Error(), test.errContains) {
				t.Fatalf("error %v, want one containing %q", err, test.errContains)
			}
		})
	}
}
