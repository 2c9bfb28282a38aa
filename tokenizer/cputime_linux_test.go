//go:build linux

package tokenizer_test

import (
	"time"

	"golang.org/x/sys/unix"
)

// processCPU is the user+system CPU time of the whole process, garbage
// collector included: on a shared machine far steadier than wall time, and
// what /usr/bin/time reports for llama-tokenize.
func processCPU() time.Duration {
	var ru unix.Rusage
	if unix.Getrusage(unix.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
