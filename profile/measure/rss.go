package measure

import (
	"os"
	"strconv"
	"strings"

	"github.com/zqtool/zq/bench"
)

// resetPeakRSS asks Linux to restart the peak-RSS watermark (VmHWM) of
// this process; elsewhere, or when refused, the peak stays process-wide.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// peakRSS is this process's peak resident set (VmHWM) on Linux, else 0.
func peakRSS() uint64 { return statusKB("VmHWM:") }

// statusKB reads a "kB" line of /proc/self/status in bytes.
func statusKB(key string) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, key); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				n, _ := strconv.ParseUint(f[0], 10, 64)
				return n * 1024
			}
		}
	}
	return 0
}

// Bandwidth is this machine's memory bandwidth in GB/s with all CPUs
// (bench.MemoryBandwidth's STREAM triad).
func Bandwidth() float64 { return bench.MemoryBandwidth(0) }
