//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// iq4Search8HasAsm reports whether iq4Search8 uses the AVX2 twin.
var iq4Search8HasAsm = cpu.X86.HasAVX2

// iq4Search8 runs eight IQ4 scale searches (see iq4x8Args), with the AVX2
// twin when the CPU has AVX2.
func iq4Search8(a *iq4x8Args) {
	if iq4Search8HasAsm {
		iq4Search8AVX2(a, &iq4Mid8, &iq4Num, &iq4ValuesF)
		return
	}
	iq4Search8Go(a)
}

// iq4Search8Asm is the assembly twin, for the equivalence tests.
func iq4Search8Asm(a *iq4x8Args) { iq4Search8AVX2(a, &iq4Mid8, &iq4Num, &iq4ValuesF) }

// iq4Search8AVX2 is iq4Search8Go with lane j of each YMM register running
// sub-block j. For every lane it performs, with no FMA and in this order,
// iq4SubScale (ggml's quantize_row_iq4_nl_impl, ntry = 7):
//
//	max, amax := 0, 0; for i { if |x[i]| > amax { amax = |x[i]|; max = x[i] } }
//	sums(id): for i := range 32 {
//		q := vals[#{k : !(id*x[i] < mid[k])}]   // = iq4BestIndex
//		wq := w[i]*q; sumqx += wq*x[i]; sumq2 += wq*q  // both from +0
//	}
//	d := -max / vals[0]; sumqx, sumq2 := sums(1/d)
//	d = sumqx/sumq2; best := d*sumqx
//	for k := range 15 {
//		sumqx, sumq2 = sums(num[k]/max)
//		if sumq2 > 0 && sumqx*sumqx > best*sumq2 { d = sumqx/sumq2; best = d*sumqx }
//	}
//	scale = amax < GROUP_MAX_EPS ? 0 : d
//
// mid, num and vals are iq4Mid8, iq4Num and iq4ValuesF.
//
//go:noescape
func iq4Search8AVX2(a *iq4x8Args, mid *[15][8]float32, num *[2*iq4NTry + 1]float32, vals *[16]float32)
