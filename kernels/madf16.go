package kernels

import (
	"encoding/binary"
	"math"
)

// MadF16 adds a·x to y where x and y are rows of float16 values (2 bytes
// each, little-endian; len(y) ≤ len(x)): y[i] = fp16(fma(x[i], a, y[i]))
// in float32, each result rounded to the nearest float16. It is ggml's
// ggml_vec_mad_f16 on a CPU with F16C and FMA, the update of the F16
// accumulator of ggml's flash attention.
func MadF16(y, x []byte, a float32) {
	x = x[:len(y)]
	m := madF16Bulk(y, x, a)
	madF16Go(y[m:], x[m:], a)
}

// madF16Go is MadF16's pure-Go twin.
func madF16Go(y, x []byte, a float32) {
	for i := 0; i+1 < len(y); i += 2 {
		xv := F16ToF32(binary.LittleEndian.Uint16(x[i:]))
		yv := F16ToF32(binary.LittleEndian.Uint16(y[i:]))
		binary.LittleEndian.PutUint16(y[i:], F32ToF16(fma32(xv, a, yv)))
	}
}

// fma32 is x·a + y rounded once to float32, as VFMADD231PS computes it.
// The product is exact in float64; the float64 sum's rounding error is
// recovered (TwoSum) to settle a float32 tie the other way when needed.
func fma32(x, a, y float32) float32 {
	p := float64(x) * float64(a)
	yd := float64(y)
	s := p + yd
	bb := s - p
	e := (p - (s - bb)) + (yd - bb)
	r := float32(s)
	if e == 0 || float64(r) == s || math.IsInf(float64(r), 0) {
		return r
	}
	// s lies strictly between two float32 values; r is the nearer one
	// (or the even one of a tie). Only a tie can be decided wrongly.
	other := math.Nextafter32(r, float32(math.Copysign(math.Inf(1), s-float64(r))))
	if 2*s != float64(r)+float64(other) {
		return r
	}
	if (e > 0) == (float64(other) > float64(r)) {
		return other
	}
	return r
}
