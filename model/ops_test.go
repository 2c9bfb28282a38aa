package model

import (
	"math"
	"testing"

	"github.com/zqtool/zq/kernels"
)

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

// TestTanhf checks tanhf against glibc 2.36's tanhf (which ggml's soft-capping
// calls) on arguments where float32(math.Tanh) differs in the last bit; a
// run over 2,000,000 arguments (small, ±2, ±25 and random bit patterns)
// found no difference.
func TestTanhf(t *testing.T) {
	for _, c := range []struct{ x, want uint32 }{
		{0xbb2ba667, 0xbb2ba64e}, // -0.00261917128
		{0xbdc89c78, 0xbdc7f8d8}, // -0.0979546905
		{0xbe4f9f58, 0xbe4cd2c5}, // -0.202756286
		{0xbf745b6a, 0xbf3de813}, // -0.954519868
		{0x3fdfdb12, 0x3f70f592}, // 1.748873
		{0x40183361, 0x3f7ba2b4}, // 2.37813592
		{0x00000000, 0x00000000}, // 0
		{0x80000000, 0x80000000}, // -0
		{0x41b00000, 0x3f800000}, // 22: 1
		{0xc2000000, 0xbf800000}, // -32: -1
		{0x7f800000, 0x3f800000}, // +Inf: 1
	} {
		x := math.Float32frombits(c.x)
		if got := math.Float32bits(tanhf(x)); got != c.want {
			t.Errorf("tanhf(%g) = %#08x (%g), glibc %#08x", x, got, tanhf(x), c.want)
		}
	}
}
