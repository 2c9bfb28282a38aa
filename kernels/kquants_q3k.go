package kernels

// Q3_K block layout: hmask[32] @0, qs[64] @32, scales[12] @96, d fp16 @108.

// QuantizeQ3_K quantizes src into Q3_K blocks (110 bytes per 256 values),
// byte-identical to ggml: quantize_row_q3_K_ref when weights is nil,
// quantize_row_q3_K_impl with per-element importance weights otherwise.
// Preconditions (checked, panics on violation): len(src) is a multiple of
// 256, len(dst) == len(src)/256*110 and weights is nil or len(weights) ==
// len(src).
func QuantizeQ3_K(dst []byte, src, weights []float32) {
	nb := kqCheck("QuantizeQ3_K", len(src), len(dst), kqBytesQ3K, len(weights), weights != nil)
	for i := 0; i < nb; i++ {
		x := src[i*kqBlock : (i+1)*kqBlock]
		y := dst[i*kqBytesQ3K : (i+1)*kqBytesQ3K]
		if weights == nil {
			quantizeBlockQ3K(y, x)
		} else {
			quantizeBlockQ3KImpl(y, x, weights[i*kqBlock:(i+1)*kqBlock])
		}
	}
}

// quantizeBlockQ3K is the reference Q3_K quantizer for one super-block.
func quantizeBlockQ3K(y []byte, x []float32) {
	var (
		L      [kqBlock]uint8
		scales [16]float32
		codes  [16]int
	)
	var maxScale, amax float32
	for j := 0; j < 16; j++ {
		scales[j] = makeQ3Quants(16, 4, x[16*j:16*j+16], L[16*j:16*j+16])
		if a := absC(scales[j]); a > amax {
			amax = a
			maxScale = scales[j]
		}
	}
	sc := y[96:108]
	if maxScale != 0 {
		iscale := -32 / maxScale
		for j := 0; j < 16; j++ {
			l := int(int8(nearestIntC(float32(iscale * scales[j]))))
			codes[j] = int(clampI32(int32(l), -32, 31)) + 32
		}
		q3kPackScales(sc, &codes)
		putFP16(y[108:], 1/iscale)
	} else {
		clear(sc)
		putFP16(y[108:], 0)
	}
	q3kFinish(y, x, &L)
}

// quantizeBlockQ3KImpl is quantize_row_q3_K_impl for one super-block with
// importance weights qw.
func quantizeBlockQ3KImpl(y []byte, x, qw []float32) {
	var (
		L      [kqBlock]uint8
		scales [16]float32
		weight [16]float32
		sw     [16]float32
		ls     [16]uint8
		codes  [16]int
	)
	sigma2 := float32(2 * kqSumSq(x) / kqBlock)
	for j := 0; j < 16; j++ {
		xs := x[16*j : 16*j+16]
		for l, v := range xs {
			weight[l] = qw[16*j+l] * sqrtC(sigma2+float32(v*v))
		}
		var sumw float32
		for _, w := range weight {
			sumw += w
		}
		sw[j] = sumw
		scales[j] = makeQxQuants(16, 4, xs, L[16*j:16*j+16], weight[:])
	}
	dBlock := makeQxQuants(16, 32, scales[:], ls[:], sw[:])
	for j := range codes {
		codes[j] = int(ls[j])
	}
	q3kPackScales(y[96:108], &codes)
	putFP16(y[108:], dBlock)
	q3kFinish(y, x, &L)
}

// q3kPackScales packs sixteen 6-bit codes (0…63) into the 12-byte field.
func q3kPackScales(sc []byte, codes *[16]int) {
	sc = sc[:12]
	clear(sc)
	for j, l := range codes {
		if j < 8 {
			sc[j] = uint8(l & 0xF)
		} else {
			sc[j-8] |= uint8((l & 0xF) << 4)
		}
		sc[j%4+8] |= uint8((l >> 4) << (2 * (j / 4)))
	}
}

// q3kScale returns the signed scale (code − 32) of sub-block j.
func q3kScale(sc []byte, j int) int8 {
	var c uint8
	if j < 8 {
		c = sc[j] & 0xF
	} else {
		c = sc[j-8] >> 4
	}
	c |= ((sc[8+j%4] >> (2 * (j / 4))) & 3) << 4
	return int8(c) - 32
}

// q3kFinish requantizes with the stored fp16 d and scale codes, then writes
// hmask and the 2-bit codes. L holds the search's codes (0…7, or 0 for an
// all-zero sub-block) and is consumed.
func q3kFinish(y []byte, x []float32, L *[kqBlock]uint8) {
	d := fp16At(y[108:])
	sc := y[96:108]
	for j := 0; j < 16; j++ {
		dq := d * float32(q3kScale(sc, j))
		if dq == 0 {
			continue
		}
		for ii := 0; ii < 16; ii++ {
			l := nearestIntC(x[16*j+ii] / dq)
			L[16*j+ii] = uint8(clampI32(l, -4, 3) + 4)
		}
	}
	hmask := y[0:32]
	clear(hmask)
	var U [kqBlock]uint8
	for e, l := range L {
		if l > 3 {
			hmask[e%32] |= 1 << (e / 32)
			l -= 4
		}
		U[e] = uint8(l)
	}
	kqPack2Bit(y[32:96], &U)
}

// DequantizeQ3_K expands Q3_K blocks into float32 exactly as ggml's
// dequantize_row_q3_K. Preconditions (checked, panics on violation):
// len(dst) a multiple of 256, len(src) == len(dst)/256*110.
func DequantizeQ3_K(dst []float32, src []byte) {
	nb := kqCheck("DequantizeQ3_K", len(dst), len(src), kqBytesQ3K, 0, false)
	for i := 0; i < nb; i++ {
		dequantizeBlockQ3K(dst[i*kqBlock:(i+1)*kqBlock], src[i*kqBytesQ3K:(i+1)*kqBytesQ3K])
	}
}

// dequantizeBlockQ3K decodes one Q3_K super-block into 256 floats.
func dequantizeBlockQ3K(y []float32, b []byte) {
	y = y[:kqBlock]
	dAll := fp16At(b[108:])
	hmask := b[0:32]
	sc := b[96:108]
	for s := 0; s < 16; s++ {
		dl := dAll * float32(q3kScale(sc, s))
		h, k, m0 := s/8, (s%8)/2, (s%2)*16
		qs := b[32+32*h+m0 : 32+32*h+m0+16]
		hm := hmask[m0 : m0+16]
		shift := 2 * uint(k)
		bit := uint8(1) << uint(s/2)
		out := y[16*s : 16*s+16]
		for l, qb := range qs {
			v := int((qb >> shift) & 3)
			if hm[l]&bit == 0 {
				v -= 4
			}
			out[l] = dl * float32(v)
		}
	}
}
