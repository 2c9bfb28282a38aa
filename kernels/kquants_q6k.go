package kernels

// Q6_K block layout: ql[128] @0, qh[64] @128, scales[16] int8 @192,
// d fp16 @208.

// QuantizeQ6_K quantizes src into Q6_K blocks (210 bytes per 256 values),
// byte-identical to ggml: quantize_row_q6_K_ref when weights is nil,
// quantize_row_q6_K_impl (raw importance values as the search weights)
// otherwise. Preconditions (checked, panics on violation): len(src) is a
// multiple of 256, len(dst) == len(src)/256*210 and weights is nil or
// len(weights) == len(src).
func QuantizeQ6_K(dst []byte, src, weights []float32) {
	nb := kqCheck("QuantizeQ6_K", len(src), len(dst), kqBytesQ6K, len(weights), weights != nil)
	for i := 0; i < nb; i++ {
		var qw []float32
		if weights != nil {
			qw = weights[i*kqBlock : (i+1)*kqBlock]
		}
		quantizeBlockQ6K(dst[i*kqBytesQ6K:(i+1)*kqBytesQ6K], src[i*kqBlock:(i+1)*kqBlock], qw)
	}
}

// quantizeBlockQ6K quantizes one super-block; qw nil selects the reference
// weights x².
func quantizeBlockQ6K(y []byte, x, qw []float32) {
	var (
		L      [kqBlock]uint8
		scales [16]float32
	)
	var maxScale, maxAbsScale float32
	if qxSearch8HasAsm {
		q6kSubBlocks8(x, qw, &L, &scales)
	} else {
		for ib := 0; ib < 16; ib++ {
			var w []float32
			if qw != nil {
				w = qw[16*ib : 16*ib+16]
			}
			scales[ib] = makeQxQuants(16, 32, x[16*ib:16*ib+16], L[16*ib:16*ib+16], w)
		}
	}
	for _, scale := range scales {
		if a := absC(scale); a > maxAbsScale {
			maxAbsScale = a
			maxScale = scale
		}
	}
	y = y[:kqBytesQ6K]
	if maxAbsScale < groupMaxEps {
		clear(y)
		putFP16(y[208:], 0)
		return
	}
	iscale := -128 / maxScale
	putFP16(y[208:], 1/iscale)
	sc := y[192:208]
	for ib := range sc {
		sc[ib] = uint8(int8(min(127, nearestIntC(float32(iscale*scales[ib])))))
	}
	d := fp16At(y[208:])
	for j := 0; j < 16; j++ {
		dq := d * float32(int8(sc[j]))
		if dq == 0 {
			continue
		}
		for ii := 0; ii < 16; ii++ {
			l := nearestIntC(x[16*j+ii] / dq)
			L[16*j+ii] = uint8(clampI32(l, -32, 31) + 32)
		}
	}
	for n := 0; n < 2; n++ {
		ql := y[64*n : 64*n+64]
		qh := y[128+32*n : 128+32*n+32]
		Ln := L[128*n : 128*n+128]
		for l := 0; l < 32; l++ {
			q1, q2, q3, q4 := uint8(Ln[l]), uint8(Ln[l+32]), uint8(Ln[l+64]), uint8(Ln[l+96])
			ql[l] = q1&0xF | (q3&0xF)<<4
			ql[l+32] = q2&0xF | (q4&0xF)<<4
			qh[l] = q1>>4 | (q2>>4)<<2 | (q3>>4)<<4 | (q4>>4)<<6
		}
	}
}

// DequantizeQ6_K expands Q6_K blocks into float32 exactly as ggml's
// dequantize_row_q6_K. Preconditions (checked, panics on violation):
// len(dst) a multiple of 256, len(src) == len(dst)/256*210.
func DequantizeQ6_K(dst []float32, src []byte) {
	nb := kqCheck("DequantizeQ6_K", len(dst), len(src), kqBytesQ6K, 0, false)
	for i := 0; i < nb; i++ {
		y := dst[i*kqBlock : (i+1)*kqBlock]
		b := src[i*kqBytesQ6K : (i+1)*kqBytesQ6K]
		d := fp16At(b[208:])
		for n := 0; n < 2; n++ {
			ql := b[64*n : 64*n+64]
			qh := b[128+32*n : 128+32*n+32]
			sc := b[192+8*n : 192+8*n+8]
			out := y[128*n : 128*n+128]
			for l := 0; l < 32; l++ {
				is := l / 16
				q1 := int8(ql[l]&0xF|(qh[l]&3)<<4) - 32
				q2 := int8(ql[l+32]&0xF|((qh[l]>>2)&3)<<4) - 32
				q3 := int8(ql[l]>>4|((qh[l]>>4)&3)<<4) - 32
				q4 := int8(ql[l+32]>>4|((qh[l]>>6)&3)<<4) - 32
				out[l] = d * float32(int8(sc[is])) * float32(q1)
				out[l+32] = d * float32(int8(sc[is+2])) * float32(q2)
				out[l+64] = d * float32(int8(sc[is+4])) * float32(q3)
				out[l+96] = d * float32(int8(sc[is+6])) * float32(q4)
			}
		}
	}
}
