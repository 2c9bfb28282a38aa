package kernels

// QuantizeQ2_K quantizes src into Q2_K blocks (84 bytes per 256 values),
// byte-identical to ggml. With weights nil it is quantize_row_q2_K_ref;
// otherwise it is quantize_row_q2_K_impl with weights[i] the importance of
// src[i] (the caller tiles a per-column importance vector over the rows).
// Preconditions (checked, panics on violation): len(src) is a multiple of
// 256, len(dst) == len(src)/256*84 and weights is nil or len(weights) ==
// len(src).
func QuantizeQ2_K(dst []byte, src, weights []float32) {
	nb := kqCheck("QuantizeQ2_K", len(src), len(dst), kqBytesQ2K, len(weights), weights != nil)
	for i := 0; i < nb; i++ {
		x := src[i*kqBlock : (i+1)*kqBlock]
		y := dst[i*kqBytesQ2K : (i+1)*kqBytesQ2K]
		if weights == nil {
			quantizeBlockQ2K(y, x)
		} else {
			quantizeBlockQ2KImpl(y, x, weights[i*kqBlock:(i+1)*kqBlock])
		}
	}
}

// quantizeBlockQ2K is the reference Q2_K quantizer for one super-block.
func quantizeBlockQ2K(y []byte, x []float32) {
	var (
		L      [kqBlock]uint8
		mins   [16]float32
		scales [16]float32
	)
	var maxScale, maxMin float32
	q2kSubBlocksRef(x, &L, &scales, &mins)
	for j := 0; j < 16; j++ {
		if scales[j] > maxScale {
			maxScale = scales[j]
		}
		if mins[j] > maxMin {
			maxMin = mins[j]
		}
	}
	sc := y[0:16]
	const q4scale = float32(15)
	if maxScale > 0 {
		iscale := q4scale / maxScale
		for j := range sc {
			sc[j] = uint8(nearestIntC(float32(iscale * scales[j])))
		}
		putFP16(y[80:], maxScale/q4scale)
	} else {
		clear(sc)
		putFP16(y[80:], 0)
	}
	if maxMin > 0 {
		iscale := q4scale / maxMin
		for j := range sc {
			sc[j] |= uint8(nearestIntC(float32(iscale*mins[j])) << 4)
		}
		putFP16(y[82:], maxMin/q4scale)
	} else {
		putFP16(y[82:], 0)
	}
	q2kRequantize(y, x, &L)
	kqPack2Bit(y[16:80], &L)
}

// quantizeBlockQ2KImpl is quantize_row_q2_K_impl for one super-block with
// importance weights qw.
func quantizeBlockQ2KImpl(y []byte, x, qw []float32) {
	var (
		L      [kqBlock]uint8
		mins   [16]float32
		scales [16]float32
		sw     [16]float32
		ls, lm [16]uint8
	)
	q2kSubBlocksImpl(x, qw, &L, &scales, &mins, &sw)
	dm := makeQpQuants(16, 15, scales[:], ls[:], sw[:])
	mm := makeQpQuants(16, 15, mins[:], lm[:], sw[:])
	putFP16(y[80:], dm)
	putFP16(y[82:], mm)
	for j := 0; j < 16; j++ {
		y[j] = ls[j] | lm[j]<<4
	}
	q2kRequantize(y, x, &L)
	kqPack2Bit(y[16:80], &L)
}

// q2kRequantize recomputes the 2-bit codes from the stored fp16 d/dmin and
// 4-bit sub-block codes; sub-blocks whose scale decodes to 0 keep L.
func q2kRequantize(y []byte, x []float32, L *[kqBlock]uint8) {
	d := fp16At(y[80:])
	dmin := fp16At(y[82:])
	for j := 0; j < 16; j++ {
		dq := d * float32(y[j]&0xF)
		if dq == 0 {
			continue
		}
		mq := float32(dmin * float32(y[j]>>4))
		for ii := 0; ii < 16; ii++ {
			l := nearestIntC((x[16*j+ii] + mq) / dq)
			L[16*j+ii] = uint8(clampI32(l, 0, 3))
		}
	}
}

// DequantizeQ2_K expands Q2_K blocks into float32 exactly as ggml's
// dequantize_row_q2_K. Preconditions (checked, panics on violation):
// len(src) == len(dst)/256*84, len(dst) a multiple of 256.
func DequantizeQ2_K(dst []float32, src []byte) {
	nb := kqCheck("DequantizeQ2_K", len(dst), len(src), kqBytesQ2K, 0, false)
	for i := 0; i < nb; i++ {
		dequantizeBlockQ2K(dst[i*kqBlock:(i+1)*kqBlock], src[i*kqBytesQ2K:(i+1)*kqBytesQ2K])
	}
}

// dequantizeBlockQ2K decodes one Q2_K super-block into 256 floats.
func dequantizeBlockQ2K(y []float32, b []byte) {
	y = y[:kqBlock]
	d := fp16At(b[80:])
	min := fp16At(b[82:])
	for s := 0; s < 16; s++ {
		sc := b[s]
		dl := d * float32(sc&0xF)
		ml := float32(min * float32(sc>>4))
		// sub-block s covers elements 16s…16s+15 = 128h + 32k + m
		h, k, m0 := s/8, (s%8)/2, (s%2)*16
		qs := b[16+32*h+m0 : 16+32*h+m0+16]
		shift := 2 * uint(k)
		out := y[16*s : 16*s+16]
		for l, qb := range qs {
			out[l] = float32(dl*float32((qb>>shift)&3)) - ml
		}
	}
}
