//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// qxSearch8HasAsm reports whether qxSearch8 uses the AVX2 twin.
var qxSearch8HasAsm = cpu.X86.HasAVX2

// qxSearch8 runs eight make_qx_quants searches (see qx8Args), with the
// AVX2 twin when the CPU has AVX2.
func qxSearch8(a *qx8Args) {
	if qxSearch8HasAsm {
		qxSearch8AVX2(a)
		return
	}
	qxSearch8Go(a)
}

// qxSearch8Asm is the assembly twin, for the equivalence tests.
func qxSearch8Asm(a *qx8Args) { qxSearch8AVX2(a) }

// qxSearch8AVX2 is qxSearch8Go with lane j of each YMM register running
// sub-block j. For every lane it performs, with no FMA and in this order,
// ggml's make_qx_quants (n = 16, rmse_type 1, weights w):
//
//	max, amax := 0, 0
//	for i := range 16 { if |x[i]| > amax { amax = |x[i]|; max = x[i] }; wx[i] = w[i]*x[i] }
//	sums(iscale): for i := range 16 {
//		l := float(clamp(nearest_int(iscale*x[i]), -nmax, nmax-1))
//		sumlx += wx[i]*l; suml2 += (w[i]*l)*l   // both from +0
//	}
//	iscale := -nmax/max; sumlx, suml2 := sums(iscale)
//	scale := suml2 != 0 ? sumlx/suml2 : 0; best := scale*sumlx; bestIscale := iscale
//	for k := range 18 {            // is = -9…-1, 1…9
//		iscale = num[k]/max; sumlx, suml2 = sums(iscale)
//		if suml2 > 0 && sumlx*sumlx > best*suml2 {
//			bestIscale = iscale; scale = sumlx/suml2; best = scale*sumlx
//		}
//	}
//	L[i] = clamp(nearest_int(bestIscale*x[i]), -nmax, nmax-1) + nmax
//	if amax < GROUP_MAX_EPS { L = 0; scale = 0 }
//
// nearest_int is ggml's bit trick (add 1.5·2²³, keep the low 23 bits, less
// 2²²), done with integer lane ops so that it also matches for huge and
// non-finite values; the branches are per-lane masks and blends.
//
//go:noescape
func qxSearch8AVX2(a *qx8Args)
