package kernels

import "math"

// quantizeQ8_1Fast is QuantizeQ8_1, bit for bit, built on QuantizeQ8_0
// (whose AVX2 twin does the rounding): Q8_1's d and codes are exactly
// Q8_0's, and its s is fp16(Σq·d) with d = amax/127 in float32, which is
// recomputed here. It is ActQ8_1's quantizer.
func quantizeQ8_1Fast(dst []byte, src []float32) {
	const chunk = 8
	var tmp [chunk * blockQ8_0]byte
	nb := len(src) / qk32
	for b0 := 0; b0 < nb; b0 += chunk {
		c := min(chunk, nb-b0)
		QuantizeQ8_0(tmp[:c*blockQ8_0], src[b0*qk32:(b0+c)*qk32])
		for i := 0; i < c; i++ {
			x := src[(b0+i)*qk32 : (b0+i+1)*qk32]
			y := dst[(b0+i)*blockQ8_1 : (b0+i+1)*blockQ8_1]
			t := tmp[i*blockQ8_0 : (i+1)*blockQ8_0]
			var m uint32 // max |x| bits: orders like the magnitudes
			for _, v := range x {
				m = max(m, math.Float32bits(v)&0x7fffffff)
			}
			if m >= 0x7f800000 { // NaN or ±Inf: the reference's own arithmetic
				QuantizeQ8_1(y, x)
				continue
			}
			amax := math.Float32frombits(m)
			var sum int32
			for _, q := range t[2:34] {
				sum += int32(int8(q))
			}
			y[0], y[1] = t[0], t[1]
			copy(y[4:36], t[2:34])
			putFP16(y[2:], float32(sum)*(amax/127))
		}
	}
}

// actF16 is ActF16's quantizer: F32ToF16Row, with F16C doing groups of
// eight values without a NaN (identical results: both round to nearest
// even; NaNs go through F32ToF16, which writes 0x7e00|sign).
func actF16(dst []byte, src []float32) { actHalf(dst, src, false, F32ToF16Row) }

// actBF16 is ActBF16's quantizer: F32ToBF16Row with an AVX2 twin for
// groups of eight values without a NaN.
func actBF16(dst []byte, src []float32) { actHalf(dst, src, true, F32ToBF16Row) }

// actHalf converts src with the SIMD twin (bf16 with bf set) up to each
// group of eight holding a NaN, which (like the tail) goes through ref.
func actHalf(dst []byte, src []float32, bf bool, ref func([]byte, []float32)) {
	dst = dst[:2*len(src)]
	for len(src) > 0 {
		n := actHalfBulk(dst, src, bf)
		if n == len(src) {
			return
		}
		k := min(len(src), n+8) // the group with the NaN, or the tail
		ref(dst[2*n:2*k], src[n:k])
		dst, src = dst[2*k:], src[k:]
	}
}
