package measure

import (
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

func sqrt(x float64) float64 { return math.Sqrt(x) }

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

// Bandwidth measures this machine's memory bandwidth in GB/s: every CPU
// copies its share of a 256 MiB buffer (read + write counted), best of a
// few passes. It is a stand-in for bench.MemoryBandwidth.
func Bandwidth() float64 {
	const n = 128 << 20
	src, dst := make([]byte, n), make([]byte, n)
	for i := range src {
		src[i] = byte(i)
	}
	workers := runtime.GOMAXPROCS(0)
	part := n / workers
	best := 0.0
	for range 4 {
		var wg sync.WaitGroup
		t := time.Now()
		for w := range workers {
			lo, hi := w*part, (w+1)*part
			if w == workers-1 {
				hi = n
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				copy(dst[lo:hi], src[lo:hi])
			}()
		}
		wg.Wait()
		if gbs := 2 * n / time.Since(t).Seconds() / 1e9; gbs > best {
			best = gbs
		}
	}
	return best
}
