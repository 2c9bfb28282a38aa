package kernels

// Eight make_qx_quants searches side by side (rmse_type 1): the 16-element
// sub-blocks of a Q6_K super-block are independent, so lane j of every row
// below holds sub-block j and a SIMD twin (qxSearch8 on amd64) runs the
// scalar sequence of ggml's float32 operations in all eight lanes at once.
// A super-block is two such searches.

// qx8Args is the shared frame of one eight-lane search. Field offsets are
// hard-coded in search_qx_amd64.s (checked by TestQx8ArgsLayout).
type qx8Args struct {
	x, w    [16][8]float32 // inputs and weights, x[l][j] = element l of sub-block j
	wx      [16][8]float32 // scratch: w·x
	lv      [16][8]int32   // out: codes L in [0, 2·nmax−1]
	scale   [8]float32     // out: the scale of each sub-block
	small   [8]uint32      // scratch: all ones where amax < GROUP_MAX_EPS
	num     [18]float32    // −(nmax + 0.1·is) for is = −9…−1, 1…9
	negNmax float32        // −nmax
	nmax    int32          // codes are clamp(l, −nmax, nmax−1) + nmax
}

// setParams stores the search constants, each candidate numerator computed
// as ggml does: −(nmax + 0.1f·is).
func (a *qx8Args) setParams(nmax int) {
	if nmax < 1 || nmax > 127 {
		panic("kernels: qx8Args.setParams nmax out of range")
	}
	a.nmax = int32(nmax)
	fnmax := float32(nmax)
	a.negNmax = -fnmax
	k := 0
	for is := -9; is <= 9; is++ {
		if is == 0 {
			continue
		}
		a.num[k] = -(fnmax + float32(float32(0.1)*float32(is)))
		k++
	}
}

// qxSearch8Go is the pure-Go eight-lane search: makeQxQuants (ggml's
// make_qx_quants, n = 16, rmse_type 1) on each lane in turn, with the
// lane's w as the search weights.
func qxSearch8Go(a *qx8Args) {
	var xs, ws [16]float32
	var L [16]uint8
	for j := range 8 {
		for l := range 16 {
			xs[l], ws[l] = a.x[l][j], a.w[l][j]
		}
		a.scale[j] = makeQxQuants(16, int(a.nmax), xs[:], L[:], ws[:])
		for l := range 16 {
			a.lv[l][j] = int32(L[l])
		}
	}
}

// q6kSubBlocks8 runs make_qx_quants(16, 32, …, rmse_type 1) on all 16
// sub-blocks of one Q6_K super-block x, as two eight-lane searches. The
// search weights are qw, or x² (quantize_row_q6_K_ref) when qw is nil. It
// fills the codes L and each sub-block's scale.
func q6kSubBlocks8(x, qw []float32, L *[kqBlock]uint8, scales *[16]float32) {
	var a qx8Args
	a.setParams(32)
	x = x[:kqBlock]
	if qw != nil {
		qw = qw[:kqBlock]
	}
	for h := range 2 {
		base := 128 * h
		for j := range 8 {
			xs := x[base+16*j : base+16*j+16]
			for l, v := range xs {
				a.x[l][j] = v
			}
			if qw != nil {
				for l, v := range qw[base+16*j : base+16*j+16] {
					a.w[l][j] = v
				}
			} else {
				for l, v := range xs {
					a.w[l][j] = v * v
				}
			}
		}
		qxSearch8(&a)
		copy(scales[8*h:8*h+8], a.scale[:])
		for j := range 8 {
			out := L[base+16*j : base+16*j+16]
			for l := range out {
				out[l] = uint8(a.lv[l][j])
			}
		}
	}
}
