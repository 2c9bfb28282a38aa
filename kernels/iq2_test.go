package kernels

import (
	"math/rand/v2"
	"testing"
)

func init() {
	mulCases = append(mulCases,
		mulCase{name: "iq2_xxs", k: MatIQ2_XXS, block: 256, size: blockIQ2XXS, quant: unitImatrix(QuantizeIQ2_XXS), deq: DequantizeIQ2_XXS, fp16: []int{0}},
		mulCase{name: "iq2_xs", k: MatIQ2_XS, block: 256, size: blockIQ2XS, quant: unitImatrix(QuantizeIQ2_XS), deq: DequantizeIQ2_XS, fp16: []int{0}, panel16: true},
		mulCase{name: "iq2_s", k: MatIQ2_S, block: 256, size: blockIQ2S, quant: noImatrix(QuantizeIQ2_S), deq: DequantizeIQ2_S, fp16: []int{0}, panel16: true},
	)
}

// unitImatrix adapts a quantizer that needs importance weights: all ones.
func unitImatrix(q func(dst []byte, src, w []float32)) func(dst []byte, src []float32) {
	return func(dst []byte, src []float32) {
		w := make([]float32, len(src))
		for i := range w {
			w[i] = 1
		}
		q(dst, src, w)
	}
}

// BenchmarkQuantizeIQ2 measures the quantizers on one 4096-value row with
// importance weights (tables built beforehand).
func BenchmarkQuantizeIQ2(b *testing.B) {
	iq2TableXXS()
	iq2TableXS()
	iq2TableS()
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, 4096)
	w := make([]float32, 4096)
	for i := range x {
		x[i] = float32(r.NormFloat64())
		w[i] = float32(r.Float64())
	}
	for _, c := range []struct {
		name string
		size int
		q    func(dst []byte, src, w []float32)
	}{{"iq2_xxs", blockIQ2XXS, QuantizeIQ2_XXS}, {"iq2_xs", blockIQ2XS, QuantizeIQ2_XS}, {"iq2_s", blockIQ2S, QuantizeIQ2_S}} {
		buf := make([]byte, len(x)/256*c.size)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(4 * len(x)))
			for b.Loop() {
				c.q(buf, x, w)
			}
		})
	}
}
