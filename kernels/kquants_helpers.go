package kernels

import "fmt"

// K-quant geometry shared by the Q2_K…Q8_K kernels (ggml-common.h).
const (
	kqBlock    = 256 // elements per K-quant super-block (QK_K)
	kqBytesQ2K = 84
	kqBytesQ3K = 110
	kqBytesQ4K = 144
	kqBytesQ5K = 176
	kqBytesQ6K = 210
	kqBytesQ8K = 292
)

// kqCheck panics with a descriptive message when the documented length
// preconditions of an exported K-quant kernel are violated (a caller bug,
// never a property of input data).
func kqCheck(name string, nSrc, nDst, blockBytes, nWeights int, haveWeights bool) int {
	if nSrc%kqBlock != 0 {
		panic(fmt.Sprintf("kernels.%s: %d values is not a multiple of %d", name, nSrc, kqBlock))
	}
	nb := nSrc / kqBlock
	if nDst != nb*blockBytes {
		panic(fmt.Sprintf("kernels.%s: %d values need %d bytes, buffer has %d", name, nSrc, nb*blockBytes, nDst))
	}
	if haveWeights && nWeights != nSrc {
		panic(fmt.Sprintf("kernels.%s: %d weights for %d values", name, nWeights, nSrc))
	}
	return nb
}

// makeQxQuants is ggml's make_qx_quants with rmse_type 1: symmetric codes
// L in [0, 2·nmax−1] (offset nmax) and a signed scale. qw nil means weights
// x². All-zero input yields L = 0 (no offset) and scale 0. The weights and
// the products w·x, which do not depend on the candidate scale, are
// computed once; every sum still runs in element order with ggml's
// roundings.
func makeQxQuants(n, nmax int, x []float32, L []uint8, qw []float32) float32 {
	if n < 1 || n > searchMaxN {
		panic(fmt.Sprintf("kernels: makeQxQuants(n=%d) beyond the scratch limit %d", n, searchMaxN))
	}
	x = x[:n]
	L = L[:n]
	max, amax := absMaxSigned(x)
	if amax < groupMaxEps {
		clear(L)
		return 0
	}
	var xs, w, wx [searchMaxN]float32
	copy(xs[:], x)
	if qw != nil {
		copy(w[:], qw[:n])
	} else {
		for i, v := range x {
			w[i] = v * v
		}
	}
	for i := range n {
		i &= searchMaxN - 1
		wx[i] = float32(w[i] * xs[i])
	}
	lo, hi := int32(-nmax), int32(nmax-1)
	sums := func(iscale float32) (sumlx, suml2 float32) {
		for i := range n {
			i &= searchMaxN - 1
			l := float32(clampI32(nearestIntC(float32(iscale*xs[i])), lo, hi))
			sumlx += float32(wx[i] * l)
			suml2 += float32(float32(w[i]*l) * l)
		}
		return sumlx, suml2
	}
	fnmax := float32(nmax)
	iscale := -fnmax / max
	bestIscale := iscale
	sumlx, suml2 := sums(iscale)
	var scale float32
	if suml2 != 0 {
		scale = sumlx / suml2
	}
	best := scale * sumlx
	for is := -9; is <= 9; is++ {
		if is == 0 {
			continue
		}
		iscale = -(fnmax + float32(float32(0.1)*float32(is))) / max
		sumlx, suml2 = sums(iscale)
		if suml2 > 0 && float32(sumlx*sumlx) > float32(best*suml2) {
			bestIscale = iscale
			scale = sumlx / suml2
			best = scale * sumlx
		}
	}
	for i, v := range x {
		L[i] = uint8(clampI32(nearestIntC(float32(bestIscale*v)), lo, hi) + int32(nmax))
	}
	return scale
}

// makeQ3Quants is ggml's make_q3_quants with do_rmse = true (Q3_K
// reference): codes in [0, 2·nmax−1] (in out) after iterative refinement with
// weights x².
func makeQ3Quants(n, nmax int, x []float32, out []uint8) float32 {
	if n > searchMaxN {
		panic(fmt.Sprintf("kernels: makeQ3Quants(n=%d) beyond the scratch limit %d", n, searchMaxN))
	}
	x = x[:n]
	out = out[:n]
	max, amax := absMaxSigned(x)
	if amax < groupMaxEps {
		clear(out)
		return 0
	}
	var Lbuf [searchMaxN]int8
	L := Lbuf[:n]
	iscale := -float32(nmax) / max
	var sumlx, suml2 float32
	for i, xi := range x {
		l := int(clampI32(nearestIntC(float32(iscale*xi)), int32(-nmax), int32(nmax-1)))
		L[i] = int8(l)
		w := xi * xi
		fl := float32(l)
		sumlx += float32(w * xi * fl)
		suml2 += float32(w * fl * fl)
	}
	for itry := 0; itry < 5; itry++ {
		changed := 0
		for i, xi := range x {
			w := xi * xi
			li := float32(L[i])
			slx := sumlx - float32(w*xi*li)
			if slx > 0 {
				sl2 := suml2 - float32(w*li*li)
				newL := int(clampI32(nearestIntC(xi*sl2/slx), int32(-nmax), int32(nmax-1)))
				if newL != int(L[i]) {
					fn := float32(newL)
					slx += float32(w * xi * fn)
					sl2 += float32(w * fn * fn)
					if sl2 > 0 && slx*slx*suml2 > sumlx*sumlx*sl2 {
						L[i] = int8(newL)
						sumlx = slx
						suml2 = sl2
						changed++
					}
				}
			}
		}
		if changed == 0 {
			break
		}
	}
	for i, l := range L {
		out[i] = uint8(l + int8(nmax))
	}
	if suml2 > 0 {
		return sumlx / suml2
	}
	return 0
}

// makeQpQuants is ggml's make_qp_quants: unsigned codes in [0, nmax] for
// non-negative inputs (sub-block scales/mins) under weights qw.
func makeQpQuants(n, nmax int, x []float32, L []uint8, qw []float32) float32 {
	x = x[:n]
	L = L[:n]
	qw = qw[:n]
	var max float32
	for _, xi := range x {
		if !(max > xi) { // MAX(max, x[i]) as in C, NaN included
			max = xi
		}
	}
	if max < groupMaxEps {
		clear(L)
		return 0
	}
	fnmax := float32(nmax)
	iscale := fnmax / max
	for i, xi := range x {
		L[i] = uint8(nearestIntC(float32(iscale * xi)))
	}
	scale := 1 / iscale
	var bestMse float32
	for i, xi := range x {
		diff := xi - float32(scale*float32(L[i]))
		bestMse += float32(qw[i] * diff * diff)
	}
	for is := -4; is <= 4; is++ {
		if is == 0 {
			continue
		}
		iscaleIs := (float32(float32(0.1)*float32(is)) + fnmax) / max
		scaleIs := 1 / iscaleIs
		var mse float32
		for i, xi := range x {
			l := int(nearestIntC(float32(iscaleIs * xi)))
			if l > nmax {
				l = nmax
			}
			diff := xi - float32(scaleIs*float32(l))
			mse += float32(qw[i] * diff * diff)
		}
		if mse < bestMse {
			bestMse = mse
			iscale = iscaleIs
		}
	}
	var sumlx, suml2 float32
	for i, xi := range x {
		l := int(nearestIntC(float32(iscale * xi)))
		if l > nmax {
			l = nmax
		}
		L[i] = uint8(l)
		w := qw[i]
		fl := float32(l)
		sumlx += float32(w * xi * fl)
		suml2 += float32(w * fl * fl)
	}
	for itry := 0; itry < 5; itry++ {
		changed := 0
		for i, xi := range x {
			w := qw[i]
			li := float32(L[i])
			slx := sumlx - float32(w*xi*li)
			sl2 := suml2 - float32(w*li*li)
			if slx > 0 && sl2 > 0 {
				newL := int(nearestIntC(xi * sl2 / slx))
				if newL > nmax {
					newL = nmax
				}
				if newL != int(L[i]) {
					fn := float32(newL)
					slx += float32(w * xi * fn)
					sl2 += float32(w * fn * fn)
					if slx*slx*suml2 > sumlx*sumlx*sl2 {
						L[i] = uint8(newL)
						sumlx = slx
						suml2 = sl2
						changed++
					}
				}
			}
		}
		if changed == 0 {
			break
		}
	}
	if suml2 > 0 {
		return sumlx / suml2
	}
	return 0
}

// kqGetScaleMinK4 unpacks the 6-bit scale and min of sub-block j from the
// 12-byte Q4_K/Q5_K scales field (get_scale_min_k4).
func kqGetScaleMinK4(j int, q []byte) (sc, m uint8) {
	if j < 4 {
		return q[j] & 63, q[j+4] & 63
	}
	return (q[j+4] & 0xF) | ((q[j-4] >> 6) << 4), (q[j+4] >> 4) | ((q[j] >> 6) << 4)
}

// kqPutScaleMinK4 packs the 6-bit codes ls/lm of sub-block j into the
// 12-byte scales field; j must be visited in order 0…7.
func kqPutScaleMinK4(j int, q []byte, ls, lm uint8) {
	if j < 4 {
		q[j] = ls
		q[j+4] = lm
		return
	}
	q[j+4] = (ls & 0xF) | ((lm & 0xF) << 4)
	q[j-4] |= (ls >> 4) << 6
	q[j] |= (lm >> 4) << 6
}

// kqPack2Bit packs 256 two-bit codes into 64 bytes the Q2_K/Q3_K way:
// element e = 128h + 32k + m sits at bits 2k of qs[32h+m].
func kqPack2Bit(qs []byte, L *[kqBlock]uint8) {
	qs = qs[:64]
	for j := 0; j < kqBlock; j += 128 {
		for l := 0; l < 32; l++ {
			qs[j/4+l] = L[j+l] | L[j+l+32]<<2 | L[j+l+64]<<4 | L[j+l+96]<<6
		}
	}
}

// kqSumSq returns Σx² over a 256-block, accumulated in order.
func kqSumSq(x []float32) float32 {
	var s float32
	for _, v := range x[:kqBlock] {
		s += float32(v * v)
	}
	return s
}
