package bench

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Bandwidth sizes: the three triad arrays together span four times the
// last-level cache, within these bounds.
const (
	minTriadBytes = 384 << 20
	maxTriadBytes = 2 << 30
	triadRuns     = 5
)

// MemoryBandwidth measures this machine's memory bandwidth in GB/s (1e9
// bytes) with a STREAM triad, a[i] = b[i] + s·c[i] over float64 arrays
// well beyond the last-level cache, split across threads goroutines (0:
// GOMAXPROCS), best of a few runs; bytes counted as STREAM does (two reads
// and one write per element).
func MemoryBandwidth(threads int) float64 {
	total := clamp(4*lastLevelCache(), minTriadBytes, maxTriadBytes)
	return triad(total/24, threads, triadRuns)
}

// triad runs the STREAM triad on three arrays of n float64s.
func triad(n, threads, runs int) float64 {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	threads = max(1, min(threads, n))
	a, b, c := make([]float64, n), make([]float64, n), make([]float64, n)
	parts := func(fn func(lo, hi int)) {
		var wg sync.WaitGroup
		for w := range threads {
			lo, hi := w*n/threads, (w+1)*n/threads
			wg.Add(1)
			go func() {
				defer wg.Done()
				fn(lo, hi)
			}()
		}
		wg.Wait()
	}
	// Touch every page from the thread that will use it first.
	parts(func(lo, hi int) {
		for i := lo; i < hi; i++ {
			a[i], b[i], c[i] = 0, 1, 2
		}
	})
	const s = 3.0
	best := 0.0
	for range runs {
		t0 := time.Now()
		parts(func(lo, hi int) {
			aa, bb, cc := a[lo:hi], b[lo:hi], c[lo:hi]
			for i := range aa {
				aa[i] = bb[i] + s*cc[i]
			}
		})
		if gbs := 24 * float64(n) / time.Since(t0).Seconds() / 1e9; gbs > best {
			best = gbs
		}
	}
	runtime.KeepAlive(a)
	return best
}

// lastLevelCache is the largest CPU cache in bytes (Linux sysfs), or 0.
func lastLevelCache() int {
	best := 0
	for i := range 8 {
		b, err := os.ReadFile("/sys/devices/system/cpu/cpu0/cache/index" + strconv.Itoa(i) + "/size")
		if err != nil {
			break
		}
		if n := parseSize(strings.TrimSpace(string(b))); n > best {
			best = n
		}
	}
	return best
}

// parseSize reads sysfs sizes such as "32K" or "480M".
func parseSize(s string) int {
	mult := 1
	switch {
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, s[:len(s)-1]
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, s[:len(s)-1]
	case strings.HasSuffix(s, "G"):
		mult, s = 1<<30, s[:len(s)-1]
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0
	}
	return n * mult
}

func clamp(x, lo, hi int) int { return max(lo, min(x, hi)) }

// Roofline is the bandwidth-bound upper limit on generation tokens/s: bw
// GB/s over the bytes a tg test of gen tokens reads per token on average
// (the weights once plus the KV cache at mean depth (gen−1)/2).
func (in Info) Roofline(bw float64, gen int) float64 {
	bytes := float64(in.StreamedBytes) + float64(in.KVBytesPerPos)*float64(max(0, gen-1))/2
	if bytes <= 0 {
		return 0
	}
	return bw * 1e9 / bytes
}
