// Command fakekafka runs a kfake Kafka wire-protocol broker in its own
// process, for the fault suite and the benchmarks: it can be killed and
// replaced like a real broker. It prints "ready ADDR" once listening and
// stops on SIGTERM or SIGINT.
//
//	go run ./internal/cmd/fakekafka -port 9092 -partitions 3
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/twmb/franz-go/pkg/kfake"
)

func main() {
	port := flag.Int("port", 9092, "port to listen on (loopback)")
	partitions := flag.Int("partitions", 3, "partitions of auto-created topics")
	maxMessageBytes := flag.Int("max-message-bytes", 1048588, "largest record batch the broker accepts")
	dataDir := flag.String("data-dir", "", "persist the log here (empty: memory only)")
	flag.Parse()

	opts := []kfake.Opt{
		kfake.Ports(*port),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(*partitions),
		kfake.BrokerConfigs(map[string]string{"message.max.bytes": strconv.Itoa(*maxMessageBytes)}),
	}
	if *dataDir != "" {
		opts = append(opts, kfake.DataDir(*dataDir))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		fmt.Fprintf(os.Stderr, "fakekafka: starting broker: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("ready %s\n", c.ListenAddrs()[0])
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	c.Close()
}
