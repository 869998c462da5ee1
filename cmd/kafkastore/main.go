// Command kafkastore is the kafkastore event pipeline: a Benthos binary with
// the kafkastore plugin bundle compiled in.
package main

import (
	"context"
	"os"

	"github.com/redpanda-data/benthos/v4/public/service"

	_ "github.com/kafkastore/kafkastore/plugins/all"
)

// Set at build time with -ldflags "-X main.version=... -X main.dateBuilt=...".
var (
	version   = "dev"
	dateBuilt = "unknown"
)

func main() {
	tuneGC(os.Getenv)
	service.RunCLI(context.Background(),
		service.CLIOptSetBinaryName("kafkastore"),
		service.CLIOptSetProductName("kafkastore"),
		service.CLIOptSetVersion(version, dateBuilt),
		service.CLIOptSetDefaultConfigPaths("config/kafkastore.yaml", "/etc/kafkastore/kafkastore.yaml"),
		service.CLIOptAddCommand(demoCommand()),
		service.CLIOptAddCommand(deadletterCommand()),
		service.CLIOptOnLoggerInit(status.onLoggerInit),
		service.CLIOptOnConfigParse(status.onConfigParse),
		service.CLIOptOnStreamStart(status.onStreamStart),
	)
}
