package kernels

import (
	"encoding/binary"
	"fmt"
)

// Block geometry and constants of the 1-bit lattice types (256 values per
// block).
const (
	blockIQ1S    = 50             // fp16 d, 32 grid indices (low 8 bits), 8 × u16 (3 × 3 index bits, 3-bit scale, delta sign)
	blockIQ1M    = 56             // 32 grid indices, 16 bytes (2 × 3 index bits + delta sign), 4 × u16 scales (3-bit each, fp16 d in the top nibbles)
	iq1Delta     = float32(0.125) // IQ1S_DELTA, IQ1M_DELTA
	iq1EpsS      = float32(1e-12) // GROUP_MAX_EPS_IQ1_S
	iq1EpsM      = float32(1e-7)  // GROUP_MAX_EPS_IQ1_M
	iq1ShiftNone = 127            // a sub-block shift not yet set in this call
)

// iq1XP and iq1XM are the three values a level stands for with the delta
// added (x_p) or subtracted (x_m).
var (
	iq1XP = [3]float32{-1 + iq1Delta, iq1Delta, 1 + iq1Delta}
	iq1XM = [3]float32{-1 - iq1Delta, -iq1Delta, 1 - iq1Delta}
)

// iq1Sub is the scratch of one sub-block (32 values for IQ1_S, 16 for
// IQ1_M): its weights and its values' order.
type iq1Sub struct {
	weight [qk32]float32
	idx    [qk32]int
	L      [qk32]int8
}

// setWeights sets s.weight for sub-block xb: qw·√(σ²+x²), or x² without
// importance weights (IQ1_M only).
func (s *iq1Sub) setWeights(xb, qw []float32, sigma2 float32) {
	w := s.weight[:len(xb)]
	if qw != nil {
		qw = qw[:len(xb)]
		for i, v := range xb {
			w[i] = qw[i] * sqrtC(sigma2+float32(v*v))
		}
		return
	}
	for i, v := range xb {
		w[i] = float32(v * v)
	}
}

// sortIdx orders the indices of xb by value, equal values keeping their
// order (glibc's qsort, a merge sort, is stable).
func (s *iq1Sub) sortIdx(xb []float32) {
	idx := s.idx[:len(xb)]
	for i := range idx {
		j := i
		for ; j > 0 && xb[i] < xb[idx[j-1]]; j-- {
			idx[j] = idx[j-1]
		}
		idx[j] = i
	}
}

// absMax is the largest |x| of xb (ggml's MAX chain).
func absMax(xb []float32) float32 {
	m := absC(xb[0])
	for _, v := range xb[1:] {
		m = max32(m, absC(v))
	}
	return m
}

// setLevels assigns level 0 to the values below sorted position i1, 1 up
// to i2 and 2 above.
func (s *iq1Sub) setLevels(n, i1, i2 int) {
	for j := 0; j < n; j++ {
		l := int8(1)
		if j < i1 {
			l = 0
		} else if j >= i2 {
			l = 2
		}
		s.L[s.idx[j]] = l
	}
}

// searchS is quantize_row_iq1_s_impl's exhaustive split search over a
// sorted 32-value sub-block: it returns the split, shift (+1: x_p, −1:
// x_m) and scale of the best candidate, the levels' sign flip applied.
// ok is false when no candidate qualifies (all weights zero, or
// overflow), where ggml asserts.
func (s *iq1Sub) searchS(xb []float32, max float32) (shift int8, scale float32, ok bool) {
	var sumx, sumw [qk32 + 1]float32
	for j, i := range s.idx {
		sumx[j+1] = sumx[j] + float32(s.weight[i]*xb[i])
		sumw[j+1] = sumw[j] + s.weight[i]
	}
	best := float32(-3.4028234663852886e+38) // -FLT_MAX
	scale = max
	bi1, bi2 := -1, -1
	for i1 := 0; i1 <= qk32; i1++ {
		for i2 := i1; i2 <= qk32; i2++ {
			a, b, c := sumx[i1]-sumx[0], sumx[i2]-sumx[i1], sumx[qk32]-sumx[i2]
			wa, wb, wc := sumw[i1]-sumw[0], sumw[i2]-sumw[i1], sumw[qk32]-sumw[i2]
			for _, sh := range [2]int8{1, -1} {
				xx := &iq1XP
				if sh < 0 {
					xx = &iq1XM
				}
				sumqx := float32(float32(a*xx[0])+float32(b*xx[1])) + float32(c*xx[2])
				sumq2 := float32(float32(float32(wa*xx[0])*xx[0])+float32(float32(wb*xx[1])*xx[1])) + float32(float32(wc*xx[2])*xx[2])
				if sumq2 > 0 && float32(sumqx*sumqx) > float32(best*sumq2) {
					scale = sumqx / sumq2
					best = scale * sumqx
					bi1, bi2, shift = i1, i2, sh
				}
			}
		}
	}
	if bi1 < 0 {
		return 0, 0, false
	}
	s.setLevels(qk32, bi1, bi2)
	if scale < 0 {
		for j := range s.L {
			s.L[j] = 2 - s.L[j]
		}
		scale, shift = -scale, -shift
	}
	return shift, scale, true
}

// iq1Nearest is iq1_find_best_neighbour2: the neighbour of an off-grid
// group of eight (values xval, weights w) with the smallest weighted
// squared error at the given scale, level l standing for xg[l]; −1 when
// none compares below FLT_MAX (overflow), where ggml asserts.
func iq1Nearest(t *lattice8, nb []uint16, xval, w []float32, scale float32, xg *[3]float32) int {
	xval, w = xval[:8], w[:8]
	best := float32(3.4028234663852886e+38) // FLT_MAX
	gi := -1
	for _, j := range nb {
		p := &t.points[j]
		var d2 float32
		for i := range xval {
			diff := float32(scale*xg[(p[i]-1)/2]) - xval[i]
			d2 += float32(float32(w[i]*diff) * diff)
		}
		if d2 < best {
			best, gi = d2, int(j)
		}
	}
	return gi
}

// iq1Levels holds the level values of each group of eight of a sub-block.
type iq1Levels [4]*[3]float32

// toGrid maps the groups of eight of s.L (one per entry of index) to grid
// indices, moving an off-grid group to its best neighbour, group k's
// levels standing for xx[k]. It reports whether all groups were on the
// grid, and ok false where ggml asserts.
func (s *iq1Sub) toGrid(t *lattice8, xb []float32, scale float32, xx *iq1Levels, index []uint16) (onGrid, ok bool) {
	onGrid = true
	for k := range index {
		var u int
		for j := 0; j < 8; j++ {
			u |= int(s.L[8*k+j]) << (2 * j)
		}
		gi := int(t.kmap[u])
		if gi < 0 {
			onGrid = false
			gi = iq1Nearest(t, t.neighbours(int32(gi)), xb[8*k:], s.weight[8*k:], scale, xx[k])
			if gi < 0 {
				return false, false
			}
		}
		index[k] = uint16(gi)
	}
	return onGrid, true
}

// refit is the least-squares scale of the chosen grid points, used when a
// group had to move off its rounded levels; it keeps scale unless both
// sums are positive.
func (s *iq1Sub) refit(t *lattice8, xb []float32, index []uint16, xxs *iq1Levels, scale float32) float32 {
	var sumqx, sumq2 float32
	for k, gi := range index {
		xx, p := xxs[k], &t.points[gi]
		for j := 0; j < 8; j++ {
			w, q := s.weight[8*k+j], xx[(p[j]-1)/2]
			sumqx += float32(float32(w*q) * xb[8*k+j])
			sumq2 += float32(float32(w*q) * q)
		}
	}
	if sumqx > 0 && sumq2 > 0 {
		return sumqx / sumq2
	}
	return scale
}

// iq1Error is the error for a sub-block of size values at column at that
// no scale fits even with unit importance weights (values so large that
// the search overflows; ggml asserts).
func iq1Error(at int, size int) error {
	return fmt.Errorf("no scale fits the %d values at column %d (values too large); ggml aborts on such input", size, at)
}

// iq1Kind is what differs between IQ1_S and IQ1_M.
type iq1Kind struct {
	name       string
	n          int // values per sub-block (32 or 16)
	blockBytes int
	eps        float32 // a sub-block below this magnitude is not quantized
	// search is the split search over the sorted sub-block; levels gives
	// its groups' level values for a shift.
	search func(s *iq1Sub, xb []float32, max float32) (shift int8, scale float32, ok bool)
	levels func(shift int8) iq1Levels
	// put stores sub-block ib's grid indices in block y; finish stores the
	// scales and shifts (every one set) once the super-block xbl (search
	// weights wbl) is done.
	put    func(y []byte, ib int, index []uint16)
	finish func(t *lattice8, y []byte, xbl, wbl, scales []float32, shifts []int8, maxScale float32)
}

// start sets the weights of sub-block xb (importance qw or nil) and runs
// the split search. set is false for a sub-block too small to quantize.
// Where every importance weight of the sub-block is zero, so that ggml's
// search finds no scale and aborts, it searches with unit importance
// weights instead. ok is false when no scale fits even so.
func (s *iq1Sub) start(k *iq1Kind, xb, qw []float32, sigma2 float32) (shift int8, scale float32, set, ok bool) {
	s.setWeights(xb, qw, sigma2)
	max := absMax(xb)
	if max < k.eps {
		return 0, 0, false, true
	}
	s.sortIdx(xb)
	shift, scale, ok = k.search(s, xb, max)
	if !ok && qw != nil && allZero(qw[:len(xb)]) {
		s.setWeights(xb, unitWeights[:len(xb)], sigma2)
		shift, scale, ok = k.search(s, xb, max)
	}
	return shift, scale, true, ok
}

// unitWeights stands in for a sub-block's importance weights when they
// are all zero.
var unitWeights = func() (w [qk32]float32) {
	for i := range w {
		w[i] = 1
	}
	return w
}()

// allZero reports whether every value of w is zero.
func allZero(w []float32) bool {
	for _, v := range w {
		if v != 0 {
			return false
		}
	}
	return true
}

// shiftOf is the shift k's search gives sub-block ib of super-block xbl
// (qw: its 256 importances, or nil), and whether it is quantized at all.
func (k *iq1Kind) shiftOf(xbl, qw []float32, ib int) (shift int8, set bool, err error) {
	if qw != nil {
		qw = qw[k.n*ib:]
	}
	var s iq1Sub
	shift, _, set, ok := s.start(k, xbl[k.n*ib:k.n*ib+k.n], qw, superSigma2(xbl, 2))
	if !ok {
		return 0, false, iq1Error(k.n*ib, k.n)
	}
	return shift, set, nil
}

// iq1Quantize is the super-block loop IQ1_S and IQ1_M share (see
// QuantizeIQ1_S for before and the errors).
func iq1Quantize(k *iq1Kind, dst []byte, src, weights, before []float32) error {
	nb := kqCheck(k.name, len(src), len(dst), k.blockBytes, len(weights), weights != nil)
	t := iq1Table()
	var s iq1Sub
	nsub := qkK / k.n
	var scaleBuf [16]float32
	var shiftBuf [16]int8
	scales, shifts := scaleBuf[:nsub], shiftBuf[:nsub]
	for i := range shifts {
		shifts[i] = iq1ShiftNone
	}
	var wbl [qkK]float32 // the super-block's search weights
	var index [4]uint16
	idx := index[:k.n/8]
	for ibl := 0; ibl < nb; ibl++ {
		y := dst[ibl*k.blockBytes : (ibl+1)*k.blockBytes]
		clear(y)
		xbl := src[ibl*qkK : (ibl+1)*qkK]
		sigma2 := superSigma2(xbl, 2)
		maxScale := float32(0)
		for ib := range scales {
			at := ibl*qkK + k.n*ib
			xb := xbl[k.n*ib : k.n*ib+k.n]
			var qw []float32
			if weights != nil {
				qw = weights[at:]
			}
			shift, scale, set, ok := s.start(k, xb, qw, sigma2)
			copy(wbl[k.n*ib:], s.weight[:k.n])
			if !ok {
				return iq1Error(at, k.n)
			}
			if !set {
				scales[ib] = 0
				continue
			}
			xxs := k.levels(shift)
			onGrid, ok := s.toGrid(t, xb, scale, &xxs, idx)
			if !ok {
				return iq1Error(at, k.n)
			}
			if !onGrid {
				scale = s.refit(t, xb, idx, &xxs, scale)
			}
			if !(scale >= 0) {
				return iq1Error(at, k.n)
			}
			k.put(y, ib, idx)
			scales[ib], shifts[ib] = scale, shift
			maxScale = max32(maxScale, scale)
		}
		if maxScale == 0 {
			continue
		}
		for ib, sh := range shifts {
			if sh != iq1ShiftNone {
				continue
			}
			sh, err := iq1EarlierShift(before, weights, len(src), ib, k.shiftOf)
			if err != nil {
				return err
			}
			shifts[ib] = sh
		}
		k.finish(t, y, xbl, wbl[:], scales, shifts, maxScale)
	}
	return nil
}

var iq1KindS = iq1Kind{name: "QuantizeIQ1_S", n: 32, blockBytes: blockIQ1S, eps: iq1EpsS,
	search: (*iq1Sub).searchS,
	levels: func(shift int8) iq1Levels {
		xx := &iq1XP
		if shift < 0 {
			xx = &iq1XM
		}
		return iq1Levels{xx, xx, xx, xx}
	},
	put: func(y []byte, ib int, index []uint16) {
		var h uint16
		for k, gi := range index {
			y[2+4*ib+k] = uint8(gi)
			h |= gi >> 8 << (3 * k)
		}
		binary.LittleEndian.PutUint16(y[34+2*ib:], h)
	},
	finish: func(_ *lattice8, y []byte, _, _, scales []float32, shifts []int8, maxScale float32) {
		d := maxScale / 15
		putFP16(y, float32(d*1.125))
		id := 1 / d
		for ib, sc := range scales {
			l := uint16(clampI32(nearestIntC(float32(0.5*float32(float32(id*sc)-1))), 0, 7))
			if shifts[ib] == -1 {
				l |= 8
			}
			o := y[34+2*ib:]
			binary.LittleEndian.PutUint16(o, binary.LittleEndian.Uint16(o)|l<<12)
		}
	}}

// QuantizeIQ1_S quantizes src (one row, a multiple of 256 values) into
// IQ1_S blocks (50 bytes per 256) as ggml's quantize_iq1_s. weights, the
// row's importance vector, is required (ggml has no IQ1_S without one).
// A sub-block whose importance weights are all zero, where ggml aborts, is
// quantized with unit importance weights.
//
// ggml keeps each sub-block's delta sign from one super-block to the next
// and writes the stale sign for a sub-block too small to quantize; before
// holds the rows that precede src in the same ggml call (nil for none), so
// that the state a row starts with is the one ggml's loop would carry
// into it. A sign never set in the call (ggml reads uninitialized memory)
// counts as +. An error means no weights, or a sub-block with values so
// large that no scale fits (ggml aborts there too).
func QuantizeIQ1_S(dst []byte, src, weights, before []float32) error {
	if weights == nil {
		kqCheck(iq1KindS.name, len(src), len(dst), blockIQ1S, 0, false)
		return fmt.Errorf("quantization needs importance weights")
	}
	return iq1Quantize(&iq1KindS, dst, src, weights, before)
}

// iq1EarlierShift finds the shift ggml's loop holds for sub-block ib when
// it reaches a super-block in which that sub-block is too small and no
// earlier super-block of the row quantized it: the shift of the latest
// super-block of the preceding rows (before: whole rows of n values, each
// super-block weighted by its columns of weights) that did, 0 when none
// did. weights nil (IQ1_M without importance) means x² weights.
func iq1EarlierShift(before, weights []float32, n, ib int, shiftOf func(xbl, qw []float32, ib int) (int8, bool, error)) (int8, error) {
	if n == 0 || len(before)%n != 0 {
		panic(fmt.Sprintf("kernels: %d values before a row of %d, not whole rows", len(before), n))
	}
	for o := len(before) - qkK; o >= 0; o -= qkK {
		var qw []float32
		if weights != nil {
			qw = weights[o%n : o%n+qkK]
		}
		sh, set, err := shiftOf(before[o:o+qkK], qw, ib)
		if err != nil || set {
			return sh, err
		}
	}
	return 0, nil
}

// DequantizeIQ1_S decodes IQ1_S blocks as ggml's dequantize_row_iq1_s.
func DequantizeIQ1_S(dst []float32, src []byte) {
	for i := 0; i < len(src)/blockIQ1S; i++ {
		b := src[i*blockIQ1S : (i+1)*blockIQ1S]
		d := fp16At(b)
		y := dst[i*qkK : (i+1)*qkK]
		for ib := 0; ib < 8; ib++ {
			qh := binary.LittleEndian.Uint16(b[34+2*ib:])
			dl := d * float32(2*(qh>>12&7)+1)
			delta := iq1Delta
			if qh&0x8000 != 0 {
				delta = -iq1Delta
			}
			for l := 0; l < 4; l++ {
				g := iq1Dec[uint16(b[2+4*ib+l])|(qh>>(3*l)&7)<<8]
				o := y[32*ib+8*l : 32*ib+8*l+8]
				for j := range o {
					o[j] = dl * (float32(iq1Value(g, j)) + delta)
				}
			}
		}
	}
}
