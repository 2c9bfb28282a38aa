package kernels

import "math"

// groupMaxEps is ggml's GROUP_MAX_EPS: a group whose largest magnitude is
// below it counts as all zero.
const groupMaxEps = float32(1e-15)

// nearestIntC is ggml's nearest_int: add 1.5·2^23 in float32 and read the low
// mantissa bits. For |f| < 2^22 it rounds half to even; beyond that (and for
// NaN/Inf) it returns the same garbage the C code does instead of panicking.
// The explicit float32(f) keeps an inlined caller's product f from being
// fused with the addition.
func nearestIntC(f float32) int32 {
	return int32(math.Float32bits(float32(f)+12582912)&0x7fffff) - 0x400000
}

// truncC is C's float→int conversion as x86-64 performs it (cvttss2si):
// truncation toward zero, and 0x80000000 for NaN or out-of-range values.
// Callers narrowing to 8 bits keep its low byte, as the C code does.
func truncC(f float32) int32 {
	if !(f > -2147483904 && f < 2147483648) { // also catches NaN
		return math.MinInt32
	}
	return int32(f)
}

// roundC is C's roundf (halves away from zero) converted to an integer as
// x86-64 does (0x80000000 for NaN or out-of-range).
func roundC(f float32) int32 {
	return truncC(float32(math.Round(float64(f))))
}

// sqrtC is sqrtf: the float64 square root of a float32 rounds to the same
// float32 as a correctly rounded float32 square root.
func sqrtC(f float32) float32 { return float32(math.Sqrt(float64(f))) }

// absC is fabsf.
func absC(f float32) float32 { return math.Float32frombits(math.Float32bits(f) &^ (1 << 31)) }

// clampI32 limits v to [lo, hi].
func clampI32(v, lo, hi int32) int32 { return max(lo, min(hi, v)) }
