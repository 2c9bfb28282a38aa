package kernels

import (
	"encoding/binary"
	"math"
)

// F32ToF16 converts f to IEEE binary16 bits the way ggml's
// GGML_FP32_TO_FP16 does: round to nearest even, subnormals produced
// correctly, overflow to ±Inf, signed zero kept, and every NaN becoming the
// quiet NaN 0x7E00 with the sign kept (payload dropped). This equals
// github.com/x448/float16's Fromfloat32 except for NaN payloads, which x448
// keeps.
func F32ToF16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	a := b & 0x7fffffff
	switch {
	case a > 0x7f800000: // NaN
		return sign | 0x7e00
	case a >= 0x477ff000: // ≥ 65520 (including Inf) rounds to Inf
		return sign | 0x7c00
	case a >= 0x38800000: // ≥ 2^-14: a normal half
		v := a - 0x38000000 // rebias the exponent from 127 to 15
		return sign | uint16((v+0xfff+((v>>13)&1))>>13)
	default: // half subnormal (or zero): round |f|·2^24 to an integer, ties to even
		s := float32(math.Float32frombits(a) * (1 << 24))
		return sign | uint16(nearestIntC(s))
	}
}

// F16ToF32 converts IEEE binary16 bits to float32 exactly. A NaN keeps its
// sign and payload and comes out quiet, as ggml's conversion does on x86-64
// (its final float multiply quiets a signalling NaN).
func F16ToF32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch exp {
	case 0x1f:
		if mant == 0 {
			return math.Float32frombits(sign | 0x7f800000)
		}
		return math.Float32frombits(sign | 0x7fc00000 | mant<<13)
	case 0:
		v := float32(mant) * (1.0 / (1 << 24)) // exact
		return math.Float32frombits(sign | math.Float32bits(v))
	default:
		return math.Float32frombits(sign | (exp+112)<<23 | mant<<13)
	}
}

// F32ToBF16 converts f to bfloat16 bits as ggml's ggml_compute_fp32_to_bf16:
// round to nearest even (subnormals kept, overflow to ±Inf); a NaN keeps its
// top 16 bits with the quiet bit forced on.
func F32ToBF16(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff > 0x7f800000 {
		return uint16(b>>16) | 0x40
	}
	return uint16((b + 0x7fff + ((b >> 16) & 1)) >> 16)
}

// BF16ToF32 widens bfloat16 bits to float32 (exact; NaNs pass unchanged).
func BF16ToF32(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// F32ToF16Row writes len(src) little-endian fp16 values to dst
// (len(dst) == 2·len(src)).
func F32ToF16Row(dst []byte, src []float32) {
	dst = dst[:2*len(src)]
	for i, f := range src {
		binary.LittleEndian.PutUint16(dst[2*i:], F32ToF16(f))
	}
}

// F16ToF32Row decodes little-endian fp16 values (len(src) == 2·len(dst)),
// with a SIMD twin where the CPU has one.
func F16ToF32Row(dst []float32, src []byte) {
	src = src[:2*len(dst)]
	n := f16ToF32Bulk(dst, src)
	f16ToF32RowGo(dst[n:], src[2*n:])
}

// f16ToF32RowGo is F16ToF32Row without the SIMD twin.
func f16ToF32RowGo(dst []float32, src []byte) {
	src = src[:2*len(dst)]
	for i := range dst {
		dst[i] = F16ToF32(binary.LittleEndian.Uint16(src[2*i:]))
	}
}

// F32ToBF16Row writes len(src) little-endian bf16 values to dst
// (len(dst) == 2·len(src)).
func F32ToBF16Row(dst []byte, src []float32) {
	dst = dst[:2*len(src)]
	for i, f := range src {
		binary.LittleEndian.PutUint16(dst[2*i:], F32ToBF16(f))
	}
}

// BF16ToF32Row decodes little-endian bf16 values (len(src) == 2·len(dst)),
// with a SIMD twin where the CPU has one.
func BF16ToF32Row(dst []float32, src []byte) {
	src = src[:2*len(dst)]
	n := bf16ToF32Bulk(dst, src)
	bf16ToF32RowGo(dst[n:], src[2*n:])
}

// bf16ToF32RowGo is BF16ToF32Row without the SIMD twin.
func bf16ToF32RowGo(dst []float32, src []byte) {
	src = src[:2*len(dst)]
	for i := range dst {
		dst[i] = BF16ToF32(binary.LittleEndian.Uint16(src[2*i:]))
	}
}

// F32ToBytesRow stores src as little-endian float32 (len(dst) == 4·len(src)).
func F32ToBytesRow(dst []byte, src []float32) {
	dst = dst[:4*len(src)]
	for i, f := range src {
		binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(f))
	}
}

// BytesToF32Row loads little-endian float32 values (len(src) == 4·len(dst)).
func BytesToF32Row(dst []float32, src []byte) {
	src = src[:4*len(dst)]
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
	}
}

// FirstNonFinite returns the index of the first NaN or ±Inf in src, or -1.
func FirstNonFinite(src []float32) int {
	n := finiteBulk(src)
	for i, f := range src[n:] {
		if math.Float32bits(f)&0x7f800000 == 0x7f800000 {
			return n + i
		}
	}
	return -1
}

// fp16At reads the little-endian fp16 at b[0:2] as float32.
func fp16At(b []byte) float32 { return F16ToF32(binary.LittleEndian.Uint16(b)) }

// putFP16 stores fp16(f) little-endian at b[0:2].
func putFP16(b []byte, f float32) { binary.LittleEndian.PutUint16(b, F32ToF16(f)) }
