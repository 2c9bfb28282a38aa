package kernels

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestIQRoundTrip checks that every i-quant quantizer reproduces a
// Gaussian row about as closely as ggml's does at its bit rate (a gross
// packing or sign error shows up as a much larger error), with importance
// weights and, where ggml allows it, without (IQ1_S without them is an
// error; IQ2_XXS and IQ2_XS need them); and that the importance vector
// steers the error towards the heavily weighted (even) columns.
func TestIQRoundTrip(t *testing.T) {
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
	plain := func(q func(dst []byte, src, w []float32)) func(dst []byte, src, w []float32) error {
		return func(dst []byte, src, w []float32) error { q(dst, src, w); return nil }
	}
	carried := func(q func(dst []byte, src, w, before []float32) error) func(dst []byte, src, w []float32) error {
		return func(dst []byte, src, w []float32) error { return q(dst, src, w, nil) }
	}
	for _, c := range []struct {
		name   string
		size   int
		q      func(dst []byte, src, w []float32) error
		dq     func(dst []float32, src []byte)
		limit  float64 // relative squared error (the larger measured × ~1.2)
		noW    bool    // also quantizes without weights
		needsW bool    // without weights: an error (else: not called)
	}{
		{"iq1_s", blockIQ1S, carried(QuantizeIQ1_S), DequantizeIQ1_S, 0.36, false, true},
		{"iq1_m", blockIQ1M, carried(QuantizeIQ1_M), DequantizeIQ1_M, 0.41, true, false},
		{"iq2_xxs", blockIQ2XXS, plain(QuantizeIQ2_XXS), DequantizeIQ2_XXS, 0.21, false, false},
		{"iq2_xs", blockIQ2XS, plain(QuantizeIQ2_XS), DequantizeIQ2_XS, 0.165, false, false},
		{"iq2_s", blockIQ2S, plain(QuantizeIQ2_S), DequantizeIQ2_S, 0.1, true, false},
		{"iq3_xxs", blockIQ3XXS, plain(QuantizeIQ3_XXS), DequantizeIQ3_XXS, 0.073, true, false},
		{"iq3_s", blockIQ3S, plain(QuantizeIQ3_S), DequantizeIQ3_S, 0.035, true, false},
	} {
		ws := [][]float32{w}
		if c.noW || c.needsW {
			ws = append(ws, nil)
		}
		var errs []float64
		for _, qw := range ws {
			buf := make([]byte, n/256*c.size)
			err := c.q(buf, x, qw)
			if qw == nil && c.needsW {
				if err == nil || !strings.Contains(err.Error(), "importance") {
					t.Errorf("%s without weights: error %v, want one about the missing importance weights", c.name, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s (weights %v): %v", c.name, qw != nil, err)
			}
			y := make([]float32, n)
			c.dq(y, buf)
			rel := relErr(y, false)
			t.Logf("%s (weights %v): relative squared error %.4f", c.name, qw != nil, rel)
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
