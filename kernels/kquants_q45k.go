package kernels

// Shared machinery of Q4_K and Q5_K: eight sub-blocks of 32 with 6-bit
// scale/min codes packed in 12 bytes at offset 4 after fp16 d (@0) and
// dmin (@2).

// q45kParams are the reference-search constants of one of the two types.
type q45kParams struct {
	nmax   int
	rmin   float32
	rdelta float32
	nstep  int
}

var (
	q4kParams = q45kParams{nmax: 15, rmin: -1, rdelta: 0.1, nstep: 20}
	q5kParams = q45kParams{nmax: 31, rmin: -0.5, rdelta: 0.1, nstep: 15}
)

// q45kSearchRef is the scale/min search of quantize_row_q4_K_ref and
// quantize_row_q5_K_ref: it fills codes L and writes d, dmin and scales.
func q45kSearchRef(y []byte, x []float32, L *[kqBlock]uint8, p q45kParams) {
	var mins, scales [8]float32
	q45kSubBlocksRef(x, L, p, &scales, &mins)
	var maxScale, maxMin float32
	for j := 0; j < 8; j++ {
		if scales[j] > maxScale {
			maxScale = scales[j]
		}
		if mins[j] > maxMin {
			maxMin = mins[j]
		}
	}
	var invScale, invMin float32
	if maxScale > 0 {
		invScale = 63 / maxScale
	}
	if maxMin > 0 {
		invMin = 63 / maxMin
	}
	sc := y[4:16]
	for j := 0; j < 8; j++ {
		ls := min(63, uint8(nearestIntC(float32(invScale*scales[j]))))
		lm := min(63, uint8(nearestIntC(float32(invMin*mins[j]))))
		kqPutScaleMinK4(j, sc, ls, lm)
	}
	putFP16(y[0:], maxScale/63)
	putFP16(y[2:], maxMin/63)
}

// q45kSearchImpl is the scale/min search of quantize_row_q4_K_impl and
// quantize_row_q5_K_impl with importance weights qw; clamp63 selects the
// Q5_K packing.
func q45kSearchImpl(y []byte, x, qw []float32, L *[kqBlock]uint8, nmax int, clamp63 bool) {
	var (
		ls, lm           [8]uint8
		sw, mins, scales [8]float32
	)
	q45kSubBlocksImpl(x, qw, nmax, L, &scales, &mins, &sw)
	dBlock := makeQpQuants(8, 63, scales[:], ls[:], sw[:])
	mBlock := makeQpQuants(8, 63, mins[:], lm[:], sw[:])
	sc := y[4:16]
	for j := 0; j < 8; j++ {
		// Q4_K packs the codes as they are, Q5_K clamps them to 63 first
		// (they differ only if a code wrapped around from a negative int).
		l1, l2 := ls[j], lm[j]
		if clamp63 {
			l1, l2 = min(63, l1), min(63, l2)
		}
		kqPutScaleMinK4(j, sc, l1, l2)
	}
	putFP16(y[0:], dBlock)
	putFP16(y[2:], mBlock)
}

// q45kRequantize recomputes the codes from the stored fp16 d/dmin and the
// 6-bit sub-block codes; sub-blocks whose scale decodes to 0 keep L.
func q45kRequantize(y []byte, x []float32, L *[kqBlock]uint8, nmax int) {
	d := fp16At(y[0:])
	dmin := fp16At(y[2:])
	sc := y[4:16]
	for j := 0; j < 8; j++ {
		s, m := kqGetScaleMinK4(j, sc)
		dq := d * float32(s)
		if dq == 0 {
			continue
		}
		mq := float32(dmin * float32(m))
		for ii := 0; ii < 32; ii++ {
			l := nearestIntC((x[32*j+ii] + mq) / dq)
			L[32*j+ii] = uint8(clampI32(l, 0, int32(nmax)))
		}
	}
}
