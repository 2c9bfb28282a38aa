package kernels

// Q2_K's reference path on the eight-lane search: its sixteen sub-blocks of
// 16 are searched as two groups of eight (lane j of group h holds sub-block
// 8h+j), with make_qkx2_quants(16, 3, …, −0.5, 0.1, 15, use_mad = true).

// q2kSubBlocksRef runs the per-sub-block part of quantize_row_q2_K_ref on
// one super-block x: weights |x|, then the search on all sixteen
// sub-blocks. It fills the codes L and each sub-block's scale and the_min.
func q2kSubBlocksRef(x []float32, L *[kqBlock]uint8, scales, mins *[16]float32) {
	x = x[:kqBlock]
	var a qkx8Args
	for h := range 2 {
		for l := range 16 {
			for j := range 8 {
				v := x[16*(8*h+j)+l]
				a.x[l][j] = v
				a.w[l][j] = absC(v)
			}
		}
		a.setSearch(16, 3, -0.5, 0.1, 15, true)
		qkxSearch8(&a)
		copy(scales[8*h:8*h+8], a.scale[:])
		copy(mins[8*h:8*h+8], a.theMin[:])
		for l := range 16 {
			for j := range 8 {
				L[16*(8*h+j)+l] = uint8(a.lv[l][j])
			}
		}
	}
}

// q2kSubBlocksImpl runs the per-sub-block part of quantize_row_q2_K_impl on
// one super-block x with importance qw: weights qw·sqrt(σ² + x²) (σ² =
// Σx²/256), their per-sub-block sums sw, then make_qkx3_quants(16, 3, …,
// −0.9, 0.05, 36, use_mad = false) on all sixteen sub-blocks. Its
// degenerate test max <= min equals the twin's max == min: min starts at
// x[0] and only decreases (to at most 0), max only increases, so max < min
// never holds and NaNs fail both tests alike.
func q2kSubBlocksImpl(x, qw []float32, L *[kqBlock]uint8, scales, mins, sw *[16]float32) {
	x, qw = x[:kqBlock], qw[:kqBlock]
	sigma2 := float32(kqSumSq(x) / kqBlock)
	var a qkx8Args
	for h := range 2 {
		for j := range 8 {
			sb := 8*h + j
			var sum float32
			for l := range 16 {
				v := x[16*sb+l]
				w := float32(qw[16*sb+l] * sqrtC(sigma2+float32(v*v)))
				a.x[l][j], a.w[l][j] = v, w
				sum += w
			}
			sw[sb] = sum
		}
		a.setSearch(16, 3, -0.9, 0.05, 36, false)
		qkxSearch8(&a)
		copy(scales[8*h:8*h+8], a.scale[:])
		copy(mins[8*h:8*h+8], a.theMin[:])
		for l := range 16 {
			for j := range 8 {
				L[16*(8*h+j)+l] = uint8(a.lv[l][j])
			}
		}
	}
}
