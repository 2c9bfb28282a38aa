package kernels

// Eight make_qkx2_quants searches side by side: the sub-blocks of a Q4_K or
// Q5_K super-block are independent, so lane j of every row below holds
// sub-block j and a SIMD twin (qkxSearch8 on amd64) runs the scalar
// sequence of ggml's float32 operations in all eight lanes at once.

// qkx8Args is the shared frame of one eight-lane search. Field offsets are
// hard-coded in search_qkx_amd64.s (checked by TestQkx8ArgsLayout).
type qkx8Args struct {
	x, w   [32][8]float32 // inputs and weights, x[l][j] = element l of sub-block j
	lv     [32][8]float32 // out: chosen levels L, as float32
	aux    [32][8]float32 // scratch: the levels of the current candidate
	scale  [8]float32     // out: the scale of each sub-block
	theMin [8]float32     // out: the_min (−min) of each sub-block
	sumW   [8]float32     // scratch: Σw
	sumX   [8]float32     // scratch: Σw·x
	nondeg [8]uint32      // scratch: all ones where max != min
	num    [40]float32    // rmin + rdelta·is + nmax for is = 0…nstep
	nnum   int64          // nstep + 1
	nmax   int32          // largest code
	rmin   float32        // make_qkx2_quants parameters (for the Go path)
	rdelta float32
	nstep  int32
	nend   int64 // 32·n: bytes of each array in use (rows 0…n−1)
	mad    int32 // 1: error term |d| (use_mad), 0: d²
}

// setParams stores the search constants of a Q4_K/Q5_K search (n = 32,
// squared error); see setSearch.
func (a *qkx8Args) setParams(nmax int, rmin, rdelta float32, nstep int) {
	a.setSearch(32, nmax, rmin, rdelta, nstep, false)
}

// setSearch stores the search constants — group size n, largest code
// nmax, error |d| (useMad) or d² — and the numerators of the candidate
// inverse scales, each computed as ggml does: (rmin + rdelta·is) + nmax.
// The twin runs every candidate, so nstep must be at least 1 (as in
// makeQkxQuants, which skips the search below that).
func (a *qkx8Args) setSearch(n, nmax int, rmin, rdelta float32, nstep int, useMad bool) {
	if n < 2 || n > len(a.x) || nmax < 1 || nmax >= searchMaxN || nstep < 1 || nstep >= len(a.num) {
		panic("kernels: qkx8Args.setSearch beyond the scratch limits")
	}
	a.nend = int64(32 * n)
	a.mad = 0
	if useMad {
		a.mad = 1
	}
	a.nmax, a.rmin, a.rdelta, a.nstep = int32(nmax), rmin, rdelta, int32(nstep)
	fnmax := float32(nmax)
	for is := 0; is <= nstep; is++ {
		a.num[is] = rmin + float32(rdelta*float32(is)) + fnmax
	}
	a.nnum = int64(nstep + 1)
}

// qkxSearch8Go is the pure-Go eight-lane search: makeQkxQuants (ggml's
// make_qkx2_quants with the n, nmax and use_mad of setSearch) on each lane
// in turn.
func qkxSearch8Go(a *qkx8Args) {
	var xs, ws [32]float32
	var L [32]uint8
	n := int(a.nend / 32)
	for j := range 8 {
		for l := range n {
			xs[l], ws[l] = a.x[l][j], a.w[l][j]
		}
		a.scale[j], a.theMin[j] = makeQkxQuants(n, int(a.nmax), xs[:n], ws[:n], L[:n],
			a.rmin, a.rdelta, int(a.nstep), a.mad != 0, false)
		for l := range n {
			a.lv[l][j] = float32(L[l])
		}
	}
}

// q45kSubBlocksRef runs the per-sub-block part of quantize_row_q4_K_ref /
// quantize_row_q5_K_ref on one super-block x: weights av_x + |x| with av_x
// = sqrt(Σx²/32), then make_qkx2_quants on all eight sub-blocks. It fills
// the codes L and each sub-block's scale and the_min.
func q45kSubBlocksRef(x []float32, L *[kqBlock]uint8, p q45kParams, scales, mins *[8]float32) {
	var a qkx8Args
	var sumX2 [8]float32
	x = x[:kqBlock]
	for l := range 32 { // lanes interleaved: eight independent chains
		for j := range 8 {
			v := x[32*j+l]
			a.x[l][j] = v
			sumX2[j] += float32(v * v)
		}
	}
	var avX [8]float32
	for j, s := range sumX2 {
		avX[j] = sqrtC(float32(s / 32))
	}
	for l := range 32 {
		for j := range 8 {
			a.w[l][j] = avX[j] + absC(a.x[l][j])
		}
	}
	a.setParams(p.nmax, p.rmin, p.rdelta, p.nstep)
	qkxSearch8(&a)
	*scales, *mins = a.scale, a.theMin
	for l := range 32 {
		for j := range 8 {
			L[32*j+l] = uint8(a.lv[l][j])
		}
	}
}

// q45kSubBlocksImpl runs the per-sub-block part of quantize_row_q4_K_impl
// and quantize_row_q5_K_impl on one super-block x with importance qw:
// weights qw·sqrt(σ² + x²) (σ² = 2·Σx²/256), their per-sub-block sums sw,
// then make_qkx3_quants(32, nmax, …, −0.9, 0.05, 36, use_mad = false) on
// the eight sub-blocks, one per lane (its max <= min test equals the
// twin's max == min; see q2kSubBlocksImpl).
func q45kSubBlocksImpl(x, qw []float32, nmax int, L *[kqBlock]uint8, scales, mins, sw *[8]float32) {
	x, qw = x[:kqBlock], qw[:kqBlock]
	sigma2 := float32(2 * kqSumSq(x) / kqBlock)
	var a qkx8Args
	for j := range 8 {
		var sum float32
		for l := range 32 {
			v := x[32*j+l]
			w := float32(qw[32*j+l] * sqrtC(sigma2+float32(v*v)))
			a.x[l][j], a.w[l][j] = v, w
			sum += w
		}
		sw[j] = sum
	}
	a.setSearch(32, nmax, -0.9, 0.05, 36, false)
	qkxSearch8(&a)
	*scales, *mins = a.scale, a.theMin
	for l := range 32 {
		for j := range 8 {
			L[32*j+l] = uint8(a.lv[l][j])
		}
	}
}
