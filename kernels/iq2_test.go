package kernels

import (
	"math"
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

// TestIQ2RoundTrip checks that the quantizers reproduce Gaussian rows
// closely (a gross packing or sign error shows up as a large error), with
// importance weights and, for IQ2_S, without; and that an importance
// vector steers the error towards the weighted columns.
func TestIQ2RoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const n = 2048
	x := make([]float32, n)
	w := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
		w[i] = float32(r.Float64() + 0.1)
		if i%2 == 0 {
			w[i] *= 100
		}
	}
	relErr := func(y []float32, even bool) float64 {
		var e, s float64
		for i := range x {
			if even && i%2 != 0 {
				continue
			}
			d := float64(x[i] - y[i])
			e += d * d
			s += float64(x[i]) * float64(x[i])
		}
		return e / s
	}
	for _, c := range []struct {
		name  string
		size  int
		q     func(dst []byte, src, w []float32)
		dq    func(dst []float32, src []byte)
		limit float64
		noIM  bool
	}{
		{"iq2_xxs", blockIQ2XXS, QuantizeIQ2_XXS, DequantizeIQ2_XXS, 0.2, false},
		{"iq2_xs", blockIQ2XS, QuantizeIQ2_XS, DequantizeIQ2_XS, 0.15, false},
		{"iq2_s", blockIQ2S, QuantizeIQ2_S, DequantizeIQ2_S, 0.12, true},
	} {
		ws := [][]float32{w}
		if c.noIM {
			ws = append(ws, nil)
		}
		var errs []float64
		for _, qw := range ws {
			buf := make([]byte, n/256*c.size)
			c.q(buf, x, qw)
			y := make([]float32, n)
			c.dq(y, buf)
			rel := relErr(y, false)
			if !(rel < c.limit) || math.IsNaN(rel) {
				t.Errorf("%s (weights %v): relative squared error %.4f, want < %v", c.name, qw != nil, rel, c.limit)
			}
			errs = append(errs, relErr(y, true))
		}
		if len(errs) == 2 && !(errs[0] < errs[1]) {
			t.Errorf("%s: error on the heavily weighted columns %.4f with weights, %.4f without", c.name, errs[0], errs[1])
		}
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
