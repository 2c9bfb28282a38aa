package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/zqtool/zq/kernels"
)

func TestExpfMatchesMathExp(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	diff := 0
	check := func(x float32) {
		want := float32(math.Exp(float64(x)))
		got := expf(x)
		if got != want {
			if math.Abs(float64(got)-float64(want)) > 1e-7*float64(want) {
				t.Fatalf("expf(%v) = %v, want %v", x, got, want)
			}
			diff++
		}
	}
	for _, x := range []float32{0, -0.5, -1, -10, -87, -88, -103, -104, -109.9, -200, 1, 20, 88, float32(math.Inf(-1))} {
		check(x)
	}
	for i := 0; i < 200000; i++ {
		check(-float32(rng.ExpFloat64() * 8))
	}
	if diff > 200 { // 0.1 %: last-bit ties of the polynomial
		t.Errorf("%d of 200000 results differ from float32(math.Exp) in the last bit", diff)
	}
	if v := expf(float32(math.NaN())); v == v {
		t.Errorf("expf(NaN) = %v", v)
	}
}

func BenchmarkExpf(b *testing.B) {
	var s float32
	for i := 0; b.Loop(); i++ {
		s += expf(-float32(i&1023) / 64)
	}
	_ = s
}

// TestGELUTable checks gelu against entries of ggml's float16 GELU table
// (ggml_table_gelu_f16 of llama.cpp c9ced491's CPU backend, dumped after
// ggml_cpu_init), including -1.999, the one input where rounding
// 1 + a·x·x separately instead of as a fused multiply-add changes the
// table's float16 value.
func TestGELUTable(t *testing.T) {
	for _, c := range []struct {
		x    uint16 // float16 input
		want uint16 // ggml's table entry
	}{
		{0xbfff, 0xa9d3}, // -1.9990234
		{0x3c00, 0x3abb}, // 1
		{0xbc00, 0xb115}, // -1
		{0x0000, 0x0000},
		{0x4800, 0x4800}, // 8
		{0xc800, 0x8000}, // -8: -0
	} {
		x := kernels.F16ToF32(c.x)
		if got := kernels.F32ToF16(gelu(x)); got != c.want {
			t.Errorf("gelu(%g) = %#04x, ggml's table %#04x", x, got, c.want)
		}
	}
}
