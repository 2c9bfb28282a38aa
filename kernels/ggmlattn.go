package kernels

import (
	"encoding/binary"
	"math"
)

// The attention arithmetic of llama.cpp's attention without flash
// attention (llm_graph_context::build_attn_mha: kq = K·Q, soft-capping,
// ggml_soft_max_ext, kqv = Vᵀ·softmax) as ggml's CPU backend computes it
// on an AVX-512 build, emulated lane by lane in pure Go so that every
// machine gets the same bits:
//
//   - DotGGML is ggml_vec_dot_f32, which gives the scores (K·Q).
//   - ExpGGML is one lane of ggml_v_expf (vec.h, the __m512 version).
//   - SoftMaxGGML is ggml_compute_forward_soft_max_f32 on one row: the
//     maximum, ggml_vec_soft_max_f32 (e^(x−max) sixteen cells at a time,
//     each group's _mm512_reduce_add_ps added to a float64 sum), then the
//     row scaled by float32(1/sum).
//   - WeightedSumGGML is one row of kqv: for a batch of two or more tokens
//     llamafile's tinyBLAS<16, __m512> (sgemm.cpp: sixteen lane
//     accumulators, _mm512_fmadd_ps over the cells in steps of 16, then
//     hsum = _mm512_reduce_add_ps); for a single token ggml_vec_dot_f32
//     (GGML_F32_STEP = 64: four such accumulators, added pairwise by
//     GGML_F32x16_REDUCE, then _mm512_reduce_add_ps).
//
// GCC's _mm512_reduce_add_ps adds the upper half of the vector to the lower
// half until one value is left (lane i+8 to lane i, then i+4, i+2, i+1);
// with the reduction of the four accumulators before it, a 64-lane sum is
// the same halving from 64 lanes down. Lane i holds the cells ≡ i modulo
// the lane count, counted from cell 0 of the cache (llama.cpp pads the
// cells it attends to up to a multiple of 256 and masks the rest: a masked
// cell weighs exactly 0 and changes neither a lane nor a group sum, so the
// callers pass only the cells that can weigh something).

// FMA32 returns x·a + y rounded once to float32, as an FMA instruction
// (and a C compiler contracting x*a + y) computes it.
func FMA32(x, a, y float32) float32 { return fmaf(x, a, y) }

// fmaf is fma32 through math.FMA (one instruction where the CPU has FMA):
// x·a + y rounded to float64 and then to float32 is the single rounding
// unless the float64 result is exactly halfway between two float32 values
// (the second rounding may then go the wrong way) or outside float32's
// normal range; those few cases take fma32.
func fmaf(x, a, y float32) float32 {
	if r, ok := fmafFast(x, a, y); ok {
		return r
	}
	return fma32(x, a, y)
}

// fmafFast is fmaf's common case, small enough to inline into the hot
// loops: x·a + y through math.FMA, and whether that is the single
// rounding (false: call fma32).
func fmafFast(x, a, y float32) (float32, bool) {
	r := math.FMA(float64(x), float64(a), float64(y))
	b := math.Float64bits(r)
	// Not a float32 midpoint, and 2^-126 ≤ |r| < 2^127 (the subtraction
	// wraps below).
	return float32(r), b&(1<<29-1) != 1<<28 && b>>52&0x7ff-(1023-126) <= 252
}

// LanesBatch and LanesSingle are WeightedSumGGML's lane counts: llama.cpp's
// product for a batch of two or more tokens (tinyBLAS) and for one token
// (ggml_vec_dot_f32).
const (
	LanesBatch  = 16
	LanesSingle = 64
)

// ExpGGML returns e^x as one lane of ggml_v_expf (AVX-512): x = n·ln2 + b
// with n = round(x·log2e) by the 1.5·2^23 trick and ln2 split in two, a
// degree-5 polynomial in b, and _mm512_scalef_ps for 2^n; |n| > 192 gives
// 0 (n ≤ 0) or +Inf. Every operation is rounded to float32 as the vector
// instructions round it.
func ExpGGML(x float32) float32 {
	const r = 0x1.8p23
	z := fmaf(x, 0x1.715476p+0, r)
	n := float32(z - r)
	if n > 192 || n < -192 { // _CMP_GT_OQ on |n|: false for NaN
		if n <= 0 {
			return 0
		}
		return float32(math.Inf(1))
	}
	b := fmaf(-n, 0x1.7f7d1cp-20, fmaf(-n, 0x1.62e4p-1, x))
	u := float32(b * b)
	j := fmaf(
		fmaf(fmaf(0x1.0e4020p-7, b, 0x1.573e2ep-5), u, fmaf(0x1.555e66p-3, b, 0x1.fffdb6p-2)),
		u,
		fmaf(0x1.ffffecp-1, b, 1))
	if n != n {
		return n
	}
	// scalef: j·2^n rounded once (the float64 product is exact).
	return float32(float64(j) * math.Ldexp(1, int(n)))
}

// foldLanes sums v (a power-of-two length) by halving, as
// _mm512_reduce_add_ps does for 16 lanes: v[i] += v[i+half] until one
// value is left. v is overwritten.
func foldLanes(v []float32) float32 {
	for h := len(v) / 2; h >= 1; h /= 2 {
		for i := 0; i < h; i++ {
			v[i] += v[i+h]
		}
	}
	return v[0]
}

// DotGGML returns x·y (len(y) ≥ len(x)) as ggml_vec_dot_f32 computes it on
// an AVX-512 build: over the first len(x)&^63 values 64 lanes of fused
// multiply-adds folded by halving; then the rest one by one in order, as
// GCC compiled that loop: the products of whole groups of four rounded
// before each addition (its vectorised in-order reduction), the last
// (len(x)−np) mod 4 as fused multiply-adds. llama.cpp's attention without
// flash attention takes its scores from it: the permuted query is not
// contiguous, so the product skips tinyBLAS.
func DotGGML(x, y []float32) float32 {
	y = y[:len(x)]
	np := len(x) &^ (LanesSingle - 1)
	var sum float32
	if s, ok := dotLanes64Bulk(x, y, np); ok {
		sum = s
	} else if np > 0 {
		sum = dotLanes64Go(x, y, np)
	}
	fused := np + (len(x)-np)&^3
	for i := np; i < fused; i++ {
		sum += float32(x[i] * y[i])
	}
	for i := fused; i < len(x); i++ {
		sum = fmaf(x[i], y[i], sum)
	}
	return sum
}

// dotLanes64Go is DotGGML's 64-lane part over x[:np]: lane l the chain
// of fused multiply-adds of x[i+l]·y[i+l], the lanes folded by halving.
func dotLanes64Go(x, y []float32, np int) float32 {
	var acc [LanesSingle]float32
	for i := 0; i < np; i += LanesSingle {
		for l := range acc {
			r, ok := fmafFast(x[i+l], y[i+l], acc[l])
			if !ok {
				r = fma32(x[i+l], y[i+l], acc[l])
			}
			acc[l] = r
		}
	}
	return foldLanes(acc[:])
}

// SoftMaxGGML replaces the scores x in place with their softmax weights as
// ggml_soft_max_f32 computes them on an AVX-512 CPU. x[i] is the score of
// cache cell first+i; every other cell of the row is masked. The weights
// are e^(x−max) (ExpGGML) times float32(1/sum), the float64 sum being
// taken group by group of the 16 cells 16k…16k+15, each group summed by
// _mm512_reduce_add_ps.
func SoftMaxGGML(x []float32, first int) {
	if len(x) == 0 {
		return
	}
	mx := float32(math.Inf(-1))
	for _, v := range x {
		mx = max(mx, v)
	}
	for i := expGGMLSubBulk(x, mx); i < len(x); i++ {
		x[i] = ExpGGML(x[i] - mx)
	}
	var sum float64
	var g [16]float32
	for lo := first &^ 15; lo < first+len(x); lo += 16 {
		for l := range g {
			g[l] = 0
			if i := lo + l - first; i >= 0 && i < len(x) {
				g[l] = x[i]
			}
		}
		sum += float64(foldLanes(g[:]))
	}
	inv := float32(1 / sum)
	for i := range x {
		x[i] *= inv
	}
}

// WeightedSumGGML writes out[d] = Σᵢ w[i]·V[i][d] in llama.cpp's order
// with the given lane count (LanesBatch or LanesSingle): V row i is the
// little-endian float32 row at v[i·stride:] of cache cell first+i, which
// goes to lane (first+i) mod lanes; each lane is a chain of correctly
// rounded fused multiply-adds in cell order, and the lanes are folded by
// halving. acc is scratch of at least lanes·len(out) floats.
func WeightedSumGGML(out, w []float32, first int, v []byte, stride, lanes int, acc []float32) {
	hd := len(out)
	acc = acc[:lanes*hd] // lane l's accumulators of all hd outputs at l·hd
	clear(acc)
	for i, wi := range w {
		if wi == 0 {
			continue // adds +0 (or −0 to a lane that is not −0): no change
		}
		l := (first + i) & (lanes - 1)
		fusedAxpyRow(acc[l*hd:(l+1)*hd], v[i*stride:i*stride+4*hd], wi)
	}
	var col [LanesSingle]float32
	for d := range out {
		for l := 0; l < lanes; l++ {
			col[l] = acc[l*hd+d]
		}
		out[d] = foldLanes(col[:lanes])
	}
}

// fusedAxpyRow sets a[d] = fma(x[d], w, a[d]), each correctly rounded once,
// where x is the little-endian float32 row; an AVX2+FMA twin takes whole
// groups of eight with the same bits.
func fusedAxpyRow(a []float32, row []byte, w float32) {
	row = row[:4*len(a)]
	for d := fusedAxpyBulk(a, row, w); d < len(a); d++ {
		x := math.Float32frombits(binary.LittleEndian.Uint32(row[4*d:]))
		r, ok := fmafFast(x, w, a[d])
		if !ok {
			r = fma32(x, w, a[d])
		}
		a[d] = r
	}
}
