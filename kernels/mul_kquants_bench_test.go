package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// kqBench times mul on rows×n random weights of c's type and toks random
// Q8_K rows. Besides the mean (ns/op, MB/s of weight bytes) it reports
// the fastest run as GB/s of weights and GMAC/s: on a shared machine the
// minimum is the least perturbed figure.
func kqBench(b *testing.B, c kqMulCase, mul MulFunc, n, rows, toks int) {
	rng := rand.New(rand.NewPCG(3, 4))
	wStride := n / kqBlock * c.bytes
	aStride := ActQ8_K.RowBytes(n)
	w := kqWeights(c, kqWRandom, rng, n, rows, wStride)
	a := kqActs(kqARandom, rng, n, toks, aStride)
	out := make([]float32, toks*rows)
	b.SetBytes(int64(len(w)))
	best := time.Duration(1 << 62)
	for b.Loop() {
		t0 := time.Now()
		mul(n, w, wStride, rows, a, aStride, toks, out, rows)
		best = min(best, time.Since(t0))
	}
	b.ReportMetric(float64(len(w))/best.Seconds()/1e9, "GB/s")
	b.ReportMetric(float64(n*rows*toks)/best.Seconds()/1e9, "GMAC/s")
}

// kqBenchImpls is every implementation of c's type this CPU runs, the
// pure-Go twin last.
func kqBenchImpls(c kqMulCase) []kqRowKernels {
	return append(kqVariants(*c.goK), *c.goK)
}

// BenchmarkMulKQuants is one goroutine on 2048×2048 and 512×8192
// matrices at toks=1 (generation) and toks=32 (prompt processing), for
// every implementation (the pure-Go twin at toks=1 on 2048 only).
func BenchmarkMulKQuants(b *testing.B) {
	for _, c := range kqMulCases() {
		for _, sh := range []struct{ n, rows int }{{2048, 2048}, {8192, 512}} {
			for _, toks := range []int{1, 32} {
				for _, k := range kqBenchImpls(c) {
					if k.name == c.name && (toks > 1 || sh.n > 2048) {
						continue
					}
					b.Run(fmt.Sprintf("%s/%dx%d/toks=%d", k.name, sh.rows, sh.n, toks), func(b *testing.B) {
						kqBench(b, c, k.mul, sh.n, sh.rows, toks)
					})
				}
			}
		}
	}
}

// BenchmarkMulKQuantsMin is small products (64 rows of 2048 values) run
// many times, for every implementation and tile shape.
func BenchmarkMulKQuantsMin(b *testing.B) {
	for _, c := range kqMulCases() {
		for _, toks := range []int{1, 4, 32} {
			for _, k := range kqBenchImpls(c) {
				b.Run(fmt.Sprintf("%s/toks=%d", k.name, toks), func(b *testing.B) {
					kqBench(b, c, k.mul, 2048, 64, toks)
				})
			}
		}
	}
}

// BenchmarkMulKQuantsPrompt is a prompt-sized product (512 tokens of
// 2048 or 8192 values: activations far beyond L2, so the cache blocking
// matters) with the dispatched kernel; 32 rows keep one run short enough
// for its fastest run to escape the scheduler on a shared machine.
func BenchmarkMulKQuantsPrompt(b *testing.B) {
	for _, c := range kqMulCases() {
		for _, n := range []int{2048, 8192} {
			b.Run(fmt.Sprintf("%s/%d", c.name, n), func(b *testing.B) {
				kqBench(b, c, c.mat.Mul, n, 32, 512)
			})
		}
	}
}

// BenchmarkQuantizeQ8KAct compares the ActQ8_K quantizer with the
// reference QuantizeQ8_K on an 8192-value row.
func BenchmarkQuantizeQ8KAct(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	src := make([]float32, 8192)
	for i := range src {
		src[i] = float32(rng.NormFloat64())
	}
	dst := make([]byte, ActQ8_K.RowBytes(len(src)))
	for _, q := range []struct {
		name string
		f    func([]byte, []float32)
	}{{"act", ActQ8_K.Quantize}, {"reference", QuantizeQ8_K}} {
		b.Run(q.name, func(b *testing.B) {
			b.SetBytes(int64(4 * len(src)))
			for b.Loop() {
				q.f(dst, src)
			}
		})
	}
}

// BenchmarkMulKQuantsTiles16 sets the 16-row panels (packing included)
// against the row kernels on an FFN-down-sized product (256×5632) at a few
// token counts, for every type that has them: where they cross is the
// type's min16.
func BenchmarkMulKQuantsTiles16(b *testing.B) {
	for _, c := range kqMulCases() {
		for _, k := range kqVariants(*c.goK) {
			if k.tiles16 == nil {
				continue
			}
			rows := k
			rows.tiles16 = nil
			for _, toks := range []int{8, 16, 32, 64} {
				b.Run(fmt.Sprintf("%s/toks=%d/panels", k.name, toks), func(b *testing.B) {
					kqBench(b, c, func(n int, w []byte, wStride, r int, a []byte, aStride, toks int, out []float32, ldo int) {
						k.tiles16(n/kqBlock, w, wStride, r, a, aStride, toks, out, ldo)
					}, 5632, 256, toks)
				})
				b.Run(fmt.Sprintf("%s/toks=%d/rows", k.name, toks), func(b *testing.B) {
					kqBench(b, c, rows.mul, 5632, 256, toks)
				})
			}
		}
	}
}
