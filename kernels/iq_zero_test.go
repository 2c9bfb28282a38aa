package kernels

import (
	"math"
	"os"
	"testing"
)

// TestIQZeroWeights checks every i-quant on a row whose importance weights
// are all zero over columns 288–319. Where ggml is defined there (IQ2_XS,
// IQ2_S, IQ3_XXS, IQ3_S keep the previous sub-block's levels) the bytes
// must be ggml's (testdata/iq-zero-weights, made by
// scripts/iq-zero-weights.c); where ggml aborts (IQ1_S, IQ1_M, IQ2_XXS)
// the sub-block is quantized with unit importance weights, so the bytes
// must equal those of the same row with weight 1 on those columns.
func TestIQZeroWeights(t *testing.T) {
	const n, rows = 512, 2
	x := make([]float32, n*rows)
	for i := range x {
		x[i] = float32((i*37)%101-50) / 16
	}
	w, unit := make([]float32, n), make([]float32, n)
	for i := range w {
		w[i] = 1 + float32(i%7)/4
		unit[i] = w[i]
		if i >= 288 && i < 320 {
			w[i], unit[i] = 0, 1
		}
	}
	iq1 := func(q func(dst []byte, src, w, before []float32) error) func(dst []byte, src, w []float32) error {
		return func(dst []byte, src, w []float32) error {
			for r := 0; r < rows; r++ {
				rb := len(dst) / rows
				if err := q(dst[r*rb:(r+1)*rb], src[r*n:(r+1)*n], w, src[:r*n]); err != nil {
					return err
				}
			}
			return nil
		}
	}
	plain := func(q func(dst []byte, src, w []float32)) func(dst []byte, src, w []float32) error {
		return func(dst []byte, src, w []float32) error {
			for r := 0; r < rows; r++ {
				rb := len(dst) / rows
				q(dst[r*rb:(r+1)*rb], src[r*n:(r+1)*n], w)
			}
			return nil
		}
	}
	for _, c := range []struct {
		name   string
		size   int
		q      func(dst []byte, src, w []float32) error
		dq     func(dst []float32, src []byte)
		golden string // ggml's bytes, or "" where ggml aborts
	}{
		{"iq1_s", blockIQ1S, iq1(QuantizeIQ1_S), DequantizeIQ1_S, ""},
		{"iq1_m", blockIQ1M, iq1(QuantizeIQ1_M), DequantizeIQ1_M, ""},
		{"iq2_xxs", blockIQ2XXS, plain(QuantizeIQ2_XXS), DequantizeIQ2_XXS, ""},
		{"iq2_xs", blockIQ2XS, plain(QuantizeIQ2_XS), DequantizeIQ2_XS, "iq2_xs.bin"},
		{"iq2_s", blockIQ2S, plain(QuantizeIQ2_S), DequantizeIQ2_S, "iq2_s.bin"},
		{"iq3_xxs", blockIQ3XXS, plain(QuantizeIQ3_XXS), DequantizeIQ3_XXS, "iq3_xxs.bin"},
		{"iq3_s", blockIQ3S, plain(QuantizeIQ3_S), DequantizeIQ3_S, "iq3_s.bin"},
	} {
		got := make([]byte, len(x)/256*c.size)
		if err := c.q(got, x, w); err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		var want []byte
		if c.golden != "" {
			b, err := os.ReadFile("testdata/iq-zero-weights/" + c.golden)
			if err != nil {
				t.Fatal(err)
			}
			want = b
		} else {
			want = make([]byte, len(got))
			if err := c.q(want, x, unit); err != nil {
				t.Fatalf("%s with unit weights: %v", c.name, err)
			}
		}
		if string(got) != string(want) {
			t.Errorf("%s: bytes differ from the expected result", c.name)
		}
		y := make([]float32, len(x))
		c.dq(y, got)
		for i, v := range y {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("%s: value %d decodes to %v", c.name, i, v)
			}
		}
	}
}

// TestIQ2XXSZeroWeightsOnGrid checks the one all-zero-weight case ggml's
// IQ2_XXS defines: the levels of its first guess already lie on the grid
// (here every value of sub-block 0 is small but one), so ggml writes them
// with scale code 0 rather than aborting. zq must write ggml's bytes
// (testdata/iq-zero-weights/iq2_xxs-on-grid.bin), not the unit-weight
// result it writes where ggml aborts.
func TestIQ2XXSZeroWeightsOnGrid(t *testing.T) {
	x, w, unit := make([]float32, 256), make([]float32, 256), make([]float32, 256)
	for i := range x {
		x[i] = float32((i*37)%101-50) / 16
		w[i] = 1 + float32(i%7)/4
		unit[i] = w[i]
		if i < 32 {
			x[i] = float32(1+i%3) / 64
			w[i], unit[i] = 0, 1
		}
	}
	x[7] = 1
	want, err := os.ReadFile("testdata/iq-zero-weights/iq2_xxs-on-grid.bin")
	if err != nil {
		t.Fatal(err)
	}
	got, withUnit := make([]byte, blockIQ2XXS), make([]byte, blockIQ2XXS)
	QuantizeIQ2_XXS(got, x, w)
	QuantizeIQ2_XXS(withUnit, x, unit)
	if string(got) != string(want) {
		t.Errorf("bytes differ from ggml's")
	}
	if string(withUnit) == string(want) {
		t.Errorf("the unit-weight row gives ggml's bytes too: the input does not test the case")
	}
}
