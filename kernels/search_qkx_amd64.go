//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// qkxSearch8HasAsm reports whether qkxSearch8 uses the AVX2 twin.
var qkxSearch8HasAsm = cpu.X86.HasAVX2

// qkxSearch8 runs eight make_qkx2_quants searches (see qkx8Args), with the
// AVX2 twin when the CPU has AVX2.
func qkxSearch8(a *qkx8Args) {
	if qkxSearch8HasAsm {
		qkxSearch8AVX2(a)
		return
	}
	qkxSearch8Go(a)
}

// qkxSearch8Asm is the assembly twin, for the equivalence tests.
func qkxSearch8Asm(a *qkx8Args) { qkxSearch8AVX2(a) }

// qkxSearch8AVX2 is qkxSearch8Go with lane j of each YMM register running
// sub-block j. For every lane it performs, with no FMA and in this order,
// ggml's make_qkx2_quants (n = 32, use_mad false):
//
//	min, max = x[0], x[0]; sumW = w[0]; sumX = w[0]*x[0]
//	for i := 1; i < 32; i++ {
//		if x[i] < min { min = x[i] }; if x[i] > max { max = x[i] }
//		sumW += w[i]; sumX += w[i]*x[i]
//	}
//	if min > 0 { min = 0 }
//	if max == min { L = 0; return 0, -min }
//	iscale := nmax/(max-min); scale := 1/iscale; best := 0
//	for i := range 32 {
//		L[i] = clamp(nearest_int(iscale*(x[i]-min)), 0, nmax)
//		d := scale*L[i] + min - x[i]; best += w[i]*(d*d)
//	}
//	for is := 0; is <= nstep; is++ {
//		iscale = num[is]/(max-min)   // num[is] = rmin + rdelta*is + nmax; min as updated
//		sl, sl2, sxl := 0, 0, 0
//		for i := range 32 {
//			l := clamp(nearest_int(iscale*(x[i]-min)), 0, nmax); aux[i] = l
//			sl += w[i]*l; sl2 += w[i]*l*l; sxl += w[i]*l*x[i]
//		}
//		D := sumW*sl2 - sl*sl
//		if D > 0 {
//			ts := (sumW*sxl - sumX*sl)/D; tm := (sl2*sumX - sl*sxl)/D
//			if tm > 0 { tm = 0; ts = sxl/sl2 }
//			mad := 0; for i := range 32 { d := ts*aux[i] + tm - x[i]; mad += w[i]*(d*d) }
//			if mad < best { L = aux; best = mad; scale = ts; min = tm }
//		}
//	}
//	return scale, -min
//
// nearest_int is ggml's bit trick (add 1.5·2²³, keep the low 23 bits, less
// 2²²), done with integer lane ops so that it also matches for huge and
// non-finite values; the branches are per-lane masks and blends.
//
//go:noescape
func qkxSearch8AVX2(a *qkx8Args)
