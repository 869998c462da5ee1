package redis

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kafkastore/kafkastore/internal/redistest"
)

// gauges keeps the last value set per metric name and labels.
type gauges struct {
	mu     sync.Mutex
	values map[string]int64
}

func (g *gauges) get() map[string]int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return maps.Clone(g.values)
}

type gaugeRecorder struct {
	name string
	g    *gauges
}

func (r gaugeRecorder) Set(v int64, labels ...string) {
	r.g.mu.Lock()
	defer r.g.mu.Unlock()
	r.g.values[r.name+"{"+strings.Join(labels, ",")+"}"] = v
}

// recordingSampler makes s record its gauges in the returned gauges.
func recordingSampler(s *depthSampler) *gauges {
	g := &gauges{values: map[string]int64{}}
	s.queueDepth = gaugeRecorder{name: metricQueueDepth, g: g}
	s.processingDepth = gaugeRecorder{name: metricProcessingDepth, g: g}
	s.depth = gaugeRecorder{name: metricDepth, g: g}
	return g
}

// TestDepthSample runs a reliable consumer with one batch in flight and
// another consumer's unacknowledged batch, and samples the depths.
func TestDepthSample(t *testing.T) {
	srv := redistest.Start(t)
	c := srv.Client(t)
	push(t, c, "q", seq(0, 10))
	push(t, c, "dead", seq(0, 3))
	if err := c.Set(t.Context(), "not_a_list", "x", 0).Err(); err != nil {
		t.Fatal(err)
	}
	other := startInput(t, srv, "key: q\nbatch_size: 2\nconsumer_id: other\ndepth_interval: 0s")
	if got, _ := read(t, other); len(got) != 2 {
		t.Fatalf("other consumer read %v", got)
	}
	in := startInput(t, srv, "key: q\nbatch_size: 3\ndepth_interval: 0s")
	if got, _ := read(t, in); len(got) != 3 {
		t.Fatalf("read %v", got)
	}

	tests := []struct {
		name        string
		reliable    bool
		extra       []string
		want        map[string]int64
		errContains string
	}{
		{
			name:     "reliable counts every consumer's processing lists",
			reliable: true,
			extra:    []string{"dead", "missing"},
			want: map[string]int64{
				metricQueueDepth + "{q}": 5, metricProcessingDepth + "{q}": 5,
				metricDepth + "{dead}": 3, metricDepth + "{missing}": 0,
			},
		},
		{
			name:  "plain mode samples only the queue",
			extra: []string{"dead"},
			want:  map[string]int64{metricQueueDepth + "{q}": 5, metricDepth + "{dead}": 3},
		},
		{
			name:        "a key that is no list fails, the others are still set",
			reliable:    true,
			extra:       []string{"not_a_list", "dead"},
			want:        map[string]int64{metricQueueDepth + "{q}": 5, metricProcessingDepth + "{q}": 5, metricDepth + "{dead}": 3},
			errContains: "WRONGTYPE",
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			var keys *queueKeys
			if test.reliable {
				keys = &in.q.keys
			}
			s := newDepthSampler(in.client, "q", keys, test.extra, nil, in.log)
			got := recordingSampler(s)
			err := s.sample(t.Context())
			if test.errContains == "" && err != nil || test.errContains != "" && (err == nil || !strings.Contains(err.Error(), test.errContains)) {
				t.Fatalf("err = %v, want one containing %q", err, test.errContains)
			}
			if !maps.Equal(got.get(), test.want) {
				t.Errorf("gauges = %v, want %v", got.get(), test.want)
			}
		})
	}
}

// TestDepthSamplerRunsUntilClose checks that a connected input samples at
// once and stops sampling when closed.
func TestDepthSamplerRunsUntilClose(t *testing.T) {
	srv := redistest.Start(t)
	push(t, srv.Client(t), "q", seq(0, 4))
	in, err := parseInput(fmt.Sprintf("url: %s\nkey: q\ndepth_interval: 10ms", srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	in.sampler = newDepthSampler(in.client, "q", &in.q.keys, nil, nil, in.log)
	got := recordingSampler(in.sampler)
	if err := in.Connect(t.Context()); err != nil {
		t.Fatal(err)
	}
	for {
		v, ok := got.get()[metricQueueDepth+"{q}"]
		if ok {
			if v != 4 {
				t.Fatalf("queue depth %d, want 4", v)
			}
			break
		}
		if t.Context().Err() != nil {
			t.Fatal("no sample")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := in.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if in.sampleStop != nil {
		t.Error("sampler still running after Close")
	}
}
