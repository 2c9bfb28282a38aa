package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// BenchmarkMulKQuants reports GB/s of weight bytes for each K-quant type
// on 2048- and 8192-wide matrices, one goroutine, at toks=1 (generation)
// and toks=32 (prompt processing), for every variant the CPU runs.
func BenchmarkMulKQuants(b *testing.B) {
	for _, c := range kqMulCases() {
		for _, sh := range []struct{ n, rows int }{{2048, 2048}, {8192, 512}} {
			for _, toks := range []int{1, 32} {
				type impl struct {
					name string
					mul  MulFunc
				}
				impls := []impl{{"go", c.goK.mul}}
				for _, v := range kqVariants(*c.goK) {
					impls = append(impls, impl{v.name[len(c.name)+1:], v.mul})
				}
				for _, impl := range impls {
					if impl.name == "go" && (toks > 1 || sh.n > 2048) {
						continue
					}
					name := fmt.Sprintf("%s/%dx%d/toks=%d/%s", c.name, sh.rows, sh.n, toks, impl.name)
					b.Run(name, func(b *testing.B) {
						rng := rand.New(rand.NewPCG(1, 2))
						wStride := sh.n / kqBlock * c.bytes
						aStride := ActQ8_K.RowBytes(sh.n)
						w := kqWeights(c, kqWRandom, rng, sh.n, sh.rows, wStride)
						a := kqActs(kqARandom, rng, sh.n, toks, aStride)
						out := make([]float32, toks*sh.rows)
						b.SetBytes(int64(len(w)))
						b.ResetTimer()
						for b.Loop() {
							impl.mul(sh.n, w, wStride, sh.rows, a, aStride, toks, out, sh.rows)
						}
					})
				}
			}
		}
	}
}

// BenchmarkMulKQuantsMin times small products (64 rows × toks of 2048
// values) many times and reports the fastest run as GB/s of weights and
// GMAC/s: on a shared machine the minimum is the least perturbed figure.
func BenchmarkMulKQuantsMin(b *testing.B) {
	const n, rows = 2048, 64
	for _, c := range kqMulCases() {
		for _, toks := range []int{1, 4, 32} {
			for _, v := range append(kqVariants(*c.goK), *c.goK) {
				b.Run(fmt.Sprintf("%s/toks=%d", v.name, toks), func(b *testing.B) {
					rng := rand.New(rand.NewPCG(3, 4))
					wStride := n / kqBlock * c.bytes
					aStride := ActQ8_K.RowBytes(n)
					w := kqWeights(c, kqWRandom, rng, n, rows, wStride)
					a := kqActs(kqARandom, rng, n, toks, aStride)
					out := make([]float32, toks*rows)
					best := time.Duration(1 << 62)
					for b.Loop() {
						t0 := time.Now()
						v.mul(n, w, wStride, rows, a, aStride, toks, out, rows)
						if d := time.Since(t0); d < best {
							best = d
						}
					}
					s := best.Seconds()
					b.ReportMetric(float64(len(w))/s/1e9, "GB/s")
					b.ReportMetric(float64(n*rows*toks)/s/1e9, "GMAC/s")
				})
			}
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

// BenchmarkMulKQuantsPrompt times a prompt-sized product (256 rows of
// 2048 or 8192 values times 512 tokens: activations far beyond L2, so the
// cache blocking matters) with the dispatched kernel, fastest run.
func BenchmarkMulKQuantsPrompt(b *testing.B) {
	const rows, toks = 256, 512
	for _, c := range kqMulCases() {
		for _, n := range []int{2048, 8192} {
			b.Run(fmt.Sprintf("%s/%d", c.name, n), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(3, 4))
				wStride := n / kqBlock * c.bytes
				aStride := ActQ8_K.RowBytes(n)
				w := kqWeights(c, kqWRandom, rng, n, rows, wStride)
				a := kqActs(kqARandom, rng, n, toks, aStride)
				out := make([]float32, toks*rows)
				best := time.Duration(1 << 62)
				for b.Loop() {
					t0 := time.Now()
					c.mat.Mul(n, w, wStride, rows, a, aStride, toks, out, rows)
					best = min(best, time.Since(t0))
				}
				b.ReportMetric(float64(n*rows*toks)/best.Seconds()/1e9, "GMAC/s")
			})
		}
	}
}
