package kernels

import "encoding/binary"

// Block geometry of the 2-bit lattice types (256 values per block).
const (
	blockIQ2XXS = 66 // fp16 d, 8 × (4 grid bytes, u32 of 4 × 7 sign bits and a 4-bit scale)
	blockIQ2XS  = 74 // fp16 d, 32 × u16 (9-bit grid index, 7 sign bits), 8 bytes of 4-bit scales
	blockIQ2S   = 82 // fp16 d, 32 index bytes, 32 sign bytes, 8 bytes index bits 8–9, 8 bytes scales
	iq2MaxQ     = 3  // levels per coordinate (ggml's kMaxQ)
	iq2EpsS     = float32(1e-8)
)

// iq2Sub is the state of one sub-block search (32 values for IQ2_XXS, 16
// for the others, in groups of eight); L persists from one sub-block to
// the next within a row, as the C array does (see search).
type iq2Sub struct {
	n                  int // values per sub-block
	weight, waux, xval [qk32]float32
	L, Laux            [qk32]int8
	onGrid, onGridAux  [4]bool
	signs              [4]uint8
}

// load fills weight, waux, xval and signs for the n values of xb. qw is
// the importance vector there or nil (IQ2_S only: weights σ²/4 + x²).
// With parity (IQ2_XXS, IQ2_XS) the signs are stored as seven bits per
// group of eight, as in IQ3_XXS (see latticeSigns).
func (s *iq2Sub) load(xb, qw []float32, sigma2 float32, parity bool) {
	n := s.n
	xb = xb[:n]
	if qw != nil {
		qw = qw[:n]
		for i, v := range xb {
			s.weight[i] = qw[i] * sqrtC(sigma2+float32(v*v))
		}
	} else {
		for i, v := range xb {
			s.weight[i] = float32(0.25*sigma2) + float32(v*v)
		}
	}
	for i, w := range s.weight[:n] {
		s.waux[i] = sqrtC(w)
	}
	latticeSigns(xb, s.weight[:n], s.xval[:n], s.signs[:n/8], parity)
}

// latticeSigns splits xb into magnitudes xval and one sign byte per group
// of eight. With parity (the types that store seven sign bits) a group
// with an odd number of negative values flips the sign of its least
// important value (least w·x²) instead, leaving a negative xval there, and
// keeps seven bits.
func latticeSigns(xb, weight, xval []float32, signs []uint8, parity bool) {
	for k := range signs {
		var sg uint8
		nflip := 0
		for i := 0; i < 8; i++ {
			v := xb[8*k+i]
			if v >= 0 {
				xval[8*k+i] = v
			} else {
				xval[8*k+i] = -v
				sg |= 1 << i
				nflip++
			}
		}
		if parity && nflip%2 == 1 {
			imin := 0
			mn := float32(float32(weight[8*k]*xb[8*k]) * xb[8*k])
			for i := 1; i < 8; i++ {
				if ax := float32(float32(weight[8*k+i]*xb[8*k+i]) * xb[8*k+i]); ax < mn {
					mn, imin = ax, i
				}
			}
			xval[8*k+imin] = -xval[8*k+imin]
			sg ^= 1 << imin
		}
		if parity {
			sg &= 127
		}
		signs[k] = sg
	}
}

// max is the largest xval (ggml's MAX chain).
func (s *iq2Sub) max() float32 {
	m := s.xval[0]
	for _, v := range s.xval[1:s.n] {
		if !(m > v) {
			m = v
		}
	}
	return m
}

// levels rounds the eight values of group k at inverse scale id to levels
// in [0, 2] (into L, when not nil) and returns their cube point.
func (s *iq2Sub) levels(k int, id float32, L []int8) uint16 {
	var u uint16
	for i := 0; i < 8; i++ {
		l := nearestIntC(float32(0.5 * float32(float32(id*s.xval[8*k+i])-1)))
		l = clampI32(l, 0, iq2MaxQ-1)
		if L != nil {
			L[i] = int8(l)
		}
		u |= uint16(l) << (2 * i)
	}
	return u
}

// bestNeighbour is iq2_find_best_neighbour: the neighbour minimising the
// waux-weighted squared error of group k at the given scale (the first of
// equals); its levels go to L.
func (s *iq2Sub) bestNeighbour(t *lattice8, nb []uint16, k int, scale float32, L []int8) int {
	x, w := (*[8]float32)(s.xval[8*k:]), (*[8]float32)(s.waux[8*k:])
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
		d = float32(scale*p[4]) - x[4]
		d2 += float32(float32(w[4]*d) * d)
		d = float32(scale*p[5]) - x[5]
		d2 += float32(float32(w[5]*d) * d)
		d = float32(scale*p[6]) - x[6]
		d2 += float32(float32(w[6]*d) * d)
		d = float32(scale*p[7]) - x[7]
		d2 += float32(float32(w[7]*d) * d)
		if d2 < best {
			best, gi = d2, int(j)
		}
	}
	s.setLevels(t, gi, L)
	return gi
}

// setLevels writes grid point gi's eight levels to L.
func (s *iq2Sub) setLevels(t *lattice8, gi int, L []int8) {
	for i, v := range t.points[gi] {
		L[i] = (v - 1) / 2
	}
}

// sums is Σw·x·q and Σw·q² over the sub-block for levels L (q = 2l+1).
func (s *iq2Sub) sums(L *[qk32]int8) (sumqx, sumq2 float32) {
	for i, w := range s.weight[:s.n] {
		q := float32(2*int32(L[i]) + 1)
		sumqx += float32(float32(w*s.xval[i]) * q)
		sumq2 += float32(float32(w*q) * q)
	}
	return sumqx, sumq2
}

// scan tries the 2·nstep+1 inverse scales (5 + 0.1·is)/max around the
// starting scale (IQ2_XXS: make_qp_quants' scale·3 for max), moving groups
// off the grid to their best neighbour, and keeps the best candidate's
// levels in s.L (on-grid flags in s.onGrid). As in C, when no candidate
// improves on nothing (all weights zero) s.L keeps what it held.
func (s *iq2Sub) scan(t *lattice8, max, scale float32, nstep int) float32 {
	best := float32(0)
	ng := s.n / 8
	for k := 0; k < ng; k++ {
		s.onGrid[k] = true
	}
	for is := -nstep; is <= nstep; is++ {
		id := float32(2*iq2MaxQ-1+float32(float32(is)*0.1)) / max
		thisScale := 1 / id
		for k := 0; k < ng; k++ {
			u := s.levels(k, id, s.Laux[8*k:8*k+8])
			s.onGridAux[k] = true
			if m := t.kmap[u]; m < 0 {
				s.onGridAux[k] = false
				s.bestNeighbour(t, t.neighbours(m), k, thisScale, s.Laux[8*k:8*k+8])
			}
		}
		sumqx, sumq2 := s.sums(&s.Laux)
		if sumq2 > 0 && float32(sumqx*sumqx) > float32(best*sumq2) {
			scale = sumqx / sumq2
			best = scale * sumqx
			s.L = s.Laux
			s.onGrid = s.onGridAux
		}
	}
	return scale
}

// refine re-rounds at the found scale the groups the best candidate had
// to move onto the grid (all groups with all set: IQ2_XXS) and returns
// the scale refitted to the result; a scale ≤ 0 is returned unchanged.
func (s *iq2Sub) refine(t *lattice8, scale float32, all bool) float32 {
	if !(scale > 0) {
		return scale
	}
	off := false
	for k := 0; k < s.n/8; k++ {
		off = off || !s.onGrid[k]
	}
	if !all && !off {
		return scale
	}
	id := 1 / scale
	for k := 0; k < s.n/8; k++ {
		if !all && s.onGrid[k] {
			continue
		}
		L := s.L[8*k : 8*k+8]
		var tmp [8]int8
		dst := L
		if all { // IQ2_XXS rounds aside, then stores the grid point
			dst = tmp[:]
		}
		u := s.levels(k, id, dst)
		if m := t.kmap[u]; m < 0 {
			s.bestNeighbour(t, t.neighbours(m), k, scale, L)
		} else if all {
			s.setLevels(t, int(m), L)
		}
	}
	if sumqx, sumq2 := s.sums(&s.L); sumq2 > 0 {
		scale = sumqx / sumq2
	}
	return scale
}

// gridIndices writes the grid index of each group of s.L to idx. ok is
// false when a group is not on the grid, which happens only when every
// weight of the sub-block is zero (ggml aborts there).
func (s *iq2Sub) gridIndices(t *lattice8, idx []int32) bool {
	for k := 0; k < s.n/8; k++ {
		var u uint16
		for i := 0; i < 8; i++ {
			u |= uint16(int32(s.L[8*k+i]) << (2 * i)) // C's int shift, truncated to u16
		}
		if int(u) >= len(t.kmap) || t.kmap[u] < 0 {
			return false
		}
		idx[k] = t.kmap[u]
	}
	return true
}

// iq2Scale4 is the 4-bit code of a sub-block scale at super-block inverse
// scale id.
func iq2Scale4(id, scale float32) uint8 {
	return uint8(clampI32(nearestIntC(float32(0.5*float32(float32(id*scale)-1))), 0, 15))
}

// iq2Kind is what differs between the three quantizers.
type iq2Kind struct {
	name       string
	n          int     // values per sub-block
	blockBytes int     // bytes per 256-value block
	sigmaMul   float32 // σ² is sigmaMul·Σx²/256
	parity     bool    // seven stored sign bits per group (IQ2_XXS, IQ2_XS)
	eps        float32 // a sub-block below this magnitude is zero
	resetL     bool    // a zero sub-block clears the kept levels (not IQ2_S)
	xxs        bool    // IQ2_XXS: make_qp_quants start, 13 scales, all groups re-rounded
	clearZero  bool    // a block whose scales are all zero is cleared (not IQ2_S)
	table      func() *lattice8
	// put stores sub-block ib's grid indices and signs in block y; finish
	// stores the super-block scale d and the sub-block scales.
	put    func(y []byte, ib int, idx []int32, signs []uint8)
	finish func(y []byte, d float32, scales []float32)
}

var (
	iq2KindXXS = iq2Kind{name: "QuantizeIQ2_XXS", n: 32, blockBytes: blockIQ2XXS, sigmaMul: 1, parity: true,
		eps: groupMaxEps, resetL: true, xxs: true, clearZero: true, table: iq2TableXXS,
		put: func(y []byte, ib int, idx []int32, signs []uint8) {
			var ss uint32
			for k := 0; k < 4; k++ {
				y[2+8*ib+k] = uint8(idx[k])
				ss |= uint32(signs[k]) << (7 * k)
			}
			binary.LittleEndian.PutUint32(y[6+8*ib:], ss)
		},
		finish: func(y []byte, d float32, scales []float32) {
			putFP16(y, d)
			id := 1 / d
			for ib, sc := range scales {
				y[9+8*ib] |= iq2Scale4(id, sc) << 4
			}
		}}
	iq2KindXS = iq2Kind{name: "QuantizeIQ2_XS", n: 16, blockBytes: blockIQ2XS, sigmaMul: 1, parity: true,
		eps: groupMaxEps, resetL: true, clearZero: true, table: iq2TableXS,
		put: func(y []byte, ib int, idx []int32, signs []uint8) {
			for k := 0; k < 2; k++ {
				binary.LittleEndian.PutUint16(y[2+4*ib+2*k:], uint16(idx[k])|uint16(signs[k])<<9)
			}
		},
		finish: func(y []byte, d float32, scales []float32) {
			putFP16(y, d)
			iq2PutScales(y[66:74], d, scales)
		}}
	iq2KindS = iq2Kind{name: "QuantizeIQ2_S", n: 16, blockBytes: blockIQ2S, sigmaMul: 2, eps: iq2EpsS, table: iq2TableS,
		put: func(y []byte, ib int, idx []int32, signs []uint8) {
			for k := 0; k < 2; k++ {
				i8 := 2*ib + k
				y[2+i8] = uint8(idx[k])
				y[66+i8/4] |= uint8(idx[k]>>8) << (2 * (i8 % 4))
				y[34+i8] = signs[k]
			}
		},
		finish: func(y []byte, d float32, scales []float32) {
			putFP16(y, float32(d*0.9875))
			iq2PutScales(y[74:82], d, scales)
		}}
)

// quantize runs one sub-block xb (importance qw or nil) through kind's
// search, leaving its groups' grid indices in idx and signs in s.signs,
// and returns its scale; ok is false for a zero sub-block (scale 0,
// nothing to store). Where the levels end off the grid because every
// importance weight is zero (ggml aborts; IQ2_XXS only) it searches again
// with unit importance weights.
func (s *iq2Sub) quantize(t *lattice8, k *iq2Kind, xb, qw []float32, sigma2 float32, idx []int32) (scale float32, ok bool) {
	s.load(xb, qw, sigma2, k.parity)
	max := s.max()
	if max < k.eps {
		if k.resetL {
			s.L = [qk32]int8{}
		}
		return 0, false
	}
	scale = s.search(t, k, max)
	if !s.gridIndices(t, idx) {
		if qw == nil || !allZero(qw[:s.n]) {
			return 0, false
		}
		s.load(xb, unitWeights[:], sigma2, k.parity)
		if scale = s.search(t, k, max); !s.gridIndices(t, idx) {
			return 0, false
		}
	}
	return scale, true
}

// search finds the levels (s.L) and scale of the loaded sub-block, the
// signs flipped for a negative scale.
func (s *iq2Sub) search(t *lattice8, k *iq2Kind, max float32) float32 {
	var scale float32
	if k.xxs {
		var lu [qk32]uint8
		scale = makeQpQuants(s.n, iq2MaxQ+1, s.xval[:], lu[:], s.weight[:])
		for i, l := range lu {
			s.L[i] = int8(l)
		}
		scale = s.scan(t, float32(scale*iq2MaxQ), scale, 6)
	} else {
		scale = s.scan(t, max, max/(2*iq2MaxQ-1), 9)
	}
	scale = s.refine(t, scale, k.xxs)
	if scale < 0 {
		scale = -scale
		mask := uint8(255)
		if k.parity {
			mask = 127
		}
		for g := range s.signs[:s.n/8] {
			s.signs[g] = ^s.signs[g] & mask
		}
	}
	return scale
}

// QuantizeIQ2_XXS quantizes src (a multiple of 256 values) into IQ2_XXS
// blocks (66 bytes per 256) as ggml's quantize_iq2_xxs. weights, the
// importance vector of the row, is required (ggml has no IQ2_XXS without
// one); a sub-block whose weights are all zero, where ggml aborts, is
// quantized with unit importance weights (as IQ1_S and IQ1_M do).
func QuantizeIQ2_XXS(dst []byte, src, weights []float32) {
	iq2Quantize(&iq2KindXXS, dst, src, weights, true)
}

// QuantizeIQ2_XS quantizes src (a multiple of 256 values) into IQ2_XS
// blocks (74 bytes per 256) as ggml's quantize_iq2_xs. weights, the
// importance vector of the row, is required (ggml has no IQ2_XS without
// one); a sub-block whose weights are all zero keeps the levels the search
// last held, as in ggml (zero at the start of a row, where C reads an
// uninitialized array).
func QuantizeIQ2_XS(dst []byte, src, weights []float32) {
	iq2Quantize(&iq2KindXS, dst, src, weights, true)
}

// QuantizeIQ2_S quantizes src (a multiple of 256 values) into IQ2_S blocks
// (82 bytes per 256) as ggml's quantize_iq2_s. weights is nil or the
// importance vector of the row src.
func QuantizeIQ2_S(dst []byte, src, weights []float32) {
	iq2Quantize(&iq2KindS, dst, src, weights, weights != nil)
}

// iq2Quantize is the super-block loop the three quantizers share; a
// required weights vector is checked like an optional one that is given.
func iq2Quantize(k *iq2Kind, dst []byte, src, weights []float32, haveWeights bool) {
	nb := kqCheck(k.name, len(src), len(dst), k.blockBytes, len(weights), haveWeights)
	t := k.table()
	s := iq2Sub{n: k.n}
	nsub := qkK / k.n
	var scaleBuf [16]float32
	scales := scaleBuf[:nsub]
	var idx [4]int32
	for ibl := 0; ibl < nb; ibl++ {
		y := dst[ibl*k.blockBytes : (ibl+1)*k.blockBytes]
		clear(y)
		xbl := src[ibl*qkK : (ibl+1)*qkK]
		sigma2 := superSigma2(xbl, k.sigmaMul)
		maxScale := float32(0)
		for ib := range scales {
			var qw []float32
			if weights != nil {
				qw = weights[ibl*qkK+k.n*ib:]
			}
			scale, ok := s.quantize(t, k, xbl[k.n*ib:], qw, sigma2, idx[:])
			scales[ib] = scale
			if !ok {
				continue
			}
			k.put(y, ib, idx[:], s.signs[:])
			maxScale = max32(maxScale, scale)
		}
		if maxScale == 0 {
			if k.clearZero {
				clear(y)
			}
			continue
		}
		k.finish(y, maxScale/31, scales)
	}
}

// iq2PutScales writes the 4-bit sub-block scales at super-block scale d,
// two to a byte, low nibble first.
func iq2PutScales(dst []byte, d float32, scales []float32) {
	id := 1 / d
	for ib, sc := range scales {
		dst[ib/2] |= iq2Scale4(id, sc) << (4 * (ib % 2))
	}
}
