//go:build unix

package device

import (
	"syscall"
	"time"
)

// processCPU returns the user and system CPU time the test process has
// used, which on a shared machine measures work more honestly than the
// wall clock.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
