package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/x448/float16"
)

// TestF16ToF32Exhaustive decodes all 2^16 half patterns. x448/float16 is the
// oracle: it agrees with ggml on x86-64, including NaNs coming out quiet with
// their payload kept.
func TestF16ToF32Exhaustive(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		got := math.Float32bits(F16ToF32(uint16(h)))
		want := math.Float32bits(float16.Frombits(uint16(h)).Float32())
		if got != want {
			t.Fatalf("F16ToF32(%#04x) = %#08x, want %#08x", h, got, want)
		}
		if f := F16ToF32(uint16(h)); f == f { // not NaN: the way back is exact
			if back := F32ToF16(f); back != uint16(h) {
				t.Fatalf("F32ToF16(F16ToF32(%#04x)) = %#04x", h, back)
			}
		}
	}
}

// TestBF16Exhaustive checks all 2^16 bf16 patterns: widening is a shift and
// narrowing it back is exact, except that a NaN comes back quiet.
func TestBF16Exhaustive(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		f := BF16ToF32(uint16(h))
		if got := math.Float32bits(f); got != uint32(h)<<16 {
			t.Fatalf("BF16ToF32(%#04x) = %#08x", h, got)
		}
		want := uint16(h)
		if f != f {
			want |= 0x40
		}
		if back := F32ToBF16(f); back != want {
			t.Fatalf("F32ToBF16(BF16ToF32(%#04x)) = %#04x, want %#04x", h, back, want)
		}
	}
}

// f16Oracle is the expected GGML_FP32_TO_FP16: x448's round to nearest even,
// except that every NaN becomes 0x7E00 with its sign.
func f16Oracle(b uint32) uint16 {
	if b&0x7fffffff > 0x7f800000 {
		return uint16(b>>16)&0x8000 | 0x7e00
	}
	return float16.Fromfloat32(math.Float32frombits(b)).Bits()
}

// bf16Oracle rounds to nearest even by comparing exact float64 distances to
// the two neighbouring bf16 values; NaN keeps its top bits and turns quiet.
func bf16Oracle(b uint32) uint16 {
	if b&0x7fffffff > 0x7f800000 {
		return uint16(b>>16) | 0x40
	}
	lo := b &^ 0xffff
	if lo == b {
		return uint16(b >> 16)
	}
	hi := lo + 0x10000 // next magnitude up (same sign); may be Inf
	val := func(bits uint32) float64 {
		if bits&0x7fffffff == 0x7f800000 { // Inf stands for 2^128 when rounding
			return math.Copysign(math.Ldexp(1, 128), float64(math.Float32frombits(bits&0x80000000|0x3f800000)))
		}
		return float64(math.Float32frombits(bits))
	}
	x := val(b)
	dlo, dhi := math.Abs(x-val(lo)), math.Abs(val(hi)-x)
	switch {
	case dlo < dhi:
		return uint16(lo >> 16)
	case dhi < dlo:
		return uint16(hi >> 16)
	case (lo>>16)&1 == 0:
		return uint16(lo >> 16)
	default:
		return uint16(hi >> 16)
	}
}

// sampleF32Bits calls fn on every pattern of the top 20 bits combined with
// low-bit patterns that hit ties, near-ties and random mantissas.
func sampleF32Bits(fn func(b uint32)) {
	rng := rand.New(rand.NewPCG(1, 2))
	lows := []uint32{0, 1, 0x7ff, 0x800, 0x801, 0xfff}
	for hi := uint32(0); hi < 1<<20; hi++ {
		for _, lo := range lows {
			fn(hi<<12 | lo)
		}
		fn(hi<<12 | rng.Uint32()&0xfff)
	}
}

// TestF32ToF16Sampled compares F32ToF16 with the oracle on ~7.3M patterns
// covering every exponent/top-mantissa combination, all signs, NaNs,
// infinities, subnormals and the halfway cases.
func TestF32ToF16Sampled(t *testing.T) {
	bad := 0
	sampleF32Bits(func(b uint32) {
		for _, v := range []uint32{b, b ^ 0x1000} { // 0x1000 is the f16 rounding bit
			if got, want := F32ToF16(math.Float32frombits(v)), f16Oracle(v); got != want && bad < 10 {
				bad++
				t.Errorf("F32ToF16(%#08x) = %#04x, want %#04x", v, got, want)
			}
		}
	})
}

// TestF32ToBF16Sampled compares F32ToBF16 with the distance oracle.
func TestF32ToBF16Sampled(t *testing.T) {
	bad := 0
	sampleF32Bits(func(b uint32) {
		for _, v := range []uint32{b, b&^0xffff | 0x8000, b&^0xffff | 0x7fff} { // ties and near-ties
			if got, want := F32ToBF16(math.Float32frombits(v)), bf16Oracle(v); got != want && bad < 10 {
				bad++
				t.Errorf("F32ToBF16(%#08x) = %#04x, want %#04x", v, got, want)
			}
		}
	})
}

// TestFloatSpecialValues pins ggml's rules on named cases.
func TestFloatSpecialValues(t *testing.T) {
	f := math.Float32frombits
	cases := []struct {
		name     string
		in       float32
		f16, b16 uint16
	}{
		{"+0", 0, 0x0000, 0x0000},
		{"-0", f(0x80000000), 0x8000, 0x8000},
		{"1", 1, 0x3c00, 0x3f80},
		{"-2", -2, 0xc000, 0xc000},
		{"f16 max", 65504, 0x7bff, 0x4780},
		{"just below f16 overflow tie", f(0x477fefff), 0x7bff, 0x4780},
		{"f16 overflow tie 65520 → Inf", 65520, 0x7c00, 0x4780},
		{"f32 max", math.MaxFloat32, 0x7c00, 0x7f80}, // bf16 rounds up to Inf
		{"+Inf", float32(math.Inf(1)), 0x7c00, 0x7f80},
		{"-Inf", float32(math.Inf(-1)), 0xfc00, 0xff80},
		{"quiet NaN", f(0x7fc00000), 0x7e00, 0x7fc0},
		{"signalling NaN", f(0x7f800001), 0x7e00, 0x7fc0},
		{"NaN with payload", f(0x7fa5a5a5), 0x7e00, 0x7fe5},
		{"negative NaN", f(0xffc00001), 0xfe00, 0xffc0},
		{"smallest f16 normal", f(0x38800000), 0x0400, 0x3880},
		{"smallest f16 subnormal 2^-24", f(0x33800000), 0x0001, 0x3380},
		{"2^-25 tie → 0", f(0x33000000), 0x0000, 0x3300},
		{"just above 2^-25 → 1 ulp", f(0x33000001), 0x0001, 0x3300},
		{"3·2^-25 tie → even (2)", f(0x33c00000), 0x0002, 0x33c0},
		{"largest f16 subnormal", f(0x387fc000), 0x03ff, 0x3880},
		{"rounds up into normals", f(0x387ff000), 0x0400, 0x3880},
		{"f32 subnormal", f(0x00000001), 0x0000, 0x0000},
		{"-f32 subnormal max", f(0x807fffff), 0x8000, 0x8080},
		{"tie to even down (1+2^-11)", f(0x3f801000), 0x3c00, 0x3f80},
		{"tie to even up (1+3·2^-11)", f(0x3f803000), 0x3c02, 0x3f80},
		{"bf16 tie down", f(0x3f808000), 0x3c04, 0x3f80},
		{"bf16 tie up", f(0x3f818000), 0x3c0c, 0x3f82},
	}
	for _, c := range cases {
		if got := F32ToF16(c.in); got != c.f16 {
			t.Errorf("%s: F32ToF16(%#08x) = %#04x, want %#04x", c.name, math.Float32bits(c.in), got, c.f16)
		}
		if got := F32ToBF16(c.in); got != c.b16 {
			t.Errorf("%s: F32ToBF16(%#08x) = %#04x, want %#04x", c.name, math.Float32bits(c.in), got, c.b16)
		}
	}
	// f16 → f32 of the special patterns.
	for _, c := range []struct {
		h    uint16
		want uint32
	}{{0x7c00, 0x7f800000}, {0xfc00, 0xff800000}, {0x7e00, 0x7fc00000}, {0x7c01, 0x7fc02000}, {0x0001, 0x33800000}, {0x8000, 0x80000000}, {0x7bff, 0x477fe000}} {
		if got := math.Float32bits(F16ToF32(c.h)); got != c.want {
			t.Errorf("F16ToF32(%#04x) = %#08x, want %#08x", c.h, got, c.want)
		}
	}
}

// TestFirstNonFinite finds NaN and ±Inf but not large finite values.
func TestFirstNonFinite(t *testing.T) {
	for _, c := range []struct {
		in   []float32
		want int
	}{
		{nil, -1},
		{[]float32{1, math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32}, -1},
		{[]float32{1, float32(math.NaN()), float32(math.Inf(1))}, 1},
		{[]float32{0, 0, float32(math.Inf(-1))}, 2},
	} {
		if got := FirstNonFinite(c.in); got != c.want {
			t.Errorf("FirstNonFinite(%v) = %d, want %d", c.in, got, c.want)
		}
	}
}
