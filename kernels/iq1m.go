package kernels

import "encoding/binary"

// iq1MMasks are the qh bits of IQ1_M's four shift choices: the delta sign
// of the first and second group of eight (0: +,+  1: +,−  2: −,+  3: −,−).
var iq1MMasks = [4]uint8{0x00, 0x80, 0x08, 0x88}

// iq1MXX is the level values of group k (0 or 1) under shift choice sh.
func iq1MXX(sh int8, k int) *[3]float32 {
	if k == 0 && sh < 2 || k == 1 && sh%2 == 0 {
		return &iq1XP
	}
	return &iq1XM
}

// searchM is quantize_row_iq1_m_impl's exhaustive split search over a
// sorted 16-value sub-block, each split tried with the four shift choices.
// It returns the best choice and scale, the levels' sign flip applied; ok
// is false when no candidate qualifies (ggml asserts).
//
// ggml sums every candidate from zero in sorted order: the values below
// i1 at level 0, then up to i2 at level 1, then the rest at level 2. The
// level-0 and level-1 partial sums are carried from one candidate to the
// next here, which performs the same float32 additions in the same order.
func (s *iq1Sub) searchM(xb []float32, max float32) (shift int8, scale float32, ok bool) {
	const n = 16
	// term[l][h] for sorted position j: x·w·xx[l] and w·xx[l]² with xx
	// the values with the delta added (h = 0) or subtracted (h = 1).
	var tx, tq [3][2][n]float32
	var half [n]int // 0: first group of eight, 1: second
	for j := 0; j < n; j++ {
		i := s.idx[j]
		half[j] = i / 8
		w := s.weight[i]
		for l := 0; l < 3; l++ {
			for h, xx := range [2]*[3]float32{&iq1XP, &iq1XM} {
				tx[l][h][j] = float32(float32(w*xx[l]) * xb[i])
				tq[l][h][j] = float32(float32(w*xx[l]) * xx[l])
			}
		}
	}
	// Shift choice k takes the plus values (h = 0) in group g when
	// sel[k][g] is 0.
	sel := [4][2]int{{0, 0}, {0, 1}, {1, 0}, {1, 1}}
	add := func(sx, sq *[4]float32, l, j int) {
		for k := range sx {
			h := sel[k][half[j]]
			sx[k] += tx[l][h][j]
			sq[k] += tq[l][h][j]
		}
	}
	best := float32(-3.4028234663852886e+38) // -FLT_MAX
	scale = max
	bi1, bi2 := -1, -1
	var ax, aq [4]float32 // level 0 below i1
	for i1 := 0; i1 <= n; i1++ {
		if i1 > 0 {
			add(&ax, &aq, 0, i1-1)
		}
		bx, bq := ax, aq // plus level 1 up to i2
		for i2 := i1; i2 <= n; i2++ {
			if i2 > i1 {
				add(&bx, &bq, 1, i2-1)
			}
			cx, cq := bx, bq
			for j := i2; j < n; j++ {
				add(&cx, &cq, 2, j)
			}
			for k := 0; k < 4; k++ {
				if cq[k] > 0 && float32(cx[k]*cx[k]) > float32(best*cq[k]) {
					scale = cx[k] / cq[k]
					best = scale * cx[k]
					bi1, bi2, shift = i1, i2, int8(k)
				}
			}
		}
	}
	if bi1 < 0 {
		return 0, 0, false
	}
	s.setLevels(n, bi1, bi2)
	if scale < 0 {
		for j := 0; j < n; j++ {
			s.L[j] = 2 - s.L[j]
		}
		scale, shift = -scale, 3-shift
	}
	return shift, scale, true
}

var iq1KindM = iq1Kind{name: "QuantizeIQ1_M", n: 16, blockBytes: blockIQ1M, eps: iq1EpsM,
	search: (*iq1Sub).searchM,
	levels: func(shift int8) iq1Levels { return iq1Levels{iq1MXX(shift, 0), iq1MXX(shift, 1)} },
	put: func(y []byte, ib int, index []uint16) {
		y[2*ib], y[2*ib+1] = uint8(index[0]), uint8(index[1])
		y[32+ib] = uint8(index[0]>>8 | index[1]>>8<<4)
	},
	finish: iq1MFinish}

// iq1MFinish stores an IQ1_M block's scales and delta signs, refitting
// the super-block scale to the chosen grid points as ggml does.
func iq1MFinish(t *lattice8, y []byte, xbl, wbl, scales []float32, shifts []int8, maxScale float32) {
	qs, qh, sc := y[:32], y[32:48], y[48:56]
	var scw [4]uint16
	d := maxScale / 15
	id := 1 / d
	var sumqx, sumq2 float32
	for ib := 0; ib < 16; ib++ {
		l := clampI32(nearestIntC(float32(0.5*float32(float32(id*scales[ib])-1))), 0, 7)
		scw[ib/4] |= uint16(l) << (3 * (ib % 4))
		qh[ib] |= iq1MMasks[shifts[ib]]
		xb := xbl[16*ib : 16*ib+16]
		ls := float32(2*l + 1)
		for k := 0; k < 2; k++ {
			xx := iq1MXX(shifts[ib], k)
			p := &t.points[int(qs[2*ib+k])|int(qh[ib])<<(8-4*k)&0x700]
			for j := 0; j < 8; j++ {
				w, q := wbl[16*ib+8*k+j], float32(xx[(p[j]-1)/2]*ls)
				sumqx += float32(float32(w*q) * xb[8*k+j])
				sumq2 += float32(float32(w*q) * q)
			}
		}
	}
	if sumq2 > 0 {
		d = sumqx / sumq2
	}
	h := F32ToF16(float32(d * 1.1125))
	for i := range scw {
		scw[i] |= h >> (4 * i) & 0xf << 12
		binary.LittleEndian.PutUint16(sc[2*i:], scw[i])
	}
}

// QuantizeIQ1_M quantizes src (one row, a multiple of 256 values) into
// IQ1_M blocks (56 bytes per 256) as ggml's quantize_iq1_m. weights is nil
// or the row's importance vector; a sub-block whose importance weights are
// all zero, where ggml aborts, is quantized with unit importance weights.
// before is as for QuantizeIQ1_S: ggml carries each sub-block's shift
// choice from one super-block to the next and uses the stale choice (for
// its delta signs and the final scale fit) in a sub-block too small to
// quantize; one never set counts as +,+. An error means a sub-block with
// values so large that no scale fits (ggml aborts there too).
func QuantizeIQ1_M(dst []byte, src, weights, before []float32) error {
	return iq1Quantize(&iq1KindM, dst, src, weights, before)
}

// iq1MScale is the fp16 super-block scale of an IQ1_M block, gathered
// from the top nibbles of its four scale words.
func iq1MScale(b []byte) (d float32, sc [4]uint16) {
	var h uint16
	for i := range sc {
		sc[i] = binary.LittleEndian.Uint16(b[48+2*i:])
		h |= sc[i] >> 12 << (4 * i)
	}
	return F16ToF32(h), sc
}

// DequantizeIQ1_M decodes IQ1_M blocks as ggml's dequantize_row_iq1_m.
func DequantizeIQ1_M(dst []float32, src []byte) {
	for i := 0; i < len(src)/blockIQ1M; i++ {
		b := src[i*blockIQ1M : (i+1)*blockIQ1M]
		d, sc := iq1MScale(b)
		y := dst[i*qkK : (i+1)*qkK]
		for ib := 0; ib < 8; ib++ {
			for h := 0; h < 2; h++ { // the two halves of 16, each with its scale
				dl := d * float32(2*(sc[ib/2]>>(6*(ib%2)+3*h)&7)+1)
				qh := b[32+2*ib+h]
				for k := 0; k < 2; k++ {
					g := iq1Dec[int(b[4*ib+2*h+k])|int(qh)<<(8-4*k)&0x700]
					delta := iq1Delta
					if qh&(0x08<<(4*k)) != 0 {
						delta = -iq1Delta
					}
					o := y[32*ib+16*h+8*k : 32*ib+16*h+8*k+8]
					for j := range o {
						o[j] = dl * (float32(iq1Value(g, j)) + delta)
					}
				}
			}
		}
	}
}
