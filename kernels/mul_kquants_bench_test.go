package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
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
