package kernels

// QuantizeQ4_K quantizes src into Q4_K blocks (144 bytes per 256 values),
// byte-identical to ggml: quantize_row_q4_K_ref when weights is nil,
// quantize_row_q4_K_impl with per-element importance weights otherwise.
// Preconditions (checked, panics on violation): len(src) is a multiple of
// 256, len(dst) == len(src)/256*144 and weights is nil or len(weights) ==
// len(src).
func QuantizeQ4_K(dst []byte, src, weights []float32) {
	nb := kqCheck("QuantizeQ4_K", len(src), len(dst), kqBytesQ4K, len(weights), weights != nil)
	for i := 0; i < nb; i++ {
		x := src[i*kqBlock : (i+1)*kqBlock]
		y := dst[i*kqBytesQ4K : (i+1)*kqBytesQ4K]
		var L [kqBlock]uint8
		if weights == nil {
			q45kSearchRef(y, x, &L, q4kParams)
		} else {
			q45kSearchImpl(y, x, weights[i*kqBlock:(i+1)*kqBlock], &L, 15, false)
		}
		q45kRequantize(y, x, &L, 15)
		qs := y[16:144]
		for c := 0; c < 4; c++ {
			for l := 0; l < 32; l++ {
				qs[32*c+l] = L[64*c+l] | L[64*c+32+l]<<4
			}
		}
	}
}

// DequantizeQ4_K expands Q4_K blocks into float32 exactly as ggml's
// dequantize_row_q4_K. Preconditions (checked, panics on violation):
// len(dst) a multiple of 256, len(src) == len(dst)/256*144.
func DequantizeQ4_K(dst []float32, src []byte) {
	nb := kqCheck("DequantizeQ4_K", len(dst), len(src), kqBytesQ4K, 0, false)
	for i := 0; i < nb; i++ {
		y := dst[i*kqBlock : (i+1)*kqBlock]
		b := src[i*kqBytesQ4K : (i+1)*kqBytesQ4K]
		d := fp16At(b[0:])
		dmin := fp16At(b[2:])
		for c := 0; c < 4; c++ {
			qs := b[16+32*c : 16+32*c+32]
			s1, m1 := kqGetScaleMinK4(2*c, b[4:16])
			s2, m2 := kqGetScaleMinK4(2*c+1, b[4:16])
			d1, dm1 := d*float32(s1), float32(dmin*float32(m1))
			d2, dm2 := d*float32(s2), float32(dmin*float32(m2))
			lo := y[64*c : 64*c+32]
			hi := y[64*c+32 : 64*c+64]
			for l, q := range qs {
				lo[l] = float32(d1*float32(q&0xF)) - dm1
				hi[l] = float32(d2*float32(q>>4)) - dm2
			}
		}
	}
}
