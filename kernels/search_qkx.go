package kernels

import (
	"fmt"
	"math"
)

// Limits of the fixed-size scratch of the scale searches.
const (
	searchMaxN = 32 // largest group a scale search handles
	qkxBatch   = 2  // candidates of make_qkx*_quants evaluated together
)

// qkxOff is added to a code to get its index into a qkxLevels row, which
// leaves room for the unclamped codes of the fast path (−qkxOff…).
const qkxOff = 32

// qkxLevels[nmax][qkxOff+k] is clamp(k, 0, nmax) as float32: the level an
// unclamped code k stands for.
var qkxLevels = func() (t [searchMaxN][256]float32) {
	for nmax := range t {
		for idx := range t[nmax] {
			t[nmax][idx] = float32(min(max(idx-qkxOff, 0), nmax))
		}
	}
	return t
}()

// qkxSearch is the scratch of one makeQkxQuants call: the inputs, the
// inputs shifted by the current minimum, and one batch of candidates whose
// codes are kept as qkxLevels indices.
type qkxSearch struct {
	x, w, xm   [searchMaxN]float32
	xmLo, xmHi float32 // range of xm (NaN if xm holds a NaN)
	lv         *[256]float32
	codes      [qkxBatch][searchMaxN]uint8
	prev       [searchMaxN]uint8 // codes of the last candidate looked at
	scale      [qkxBatch]float32
	min        [qkxBatch]float32
	err        [qkxBatch]float32
	fitted     [qkxBatch]bool // D > 0: the candidate's error is compared
}

// setMin shifts the inputs by the current minimum.
func (s *qkxSearch) setMin(n int, min float32) {
	lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
	for i := range n {
		i &= searchMaxN - 1
		v := s.x[i] - min
		s.xm[i] = v
		if !(v >= lo) { // NaN sticks
			lo = v
		}
		if !(v <= hi) {
			hi = v
		}
	}
	s.xmLo, s.xmHi = lo, hi
}

// codesFor fills c with the level indices of clamp(nearest_int(iscale·xm),
// 0, nmax). When every product p lies in (−30, 90), p + 1.5·2^23 keeps the
// exponent of 1.5·2^23 and the difference of the bit patterns is
// nearest_int(p) exactly, and the clamp is left to the level table;
// otherwise (huge or non-finite values) ggml's bit trick and clamp are
// emulated element by element.
func (s *qkxSearch) codesFor(c *[searchMaxN]uint8, n int, iscale float32, nmax int32) {
	const magic = 12582912 // 1.5·2^23
	pLo, pHi := float32(iscale*s.xmLo), float32(iscale*s.xmHi)
	if iscale > 0 && pLo > -30 && pHi < 90 {
		const bias = 0x4b400000 - qkxOff // bits of magic, less the offset
		for i := range n {
			i &= searchMaxN - 1
			c[i] = uint8(math.Float32bits(float32(iscale*s.xm[i])+magic) - bias)
		}
		return
	}
	for i := range n {
		i &= searchMaxN - 1
		c[i] = uint8(clampI32(nearestIntC(float32(iscale*s.xm[i])), 0, nmax) + qkxOff)
	}
}

// makeQkxQuants is ggml's make_qkx2_quants (strictDegenerate false) and
// make_qkx3_quants with explicit weights (strictDegenerate true, whose
// degenerate test is max <= min): asymmetric codes L in [0, nmax]. It
// returns the scale and the_min (a non-negative offset to subtract).
//
// A candidate's codes depend on the current minimum, which changes when a
// candidate is accepted, but its fit and error depend on its codes alone.
// So candidates are evaluated speculatively, qkxBatch at a time with their
// float32 accumulations interleaved (each still in element order with
// ggml's roundings), and ggml's decisions are then taken in order; an
// acceptance that moves the minimum discards the rest of the batch, which
// is redone with the new minimum. A candidate whose codes equal its
// predecessor's is skipped: it would reproduce that error exactly, which
// can never be strictly smaller than the best error at that point.
func makeQkxQuants(n, nmax int, x, weights []float32, L []uint8,
	rmin, rdelta float32, nstep int, useMad, strictDegenerate bool) (scale, theMin float32) {
	if n < 1 || n > searchMaxN || nmax < 1 || nmax >= searchMaxN {
		panic(fmt.Sprintf("kernels: makeQkxQuants(n=%d, nmax=%d) beyond the scratch limits", n, nmax))
	}
	var s qkxSearch
	s.lv = &qkxLevels[nmax]
	copy(s.x[:n], x[:n])
	copy(s.w[:n], weights[:n])
	L = L[:n]
	min, max := s.x[0], s.x[0]
	sumW := s.w[0]
	sumX := float32(sumW * s.x[0])
	for i := 1; i < n; i++ {
		xi := s.x[i]
		if xi < min {
			min = xi
		}
		if xi > max {
			max = xi
		}
		sumW += s.w[i]
		sumX += float32(s.w[i] * xi)
	}
	if min > 0 {
		min = 0
	}
	if max == min || (strictDegenerate && max <= min) {
		clear(L)
		return 0, -min
	}
	top := int32(nmax)
	fnmax := float32(nmax)
	s.setMin(n, min)
	iscale := fnmax / (max - min)
	scale = 1 / iscale
	var best [searchMaxN]uint8
	s.codesFor(&best, n, iscale, top)
	if nstep >= 1 {
		bestErr := qkxErr1(&s, &best, n, scale, min, useMad)
		for is := 0; is <= nstep; {
			nb := qkxBatch
			if nstep+1-is < nb {
				nb = nstep + 1 - is
			}
			var live [qkxBatch]int
			nlive := 0
			for k := range nb {
				isc := (rmin + float32(rdelta*float32(is+k)) + fnmax) / (max - min)
				c := &s.codes[k&(qkxBatch-1)]
				s.codesFor(c, n, isc, top)
				if is+k > 0 && *c == s.prev {
					continue // same codes as the candidate before: a no-op
				}
				s.prev = *c
				live[nlive&(qkxBatch-1)] = k
				nlive++
			}
			qkxEvaluate(&s, live[:nlive], n, sumW, sumX, useMad)
			done := nb
			for _, k := range live[:nlive] {
				k &= qkxBatch - 1
				if s.fitted[k] && s.err[k] < bestErr {
					bestErr = s.err[k]
					best = s.codes[k]
					scale = s.scale[k]
					if s.min[k] != min {
						// The rest of the batch used the old minimum.
						min = s.min[k]
						s.setMin(n, min)
						s.prev = best
						done = k + 1
						break
					}
				}
			}
			is += done
		}
	}
	for i := range L {
		L[i] = uint8(s.lv[best[i&(searchMaxN-1)]])
	}
	return scale, -min
}

// qkxEvaluate fits scale and minimum to the codes of the batch candidates
// in live (ggml's weighted least squares, the minimum clamped to <= 0) and
// computes their errors, two candidates at a time.
func qkxEvaluate(s *qkxSearch, live []int, n int, sumW, sumX float32, useMad bool) {
	k := 0
	for ; k+1 < len(live); k += 2 {
		a, b := live[k]&(qkxBatch-1), live[k+1]&(qkxBatch-1)
		r := qkxSums2(s, &s.codes[a], &s.codes[b], n)
		qkxFit(s, a, sumW, sumX, r[0], r[1], r[2])
		qkxFit(s, b, sumW, sumX, r[3], r[4], r[5])
		s.err[a], s.err[b] = qkxErr2(s, a, b, n, useMad)
	}
	if k < len(live) {
		a := live[k] & (qkxBatch - 1)
		r := qkxSums2(s, &s.codes[a], &s.codes[a], n)
		qkxFit(s, a, sumW, sumX, r[0], r[1], r[2])
		if s.fitted[a] {
			s.err[a] = qkxErr1(s, &s.codes[a], n, s.scale[a], s.min[a], useMad)
		}
	}
}

// qkxFit is the least-squares step of make_qkx*_quants for candidate k
// from its sums Σw·l, Σw·l², Σw·l·x.
func qkxFit(s *qkxSearch, k int, sumW, sumX, sumL, sumL2, sumXL float32) {
	k &= qkxBatch - 1
	D := float32(sumW*sumL2) - float32(sumL*sumL)
	s.fitted[k] = D > 0
	if !(D > 0) {
		return
	}
	thisScale := (float32(sumW*sumXL) - float32(sumX*sumL)) / D
	thisMin := (float32(sumL2*sumX) - float32(sumL*sumXL)) / D
	if thisMin > 0 {
		thisMin = 0
		thisScale = sumXL / sumL2
	}
	s.scale[k], s.min[k] = thisScale, thisMin
}

// qkxSums2 returns Σw·l, Σw·l·l and Σw·l·x for two candidates' codes a and
// b (in that order), each accumulated in element order.
func qkxSums2(s *qkxSearch, a, b *[searchMaxN]uint8, n int) (r [6]float32) {
	lv := s.lv
	var sa0, sa1, sa2, sb0, sb1, sb2 float32
	for i := range n {
		i &= searchMaxN - 1 // n ≤ searchMaxN: drops the bounds checks
		w, xi := s.w[i], s.x[i]
		la, lb := lv[a[i]], lv[b[i]]
		wa, wb := float32(w*la), float32(w*lb)
		sa0 += wa
		sb0 += wb
		sa1 += float32(wa * la)
		sb1 += float32(wb * lb)
		sa2 += float32(wa * xi)
		sb2 += float32(wb * xi)
	}
	return [6]float32{sa0, sa1, sa2, sb0, sb1, sb2}
}

// qkxDiff is ggml's per-element error term err(scale·l + min − x), with err
// = |·| (useMad) or (·)².
func qkxDiff(scale, min, l, x float32, useMad bool) float32 {
	d := float32(scale*l) + min - x
	if useMad {
		return absC(d)
	}
	return d * d
}

// qkxErr1 is Σ w·err(scale·L + min − x) in element order.
func qkxErr1(s *qkxSearch, c *[searchMaxN]uint8, n int, scale, min float32, useMad bool) float32 {
	var sum float32
	for i := range n {
		i &= searchMaxN - 1 // n ≤ searchMaxN: drops the bounds checks
		sum += float32(s.w[i] * qkxDiff(scale, min, s.lv[c[i]], s.x[i], useMad))
	}
	return sum
}

// qkxErr2 is qkxErr1 of batch candidates a and b together (a candidate
// that was not fitted gets a meaningless value that is never looked at).
func qkxErr2(s *qkxSearch, a, b, n int, useMad bool) (ea, eb float32) {
	a &= qkxBatch - 1
	b &= qkxBatch - 1
	ca, cb := &s.codes[a], &s.codes[b]
	sa, sb := s.scale[a], s.scale[b]
	ma, mb := s.min[a], s.min[b]
	lv := s.lv
	for i := range n {
		i &= searchMaxN - 1 // n ≤ searchMaxN: drops the bounds checks
		w, xi := s.w[i], s.x[i]
		ea += float32(w * qkxDiff(sa, ma, lv[ca[i]], xi, useMad))
		eb += float32(w * qkxDiff(sb, mb, lv[cb[i]], xi, useMad))
	}
	return ea, eb
}
