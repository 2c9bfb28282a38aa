package codec

import (
	"math"
	"strings"
	"testing"

	"github.com/zqtool/zq/ggml"
)

// TestGoldenIQ1 checks the IQ1_S (importance weights only, as ggml makes
// it) and IQ1_M (with and without) outputs of the lattice golden set.
func TestGoldenIQ1(t *testing.T) {
	runGoldenIQ(t, 3, ggml.TypeIQ1_S, ggml.TypeIQ1_M)
}

// TestMicroIQ1 compares real weights quantized to IQ1_S and IQ1_M (the
// IQ1_S and IQ1_M presets' tensors of those types) with llama-quantize's.
func TestMicroIQ1(t *testing.T) {
	runMicroLattice(t, []microCase{{"IQ1_S", ggml.TypeIQ1_S}, {"IQ1_M", ggml.TypeIQ1_M}})
}

// goldenUndefined returns, for an IQ1 output of the rows src, a mask of
// the bits ggml leaves undefined (nil when none are): a sub-block too
// small to quantize takes the delta sign (IQ1_S) or shift choice (IQ1_M)
// of the last sub-block at its position that the call quantized, and when
// there was none ggml reads an uninitialized stack array (its bytes
// there are garbage; zq counts such a shift as +). Undefined are then the
// sub-block's sign bit (IQ1_S), or its whole qh byte and, with importance
// weights, where that shift enters the final scale fit, the block's fp16
// scale nibbles (IQ1_M).
func goldenUndefined(t *testing.T, typ ggml.Type, src []float32, rows, cols int, weighted bool) []byte {
	var sub int
	var eps float32
	switch typ {
	case ggml.TypeIQ1_S:
		sub, eps = 32, 1e-12
	case ggml.TypeIQ1_M:
		sub, eps = 16, 1e-7
	default:
		return nil
	}
	ts := typ.TypeSize()
	mask := make([]byte, len(src)/256*ts)
	seen := make([]bool, 256/sub)
	count := 0
	for b := 0; b < len(src)/256; b++ {
		x := src[256*b : 256*b+256]
		small := make([]bool, 256/sub)
		quantized := false
		for ib := range small {
			m := float32(0)
			for _, v := range x[sub*ib : sub*ib+sub] {
				m = max(m, float32(math.Abs(float64(v))))
			}
			small[ib] = m < eps
			quantized = quantized || !small[ib]
		}
		if !quantized {
			continue // nothing written but zeros
		}
		y := mask[b*ts : (b+1)*ts]
		for ib, s := range small {
			if !s {
				seen[ib] = true
				continue
			}
			if seen[ib] {
				continue
			}
			count++
			if typ == ggml.TypeIQ1_S {
				y[34+2*ib+1] |= 0x80
				continue
			}
			y[32+ib] = 0xff
			if weighted {
				for i := 49; i < 56; i += 2 {
					y[i] |= 0xf0
				}
			}
		}
	}
	if count == 0 {
		return nil
	}
	t.Logf("%s: %d sub-blocks whose ggml bytes depend on uninitialized memory (masked)", typ, count)
	return mask
}

// clearBits returns a copy of b with the bits set in mask cleared.
func clearBits(b, mask []byte) []byte {
	out := make([]byte, len(b))
	for i := range b {
		out[i] = b[i] &^ mask[i]
	}
	return out
}

// TestIQ1Errors checks the inputs ggml cannot quantize to IQ1: IQ1_S
// without an importance matrix, and a sub-block of values so large that
// no scale fits (ggml aborts): clear errors naming type, row and column.
// (A sub-block whose importance weights are all zero is no error: see
// kernels' TestIQZeroWeights.)
func TestIQ1Errors(t *testing.T) {
	const n = 512
	src := make([]float32, 2*n)
	for i := range src {
		src[i] = float32(math.Cos(float64(i)))
	}
	for i := 256; i < 288; i++ {
		src[i] = 3e38 * float32(1-2*(i%2))
	}
	im := make([]float32, n)
	for i := range im {
		im[i] = 1
	}
	for _, c := range []struct {
		typ  ggml.Type
		im   []float32
		want []string
	}{
		{ggml.TypeIQ1_S, nil, []string{"iq1_s", "importance matrix"}},
		{ggml.TypeIQ1_S, im, []string{"iq1_s", "row 0", "column 256"}},
		{ggml.TypeIQ1_M, im, []string{"iq1_m", "row 0", "column 256"}},
	} {
		dst := make([]byte, 2*n/256*c.typ.TypeSize())
		err := Quantize(c.typ, dst, src, n, c.im, 2)
		for _, w := range c.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %v, want one containing %q", c.typ, err, w)
			}
		}
		if c.im != nil {
			if err := QuantizeRow(c.typ, dst[:n/256*c.typ.TypeSize()], src[:n], c.im); err == nil || !strings.Contains(err.Error(), "column 256") {
				t.Errorf("%s QuantizeRow: error %v, want one naming column 256", c.typ, err)
			}
		}
	}
	if !RequiresIMatrix(ggml.TypeIQ1_S) || RequiresIMatrix(ggml.TypeIQ1_M) {
		t.Error("RequiresIMatrix: want true for iq1_s, false for iq1_m")
	}
}
