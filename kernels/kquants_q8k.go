package kernels

import (
	"encoding/binary"
	"math"
)

// Q8_K block layout: d float32 @0, qs[256] int8 @4, bsums[16] int16 @260.

// QuantizeQ8_K quantizes src into Q8_K activation blocks (292 bytes per
// 256 values) as ggml's quantize_row_q8_K_ref, including the per-16 bsums.
// An all-zero block gets d = 0, qs = 0 and (unlike ggml, which leaves them
// untouched) bsums = 0. Preconditions (checked, panics on violation):
// len(src) is a multiple of 256 and len(dst) == len(src)/256*292.
func QuantizeQ8_K(dst []byte, src []float32) {
	nb := kqCheck("QuantizeQ8_K", len(src), len(dst), kqBytesQ8K, 0, false)
	for i := 0; i < nb; i++ {
		x := src[i*kqBlock : (i+1)*kqBlock]
		y := dst[i*kqBytesQ8K : (i+1)*kqBytesQ8K]
		var max, amax float32
		for _, v := range x {
			if a := absC(v); a > amax {
				amax = a
				max = v
			}
		}
		if amax == 0 {
			clear(y)
			continue
		}
		iscale := -127 / max
		qs := y[4:260]
		for j, v := range x {
			qs[j] = uint8(int8(min(127, nearestIntC(float32(iscale*v)))))
		}
		for j := 0; j < 16; j++ {
			sum := 0
			for _, q := range qs[16*j : 16*j+16] {
				sum += int(int8(q))
			}
			binary.LittleEndian.PutUint16(y[260+2*j:], uint16(int16(sum)))
		}
		binary.LittleEndian.PutUint32(y[0:], math.Float32bits(1/iscale))
	}
}

// DequantizeQ8_K expands Q8_K blocks into float32 (d·q) exactly as ggml's
// dequantize_row_q8_K. Preconditions (checked, panics on violation):
// len(dst) a multiple of 256, len(src) == len(dst)/256*292.
func DequantizeQ8_K(dst []float32, src []byte) {
	nb := kqCheck("DequantizeQ8_K", len(dst), len(src), kqBytesQ8K, 0, false)
	for i := 0; i < nb; i++ {
		b := src[i*kqBytesQ8K : (i+1)*kqBytesQ8K]
		d := math.Float32frombits(binary.LittleEndian.Uint32(b[0:]))
		y := dst[i*kqBlock : (i+1)*kqBlock]
		for j, q := range b[4:260] {
			y[j] = d * float32(int8(q))
		}
	}
}
