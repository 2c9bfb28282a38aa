package kernels

import "math"

// Block geometry of the ternary formats.
const (
	blockTQ1 = 54 // qs[48], qh[4], fp16 d
	blockTQ2 = 66 // qs[64], fp16 d
)

// tqPow3 are the powers of three used to shift a trit to the top of a byte.
var tqPow3 = [5]uint8{1, 3, 9, 27, 81}

// ternaryScale returns amax of a 256-block and its inverse (0 for zero).
func ternaryScale(x []float32) (d, id float32) {
	for _, v := range x {
		d = max(d, absC(v))
	}
	if d != 0 {
		id = 1 / d
	}
	return d, id
}

// trit is lroundf(x·id)+1 in {0, 1, 2}. A non-finite product (only possible
// when 1/amax overflows) gives 1, as the C code does on x86-64.
func trit(x, id float32) uint8 {
	p := x * id
	if p != p || p > 2 || p < -2 { // NaN or beyond any ternary value
		return 1
	}
	return uint8(int32(math.Round(float64(p))) + 1)
}

// packTrits stores base-3 digits (first = most significant, len ≤ 5, padded
// with zero trits to five) as ⌈256·v/243⌉.
func packTrits(t ...uint8) uint8 {
	var v uint16
	for i := 0; i < 5; i++ {
		v *= 3
		if i < len(t) {
			v += uint16(t[i])
		}
	}
	return uint8((v*256 + 242) / 243)
}

// QuantizeTQ1_0 quantizes src (a multiple of 256 values) into TQ1_0 blocks
// (54 bytes per 256) with ggml's quantize_row_tq1_0_ref. ggml ignores an
// importance matrix for this type.
func QuantizeTQ1_0(dst []byte, src []float32) {
	for ib := 0; ib < len(src)/qkK; ib++ {
		x := src[ib*qkK : ib*qkK+qkK]
		y := dst[ib*blockTQ1 : ib*blockTQ1+blockTQ1]
		d, id := ternaryScale(x)
		putFP16(y[52:], d)
		for m := 0; m < 32; m++ {
			y[m] = packTrits(trit(x[m], id), trit(x[m+32], id), trit(x[m+64], id),
				trit(x[m+96], id), trit(x[m+128], id))
		}
		for m := 0; m < 16; m++ {
			r := x[160+m:]
			y[32+m] = packTrits(trit(r[0], id), trit(r[16], id), trit(r[32], id),
				trit(r[48], id), trit(r[64], id))
		}
		for j := 0; j < 4; j++ {
			r := x[240+j:]
			y[48+j] = packTrits(trit(r[0], id), trit(r[4], id), trit(r[8], id), trit(r[12], id))
		}
	}
}

// QuantizeTQ2_0 quantizes src (a multiple of 256 values) into TQ2_0 blocks
// (66 bytes per 256) with ggml's quantize_row_tq2_0_ref (importance matrix
// ignored, as in ggml).
func QuantizeTQ2_0(dst []byte, src []float32) {
	for ib := 0; ib < len(src)/qkK; ib++ {
		x := src[ib*qkK : ib*qkK+qkK]
		y := dst[ib*blockTQ2 : ib*blockTQ2+blockTQ2]
		d, id := ternaryScale(x)
		putFP16(y[64:], d)
		for h := 0; h < 2; h++ {
			for m := 0; m < 32; m++ {
				var q uint8
				for n := 0; n < 4; n++ {
					q |= trit(x[128*h+32*n+m], id) << (2 * n)
				}
				y[32*h+m] = q
			}
		}
	}
}

// tritAt decodes trit n (0 = most significant) of a packed TQ1_0 byte.
func tritAt(b uint8, n int) float32 {
	p := b * tqPow3[n]
	return float32(int32((uint16(p)*3)>>8) - 1)
}

// DequantizeTQ1_0 decodes TQ1_0 blocks (len(dst) == 256·len(src)/54).
func DequantizeTQ1_0(dst []float32, src []byte) {
	for ib := 0; ib < len(dst)/qkK; ib++ {
		b := src[ib*blockTQ1 : ib*blockTQ1+blockTQ1]
		y := dst[ib*qkK : ib*qkK+qkK]
		d := fp16At(b[52:])
		for n := 0; n < 5; n++ {
			for m := 0; m < 32; m++ {
				y[32*n+m] = tritAt(b[m], n) * d
			}
		}
		for n := 0; n < 5; n++ {
			for m := 0; m < 16; m++ {
				y[160+16*n+m] = tritAt(b[32+m], n) * d
			}
		}
		for n := 0; n < 4; n++ {
			for j := 0; j < 4; j++ {
				y[240+4*n+j] = tritAt(b[48+j], n) * d
			}
		}
	}
}

// DequantizeTQ2_0 decodes TQ2_0 blocks (len(dst) == 256·len(src)/66); a
// never-written field value 3 decodes to 2d, as in ggml.
func DequantizeTQ2_0(dst []float32, src []byte) {
	for ib := 0; ib < len(dst)/qkK; ib++ {
		b := src[ib*blockTQ2 : ib*blockTQ2+blockTQ2]
		y := dst[ib*qkK : ib*qkK+qkK]
		d := fp16At(b[64:])
		for h := 0; h < 2; h++ {
			for n := 0; n < 4; n++ {
				for m := 0; m < 32; m++ {
					y[128*h+32*n+m] = float32(int32(b[32*h+m]>>(2*n)&3)-1) * d
				}
			}
		}
	}
}
