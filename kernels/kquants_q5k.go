package kernels

// Q5_K block layout: d fp16 @0, dmin fp16 @2, scales[12] @4, qh[32] @16,
// qs[128] @48.

// QuantizeQ5_K quantizes src into Q5_K blocks (176 bytes per 256 values),
// byte-identical to ggml: quantize_row_q5_K_ref when weights is nil,
// quantize_row_q5_K_impl with per-element importance weights otherwise.
// Preconditions (checked, panics on violation): len(src) is a multiple of
// 256, len(dst) == len(src)/256*176 and weights is nil or len(weights) ==
// len(src).
func QuantizeQ5_K(dst []byte, src, weights []float32) {
	nb := kqCheck("QuantizeQ5_K", len(src), len(dst), kqBytesQ5K, len(weights), weights != nil)
	for i := 0; i < nb; i++ {
		x := src[i*kqBlock : (i+1)*kqBlock]
		y := dst[i*kqBytesQ5K : (i+1)*kqBytesQ5K]
		var L [kqBlock]uint8
		if weights == nil {
			q45kSearchRef(y, x, &L, q5kParams)
		} else {
			q45kSearchImpl(y, x, weights[i*kqBlock:(i+1)*kqBlock], &L, 31, true)
		}
		q45kRequantize(y, x, &L, 31)
		qh := y[16:48]
		clear(qh)
		for c := 0; c < 4; c++ {
			ql := y[48+32*c : 48+32*c+32]
			m1, m2 := uint8(1)<<(2*c), uint8(2)<<(2*c)
			for j := 0; j < 32; j++ {
				l1, l2 := L[64*c+j], L[64*c+32+j]
				if l1 > 15 {
					l1 -= 16
					qh[j] |= m1
				}
				if l2 > 15 {
					l2 -= 16
					qh[j] |= m2
				}
				ql[j] = l1 | l2<<4
			}
		}
	}
}

// DequantizeQ5_K expands Q5_K blocks into float32 exactly as ggml's
// dequantize_row_q5_K. Preconditions (checked, panics on violation):
// len(dst) a multiple of 256, len(src) == len(dst)/256*176.
func DequantizeQ5_K(dst []float32, src []byte) {
	nb := kqCheck("DequantizeQ5_K", len(dst), len(src), kqBytesQ5K, 0, false)
	for i := 0; i < nb; i++ {
		y := dst[i*kqBlock : (i+1)*kqBlock]
		b := src[i*kqBytesQ5K : (i+1)*kqBytesQ5K]
		d := fp16At(b[0:])
		dmin := fp16At(b[2:])
		qh := b[16:48]
		for c := 0; c < 4; c++ {
			ql := b[48+32*c : 48+32*c+32]
			s1, m1 := kqGetScaleMinK4(2*c, b[4:16])
			s2, m2 := kqGetScaleMinK4(2*c+1, b[4:16])
			d1, dm1 := d*float32(s1), float32(dmin*float32(m1))
			d2, dm2 := d*float32(s2), float32(dmin*float32(m2))
			u1, u2 := uint8(1)<<(2*c), uint8(2)<<(2*c)
			lo := y[64*c : 64*c+32]
			hi := y[64*c+32 : 64*c+64]
			for l, q := range ql {
				v1, v2 := q&0xF, q>>4
				if qh[l]&u1 != 0 {
					v1 += 16
				}
				if qh[l]&u2 != 0 {
					v2 += 16
				}
				lo[l] = float32(d1*float32(v1)) - dm1
				hi[l] = float32(d2*float32(v2)) - dm2
			}
		}
	}
}
