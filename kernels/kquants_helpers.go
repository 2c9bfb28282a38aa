package kernels

import (
	"fmt"
	"math"

	"github.com/x448/float16"
)

// K-quant geometry shared by the Q2_K…Q8_K kernels (ggml-common.h).
const (
	kqBlock       = 256 // elements per K-quant super-block (QK_K)
	kqBytesQ2K    = 84
	kqBytesQ3K    = 110
	kqBytesQ4K    = 144
	kqBytesQ5K    = 176
	kqBytesQ6K    = 210
	kqBytesQ8K    = 292
	kqGroupMaxEps = float32(1e-15) // GROUP_MAX_EPS
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

// kqNearestInt is ggml's nearest_int: the float32 sum f+1.5·2^23 read as
// bits. For |f| < 2^22 it is round-half-to-even; outside that range it
// reproduces the C code's wrap-around exactly.
func kqNearestInt(f float32) int {
	v := float32(f) + 12582912.0
	return int(math.Float32bits(v)&0x007fffff) - 0x00400000
}

// kqF16 converts float32 to IEEE binary16 bits with round-to-nearest-even,
// matching GGML_FP32_TO_FP16 (NaN → 0x7E00 with the sign kept).
func kqF16(f float32) uint16 {
	if f != f {
		return uint16(math.Float32bits(f)>>16)&0x8000 | 0x7e00
	}
	return float16.Fromfloat32(f).Bits()
}

// kqF32 converts binary16 bits to float32 exactly.
func kqF32(h uint16) float32 {
	return float16.Frombits(h).Float32()
}

// kqAbs is fabsf.
func kqAbs(f float32) float32 {
	return math.Float32frombits(math.Float32bits(f) &^ 0x80000000)
}

// kqSqrt is sqrtf (the float64 square root rounded once to float32 is
// correctly rounded).
func kqSqrt(f float32) float32 {
	return float32(math.Sqrt(float64(f)))
}

// kqClamp limits v to [lo, hi].
func kqClamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// kqPutU16 stores v little-endian at b[0:2].
func kqPutU16(b []byte, v uint16) {
	b[0] = byte(v)
	b[1] = byte(v >> 8)
}

// kqU16 loads a little-endian uint16 from b[0:2].
func kqU16(b []byte) uint16 {
	return uint16(b[0]) | uint16(b[1])<<8
}

// makeQxQuants is ggml's make_qx_quants with rmse_type 1: symmetric codes
// L in [0, 2·nmax−1] (offset nmax) and a signed scale. qw nil means weights
// x². All-zero input yields L = 0 (no offset) and scale 0.
func makeQxQuants(n, nmax int, x []float32, L []int8, qw []float32) float32 {
	x = x[:n]
	L = L[:n]
	var max, amax float32
	for i := range x {
		ax := kqAbs(x[i])
		if ax > amax {
			amax = ax
			max = x[i]
		}
	}
	if amax < kqGroupMaxEps {
		clear(L)
		return 0
	}
	fnmax := float32(nmax)
	iscale := -fnmax / max
	var sumlx, suml2 float32
	for i, xi := range x {
		l := kqClamp(kqNearestInt(float32(iscale*xi)), -nmax, nmax-1)
		L[i] = int8(l + nmax)
		w := xi * xi
		if qw != nil {
			w = qw[i]
		}
		fl := float32(l)
		sumlx += float32(w * xi * fl)
		suml2 += float32(w * fl * fl)
	}
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
		sumlx, suml2 = 0, 0
		for i, xi := range x {
			l := kqClamp(kqNearestInt(float32(iscale*xi)), -nmax, nmax-1)
			w := xi * xi
			if qw != nil {
				w = qw[i]
			}
			fl := float32(l)
			sumlx += float32(w * xi * fl)
			suml2 += float32(w * fl * fl)
		}
		if suml2 > 0 && float32(sumlx*sumlx) > float32(best*suml2) {
			for i, xi := range x {
				l := kqNearestInt(float32(iscale * xi))
				L[i] = int8(nmax + kqClamp(l, -nmax, nmax-1))
			}
			scale = sumlx / suml2
			best = scale * sumlx
		}
	}
	return scale
}

// makeQ3Quants is ggml's make_q3_quants with do_rmse = true (Q3_K
// reference): codes in [0, 2·nmax−1] after iterative refinement with
// weights x².
func makeQ3Quants(n, nmax int, x []float32, L []int8) float32 {
	x = x[:n]
	L = L[:n]
	var max, amax float32
	for i := range x {
		ax := kqAbs(x[i])
		if ax > amax {
			amax = ax
			max = x[i]
		}
	}
	if amax < kqGroupMaxEps {
		clear(L)
		return 0
	}
	iscale := -float32(nmax) / max
	var sumlx, suml2 float32
	for i, xi := range x {
		l := kqClamp(kqNearestInt(float32(iscale*xi)), -nmax, nmax-1)
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
				newL := kqClamp(kqNearestInt(xi*sl2/slx), -nmax, nmax-1)
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
	for i := range L {
		L[i] += int8(nmax)
	}
	if suml2 > 0 {
		return sumlx / suml2
	}
	return 0
}

// makeQkxQuants is ggml's make_qkx2_quants (strictDegenerate false) and
// make_qkx3_quants with explicit weights (strictDegenerate true, whose
// degenerate test is max <= min): asymmetric codes L in [0, nmax]. It
// returns the scale and the_min (a non-negative offset to subtract). laux
// is scratch of at least n entries.
func makeQkxQuants(n, nmax int, x, weights []float32, L, laux []uint8,
	rmin, rdelta float32, nstep int, useMad, strictDegenerate bool) (scale, theMin float32) {
	x = x[:n]
	weights = weights[:n]
	L = L[:n]
	laux = laux[:n]
	min, max := x[0], x[0]
	sumW := weights[0]
	sumX := sumW * x[0]
	for i := 1; i < n; i++ {
		if x[i] < min {
			min = x[i]
		}
		if x[i] > max {
			max = x[i]
		}
		w := weights[i]
		sumW += w
		sumX += float32(w * x[i])
	}
	if min > 0 {
		min = 0
	}
	if max == min || (strictDegenerate && max <= min) {
		clear(L)
		return 0, -min
	}
	fnmax := float32(nmax)
	iscale := fnmax / (max - min)
	scale = 1 / iscale
	for i, xi := range x {
		L[i] = uint8(kqClamp(kqNearestInt(float32(iscale*(xi-min))), 0, nmax))
	}
	bestErr := kqWeightedErr(x, weights, L, scale, min, useMad)
	if nstep < 1 {
		return scale, -min
	}
	for is := 0; is <= nstep; is++ {
		iscale = (rmin + float32(rdelta*float32(is)) + fnmax) / (max - min)
		var sumL, sumL2, sumXL float32
		for i, xi := range x {
			l := kqClamp(kqNearestInt(float32(iscale*(xi-min))), 0, nmax)
			laux[i] = uint8(l)
			w := weights[i]
			fl := float32(l)
			sumL += float32(w * fl)
			sumL2 += float32(w * fl * fl)
			sumXL += float32(w * fl * xi)
		}
		D := float32(sumW*sumL2) - float32(sumL*sumL)
		if D > 0 {
			thisScale := (float32(sumW*sumXL) - float32(sumX*sumL)) / D
			thisMin := (float32(sumL2*sumX) - float32(sumL*sumXL)) / D
			if thisMin > 0 {
				thisMin = 0
				thisScale = sumXL / sumL2
			}
			curErr := kqWeightedErr(x, weights, laux, thisScale, thisMin, useMad)
			if curErr < bestErr {
				copy(L, laux)
				bestErr = curErr
				scale = thisScale
				min = thisMin
			}
		}
	}
	return scale, -min
}

// kqWeightedErr is the candidate error Σ w·err(scale·L + min − x) of the
// make_qkx*_quants search, err = |·| or (·)², summed in element order.
func kqWeightedErr(x, weights []float32, L []uint8, scale, min float32, useMad bool) float32 {
	weights = weights[:len(x)]
	L = L[:len(x)]
	var sum float32
	for i, xi := range x {
		diff := float32(scale*float32(L[i])) + min - xi
		if useMad {
			diff = kqAbs(diff)
		} else {
			diff = diff * diff
		}
		sum += float32(weights[i] * diff)
	}
	return sum
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
	if max < kqGroupMaxEps {
		clear(L)
		return 0
	}
	fnmax := float32(nmax)
	iscale := fnmax / max
	for i, xi := range x {
		L[i] = uint8(kqNearestInt(float32(iscale * xi)))
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
			l := kqNearestInt(float32(iscaleIs * xi))
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
		l := kqNearestInt(float32(iscale * xi))
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
				newL := kqNearestInt(xi * sl2 / slx)
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
