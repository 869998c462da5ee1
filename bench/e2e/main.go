// Command e2e measures kafkastore end to end against the I/O floor, in one
// run on the same data, machine and servers: a real redis-server and a
// kfake broker in its own process (internal/cmd/fakekafka).
//
// For each data set (Zipf over ~2,000 user agents; user agents that never
// repeat) it measures
//   - floor: the lines popped from Redis in batches of 500 and produced raw
//     by franz-go, no Benthos, no processing;
//   - kafkastore: ./kafkastore -c config/kafkastore.yaml, from the moment
//     the lines appear on its queue until every one is on Kafka or in the
//     dead-letter list;
//
// and prints lines/s, the ratio to the floor, CPU per line and peak RSS. The
// two subjects are run alternately -rounds times and each one's median run
// is reported, with the ratio of every round.
// bench/run.sh runs it and writes the table into bench/README.md.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/kafkastore/kafkastore/internal/synth"
)

type result struct {
	dataset, subject string
	lines            int
	elapsed          time.Duration
	cpu              time.Duration // the subject's own CPU
	serverCPU        serverCPU     // redis-server's and the broker's CPU meanwhile
	peakRSSKiB       int64
}

func (r result) rate() float64 { return float64(r.lines) / r.elapsed.Seconds() }

func main() { os.Exit(run()) }

// run returns the exit code, so that deferred clean-up (stopping the
// servers) runs before the process exits.
func run() int {
	lines := flag.Int("lines", 300000, "lines per data set")
	binary := flag.String("kafkastore", "./kafkastore", "kafkastore binary (empty: measure the floor only)")
	brokerBin := flag.String("fakekafka", "", "fakekafka binary (built when empty)")
	confPath := flag.String("config", "config/kafkastore.yaml", "config to run")
	geoip := flag.String("geoip", "plugins/geoip/testdata/city.mmdb", "GeoIP database")
	only := flag.String("only", "", "run one data set: zipf or unique")
	var fo floorOpts
	flag.IntVar(&fo.pipeline, "floor-pipeline", 4, "floor: LPOP 500 commands per round trip")
	flag.DurationVar(&fo.linger, "floor-linger", 5*time.Millisecond, "floor: franz-go linger")
	flag.StringVar(&fo.compress, "floor-compression", "", "floor: none, snappy or lz4 (empty: franz-go default, snappy)")
	profile := flag.String("profile", "", "write a CPU profile of kafkastore on each data set to PROFILE.DATASET.pprof")
	flag.IntVar(&profileSeconds, "profile-seconds", profileSeconds, "length of each CPU profile")
	flag.Func("env", "VAR=value added to kafkastore's environment, e.g. GOGC=200 (repeatable)", func(s string) error {
		extraEnv = append(extraEnv, s)
		return nil
	})
	flag.BoolVar(&verbose, "v", false, "print redis-server's command statistics of each kafkastore run")
	rounds := flag.Int("rounds", 3, "floor and kafkastore runs per data set, alternated; the table shows the median run of each")
	flag.Parse()
	if *rounds < 1 {
		fmt.Fprintln(os.Stderr, "bench: -rounds must be at least 1")
		return 2
	}

	ctx := context.Background()
	env, err := startEnv(ctx, *brokerBin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	defer env.close()
	if err := env.createTopics(ctx, topics...); err != nil {
		fmt.Fprintln(os.Stderr, "bench: creating topics:", err)
		return 1
	}

	var results []result
	var notes []string
	for _, ds := range []struct {
		name string
		opts synth.Options
	}{
		{"zipf", synth.Options{Seed: 7, Now: time.Now().Unix()}},
		{"unique", synth.Options{Seed: 8, UniqueAgents: true, Now: time.Now().Unix()}},
	} {
		if *only != "" && *only != ds.name {
			continue
		}
		data := make([]string, *lines)
		g := synth.New(ds.opts)
		for i := range data {
			data[i] = g.Line()
		}
		// Alternate the subjects so that load from other processes on a
		// shared machine falls on both alike; report each one's median run.
		var floors, kss []result
		for round := range *rounds {
			floor, err := env.runFloor(ctx, ds.name, data, fo)
			if err != nil {
				fmt.Fprintln(os.Stderr, "bench: floor:", err)
				return 1
			}
			floors = append(floors, floor)
			fmt.Fprintf(os.Stderr, "%-7s round %d floor       %9.0f lines/s\n", ds.name, round+1, floor.rate())
			if *binary == "" {
				continue
			}
			prof := *profile
			if round > 0 {
				prof = "" // one profile per data set
			}
			ks, err := env.runKafkastore(ctx, ds.name, data, *binary, *confPath, *geoip, prof)
			if err != nil {
				fmt.Fprintln(os.Stderr, "bench: kafkastore:", err)
				return 1
			}
			kss = append(kss, ks)
			fmt.Fprintf(os.Stderr, "%-7s round %d kafkastore  %9.0f lines/s (%.2f of this round's floor)\n", ds.name, round+1, ks.rate(), ks.rate()/floor.rate())
		}
		results = append(results, median(floors))
		if len(kss) > 0 {
			results = append(results, median(kss))
			rounds := make([]string, len(kss))
			for i := range kss {
				rounds[i] = fmt.Sprintf("%.2f", kss[i].rate()/floors[i].rate())
			}
			notes = append(notes, fmt.Sprintf("%s: kafkastore/floor per round %s", ds.name, strings.Join(rounds, ", ")))
		}
	}
	printTable(os.Stdout, results, *binary)
	if len(notes) > 0 {
		fmt.Fprintf(os.Stdout, "\nMedian of %d alternated runs per subject; %s.\n", *rounds, strings.Join(notes, "; "))
	}
	return 0
}

// median returns the run with the median rate (the lower middle one for an
// even count), whole, so that its CPU and memory columns belong to it.
func median(rs []result) result {
	sorted := slices.Clone(rs)
	slices.SortFunc(sorted, func(a, b result) int { return cmp.Compare(a.rate(), b.rate()) })
	return sorted[(len(sorted)-1)/2]
}
