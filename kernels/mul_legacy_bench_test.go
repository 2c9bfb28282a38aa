package kernels

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
)

// BenchmarkMatKernels measures each kernel on 2048×2048 and 5632×2048
// (rows × n) weight matrices at 1 token (generation) and 32 and 64 tokens
// (prompt processing), one goroutine; the reported MB/s are weight bytes
// (rows × row bytes) per second per product, activations already encoded;
// cpuGB/s and cpuGFLOP/s divide by the thread's CPU time instead of wall
// time (steadier on a shared machine).
func BenchmarkMatKernels(b *testing.B) {
	for _, c := range mulCases {
		for _, shape := range [][2]int{{2048, 2048}, {5632, 2048}, {2048, 5632}} {
			rows, n := shape[0], shape[1]
			for _, toks := range []int{1, 32, 64} {
				b.Run(fmt.Sprintf("%s/%dx%d/t%d", c.name, rows, n, toks), func(b *testing.B) {
					benchMat(b, c, rows, n, toks)
				})
			}
		}
	}
}

func benchMat(b *testing.B, c mulCase, rows, n, toks int) {
	r := rand.New(rand.NewPCG(3, 4))
	wb, ab := n/c.block*c.size, c.k.Act.RowBytes(n)
	w := make([]byte, rows*wb)
	for i := 0; i < rows; i += 64 { // 64 distinct rows, repeated
		row := makeWeights(r, c, "quantized", n)
		for j := i; j < min(rows, i+64); j++ {
			copy(w[j*wb:], row)
		}
	}
	a := make([]byte, toks*ab)
	for t := 0; t < toks; t++ {
		copy(a[t*ab:], makeActs(r, c.k.Act, "quantized", n))
	}
	out := make([]float32, toks*rows)
	b.SetBytes(int64(len(w)))
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	c.k.Mul(n, w, wb, rows, a, ab, toks, out, rows)
	start := threadCPU()
	b.ResetTimer()
	for b.Loop() {
		c.k.Mul(n, w, wb, rows, a, ab, toks, out, rows)
	}
	b.StopTimer()
	if cpu := threadCPU() - start; cpu > 0 {
		sec := cpu.Seconds() / float64(b.N)
		b.ReportMetric(float64(len(w))/sec/1e9, "cpuGB/s")
		b.ReportMetric(2*float64(rows)*float64(n)*float64(toks)/sec/1e9, "cpuGFLOP/s")
	}
}

// BenchmarkMatKernelsSmall measures the attention-score shape (Q8_0 keys:
// 64 cached positions × a head of 128 values against 1–8 queries), where
// per-call overheads count.
func BenchmarkMatKernelsSmall(b *testing.B) {
	for _, toks := range []int{1, 4, 8} {
		b.Run(fmt.Sprintf("q8_0/64x128/t%d", toks), func(b *testing.B) {
			benchMat(b, mulCases[0], 64, 128, toks)
		})
	}
}
