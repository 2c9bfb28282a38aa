package kernels

import "encoding/binary"

// Block geometry of the 3-bit lattice types (256 values per block).
const (
	blockIQ3XXS = 98  // fp16 d, 64 grid indices, 8 × u32 (4 × 7 sign bits, 4-bit scale)
	blockIQ3S   = 110 // fp16 d, 64 grid indices, 8 bytes index bit 9, 32 bytes signs, 4 bytes scales
	iq3MaxQ     = 8   // levels per coordinate (ggml's kMaxQ)
	iq3EpsXXS   = float32(1e-8)
)

// iq3Sub is the state of one 32-value sub-block search; L persists from
// one sub-block to the next, as the C array does (see iq3Search).
type iq3Sub struct {
	weight, waux, xval [qk32]float32
	L, Laux            [qk32]int8
	signs              [4]uint8
}

// load fills weight, waux and xval (|x|) for sub-block xb; qw is its
// importance vector or nil, sigma2 the super-block's σ². The sign bits of
// each group of 8 go to signs; with parity set (IQ3_XXS) a group with an
// odd number of negative values flips the sign of its least important
// value instead, leaving a negative xval there and seven stored bits.
func (s *iq3Sub) load(xb, qw []float32, sigma2 float32, parity bool) {
	xb = xb[:qk32]
	if qw != nil {
		qw = qw[:qk32]
		for i, v := range xb {
			s.weight[i] = qw[i] * sqrtC(sigma2+float32(v*v))
		}
	} else {
		for i, v := range xb {
			s.weight[i] = float32(v * v)
		}
	}
	for i, w := range s.weight {
		s.waux[i] = sqrtC(w)
	}
	for k := 0; k < 4; k++ {
		var sg uint8
		nflip := 0
		for i := 0; i < 8; i++ {
			v := xb[8*k+i]
			if v >= 0 {
				s.xval[8*k+i] = v
			} else {
				s.xval[8*k+i] = -v
				sg |= 1 << i
				nflip++
			}
		}
		if parity && nflip%2 == 1 {
			imin := 0
			mn := float32(float32(s.weight[8*k]*xb[8*k]) * xb[8*k])
			for i := 1; i < 8; i++ {
				if ax := float32(float32(s.weight[8*k+i]*xb[8*k+i]) * xb[8*k+i]); ax < mn {
					mn, imin = ax, i
				}
			}
			s.xval[8*k+imin] = -s.xval[8*k+imin]
			sg ^= 1 << imin
		}
		if parity {
			sg &= 127
		}
		s.signs[k] = sg
	}
}

// max is the largest xval (ggml's MAX chain).
func (s *iq3Sub) max() float32 {
	m := s.xval[0]
	for _, v := range s.xval[1:] {
		if !(m > v) {
			m = v
		}
	}
	return m
}

// levels rounds the four values of group k at inverse scale id to levels
// in [0, 7] (into L) and returns their cube point.
func (s *iq3Sub) levels(k int, id float32, L []int8) uint16 {
	var u uint16
	for i := 0; i < 4; i++ {
		l := nearestIntC(float32(0.5 * float32(float32(id*s.xval[4*k+i])-1)))
		l = clampI32(l, 0, iq3MaxQ-1)
		L[i] = int8(l)
		u |= uint16(l) << (3 * i)
	}
	return u
}

// bestNeighbour is iq3_find_best_neighbour: the neighbour minimising the
// waux-weighted squared error of group k at the given scale (the first of
// equals); its levels go to L.
func (s *iq3Sub) bestNeighbour(t *iq3Table, nb []uint16, k int, scale float32, L []int8) int {
	x, w := (*[4]float32)(s.xval[4*k:]), (*[4]float32)(s.waux[4*k:])
	best := float32(3.4028234663852886e+38) // FLT_MAX
	gi := -1
	for _, j := range nb {
		p := &t.values[j]
		// Unrolled in C's order; the conversions keep each product rounded
		// (no fused multiply-add).
		d := float32(scale*p[0]) - x[0]
		d2 := float32(float32(w[0]*d) * d)
		d = float32(scale*p[1]) - x[1]
		d2 += float32(float32(w[1]*d) * d)
		d = float32(scale*p[2]) - x[2]
		d2 += float32(float32(w[2]*d) * d)
		d = float32(scale*p[3]) - x[3]
		d2 += float32(float32(w[3]*d) * d)
		if d2 < best {
			best, gi = d2, int(j)
		}
	}
	for i, v := range t.points[gi] {
		L[i] = (v - 1) / 2
	}
	return gi
}

// sums is Σw·x·q and Σw·q² over the sub-block for levels L (q = 2l+1).
func (s *iq3Sub) sums(L *[qk32]int8) (sumqx, sumq2 float32) {
	for i, w := range s.weight {
		q := float32(2*int32(L[i]) + 1)
		sumqx += float32(float32(w*s.xval[i]) * q)
		sumq2 += float32(float32(w*q) * q)
	}
	return sumqx, sumq2
}

// search is the scale search of quantize_row_iq3_xxs_impl (xxs) and
// quantize_row_iq3_s_impl over 2·nstep+1 candidate scales around max/15,
// followed by the re-rounding of the groups the best candidate had to move
// onto the grid (IQ3_XXS: only those; IQ3_S: every group). It leaves the
// levels in s.L and returns the scale. As in C, when no candidate improves
// on nothing (all weights zero) s.L keeps the previous sub-block's levels.
func (s *iq3Sub) search(t *iq3Table, max float32, nstep int, xxs bool) float32 {
	var onGrid, onGridAux [8]bool
	for k := range onGrid {
		onGrid[k] = xxs
	}
	best := float32(0)
	scale := max / (2*iq3MaxQ - 1)
	for is := -nstep; is <= nstep; is++ {
		id := float32(2*iq3MaxQ-1+float32(float32(is)*0.2)) / max
		thisScale := 1 / id
		for k := 0; k < 8; k++ {
			u := s.levels(k, id, s.Laux[4*k:4*k+4])
			onGridAux[k] = true
			if m := t.kmap[u]; m < 0 {
				onGridAux[k] = false
				s.bestNeighbour(t, t.neighbours(m), k, thisScale, s.Laux[4*k:4*k+4])
			}
		}
		sumqx, sumq2 := s.sums(&s.Laux)
		if sumq2 > 0 && float32(sumqx*sumqx) > float32(best*sumq2) {
			scale = sumqx / sumq2
			best = scale * sumqx
			s.L = s.Laux
			onGrid = onGridAux
		}
	}
	off := false
	for _, g := range onGrid {
		off = off || !g
	}
	if !off || !(scale > 0) {
		return scale
	}
	id := 1 / scale
	for k := 0; k < 8; k++ {
		if xxs && onGrid[k] {
			continue
		}
		var tmp [4]int8
		u := s.levels(k, id, tmp[:])
		gi := t.kmap[u]
		if gi < 0 {
			gi = int32(s.bestNeighbour(t, t.neighbours(gi), k, scale, s.L[4*k:4*k+4]))
		}
		for i, v := range t.points[gi] {
			s.L[4*k+i] = (v - 1) / 2
		}
	}
	if sumqx, sumq2 := s.sums(&s.L); sumq2 > 0 {
		scale = sumqx / sumq2
	}
	return scale
}

// gridIndex is the grid index of group k of s.L (always on the grid).
func (s *iq3Sub) gridIndex(t *iq3Table, k int) int32 {
	var u uint16
	for i := 0; i < 4; i++ {
		u |= uint16(s.L[4*k+i]) << (3 * i)
	}
	return t.kmap[u]
}

// superSigma2 is mul·Σx²/256 of one super-block, in ggml's order (the
// lattice quantizers' σ², mul 1 or 2).
func superSigma2(x []float32, mul float32) float32 {
	var s float32
	for _, v := range x[:qkK] {
		s += float32(v * v)
	}
	return mul * s / qkK
}

// QuantizeIQ3_XXS quantizes src (a multiple of 256 values) into IQ3_XXS
// blocks (98 bytes per 256) as ggml's quantize_iq3_xxs. weights is nil or
// the importance vector of the row src.
func QuantizeIQ3_XXS(dst []byte, src, weights []float32) {
	nb := kqCheck("QuantizeIQ3_XXS", len(src), len(dst), blockIQ3XXS, len(weights), weights != nil)
	t := iq3TableXXS()
	var s iq3Sub
	var scales [8]float32
	for ibl := 0; ibl < nb; ibl++ {
		y := dst[ibl*blockIQ3XXS : (ibl+1)*blockIQ3XXS]
		clear(y)
		xbl := src[ibl*qkK : (ibl+1)*qkK]
		sigma2 := superSigma2(xbl, 2)
		maxScale := float32(0)
		for ib := 0; ib < 8; ib++ {
			var qw []float32
			if weights != nil {
				qw = weights[ibl*qkK+32*ib:]
			}
			s.load(xbl[32*ib:], qw, sigma2, true)
			max := s.max()
			if max < iq3EpsXXS {
				scales[ib] = 0
				s.L = [qk32]int8{}
				continue
			}
			scale := s.search(t, max, 15, true)
			if scale < 0 { // never, as in ggml; kept for the same bytes
				scale = -scale
				for k := range s.signs {
					s.signs[k] = ^s.signs[k] & 127
				}
			}
			for k := 0; k < 8; k++ {
				y[2+8*ib+k] = uint8(s.gridIndex(t, k))
			}
			ss := uint32(s.signs[0]) | uint32(s.signs[1])<<7 | uint32(s.signs[2])<<14 | uint32(s.signs[3])<<21
			binary.LittleEndian.PutUint32(y[66+4*ib:], ss)
			scales[ib] = scale
			maxScale = max32(maxScale, scale)
		}
		if maxScale == 0 {
			clear(y)
			continue
		}
		d := maxScale / 31
		putFP16(y, float32(d*1.0125))
		id := 1 / d
		for ib := 0; ib < 8; ib++ {
			l := clampI32(nearestIntC(float32(0.5*float32(float32(id*scales[ib])-1))), 0, 15)
			o := y[66+4*ib:]
			binary.LittleEndian.PutUint32(o, binary.LittleEndian.Uint32(o)|uint32(l)<<28)
		}
	}
}

// QuantizeIQ3_S quantizes src (a multiple of 256 values) into IQ3_S blocks
// (110 bytes per 256) as ggml's quantize_iq3_s. weights is nil or the
// importance vector of the row src. As in ggml, an all-zero sub-block
// writes no grid indices or signs and the following sub-blocks' move down
// into its place (their high index bits stay at their own positions).
func QuantizeIQ3_S(dst []byte, src, weights []float32) {
	nb := kqCheck("QuantizeIQ3_S", len(src), len(dst), blockIQ3S, len(weights), weights != nil)
	t := iq3TableS()
	var s iq3Sub
	var scales [8]float32
	for ibl := 0; ibl < nb; ibl++ {
		y := dst[ibl*blockIQ3S : (ibl+1)*blockIQ3S]
		clear(y)
		qs, qh, signs := y[2:66], y[66:74], y[74:106]
		xbl := src[ibl*qkK : (ibl+1)*qkK]
		sigma2 := superSigma2(xbl, 2)
		maxScale := float32(0)
		for ib := 0; ib < 8; ib++ {
			var qw []float32
			if weights != nil {
				qw = weights[ibl*qkK+32*ib:]
			}
			s.load(xbl[32*ib:], qw, sigma2, false)
			max := s.max()
			if max == 0 {
				scales[ib] = 0
				continue
			}
			scale := s.search(t, max, 9, false)
			if scale < 0 {
				scale = -scale
				for k := range s.signs {
					s.signs[k] = ^s.signs[k]
				}
			}
			for k := 0; k < 8; k++ {
				gi := s.gridIndex(t, k)
				qs[k] = uint8(gi)
				qh[ib] |= uint8(gi>>8) << k
			}
			qs = qs[8:]
			copy(signs, s.signs[:])
			signs = signs[4:]
			scales[ib] = scale
			maxScale = max32(maxScale, scale)
		}
		if maxScale == 0 {
			continue
		}
		d := maxScale / 31
		putFP16(y, float32(d*1.033))
		id := 1 / d
		for ib := 0; ib < 8; ib += 2 {
			l1 := clampI32(nearestIntC(float32(0.5*float32(float32(id*scales[ib])-1))), 0, 15)
			l2 := clampI32(nearestIntC(float32(0.5*float32(float32(id*scales[ib+1])-1))), 0, 15)
			y[106+ib/2] = uint8(l1 | l2<<4)
		}
	}
}

// max32 is ggml's MAX(a, b) for float32.
func max32(a, b float32) float32 {
	if a > b {
		return a
	}
	return b
}

// DequantizeIQ3_XXS decodes IQ3_XXS blocks as ggml's dequantize_row_iq3_xxs.
func DequantizeIQ3_XXS(dst []float32, src []byte) {
	for i := 0; i < len(src)/blockIQ3XXS; i++ {
		b := src[i*blockIQ3XXS : (i+1)*blockIQ3XXS]
		d := fp16At(b)
		y := dst[i*qkK : (i+1)*qkK]
		for ib := 0; ib < 8; ib++ {
			aux := binary.LittleEndian.Uint32(b[66+4*ib:])
			db := float32(d*(0.5+float32(aux>>28))) * 0.5
			for l := 0; l < 4; l++ {
				sg := iq3SignsXXS[aux>>(7*l)&127]
				g := uint64(iq3DecXXS[b[2+8*ib+2*l]]) | uint64(iq3DecXXS[b[3+8*ib+2*l]])<<32
				iq3Put8(y[32*ib+8*l:], db, g, sg)
			}
		}
	}
}

// DequantizeIQ3_S decodes IQ3_S blocks as ggml's dequantize_row_iq3_s.
func DequantizeIQ3_S(dst []float32, src []byte) {
	for i := 0; i < len(src)/blockIQ3S; i++ {
		b := src[i*blockIQ3S : (i+1)*blockIQ3S]
		d := fp16At(b)
		y := dst[i*qkK : (i+1)*qkK]
		for ib := 0; ib < 8; ib++ {
			db := d * float32(1+2*int32(b[106+ib/2]>>(4*(ib%2))&0xf))
			qh := uint16(b[66+ib])
			for l := 0; l < 4; l++ {
				i0 := uint16(b[2+8*ib+2*l]) | (qh<<(8-2*l))&256
				i1 := uint16(b[3+8*ib+2*l]) | (qh<<(7-2*l))&256
				g := uint64(iq3DecS[i0]) | uint64(iq3DecS[i1])<<32
				iq3Put8(y[32*ib+8*l:], db, g, b[74+4*ib+l])
			}
		}
	}
}

// iq3Put8 writes the eight values db·g_j, negated where sign bit j is set.
func iq3Put8(y []float32, db float32, g uint64, sg uint8) {
	y = y[:8]
	for j := range y {
		v := db * float32(uint8(g>>(8*j)))
		if sg>>j&1 != 0 {
			v = -v
		}
		y[j] = v
	}
}
