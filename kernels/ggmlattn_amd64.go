//go:build amd64 && !purego

package kernels

import "unsafe"

// fusedAxpyBulk runs fusedAxpyRow over the first len(a)&^7 values with
// AxpyF32's AVX2 twin (VFMADD231PS: one rounding, as fma32) and returns
// how many it did (0 without AVX2+FMA). The row's bytes are read as
// float32 in place (little-endian, as amd64 is).
func fusedAxpyBulk(a []float32, row []byte, w float32) int {
	m := len(a) &^ 7
	if !dotHasAsm || m == 0 {
		return 0
	}
	_ = row[4*m-1]
	axpyF32AVX2(w, (*float32)(unsafe.Pointer(unsafe.SliceData(row))), unsafe.SliceData(a), m)
	return m
}

// dotLanes64Bulk returns DotGGML's folded 64-lane sum over x[:np] (np a
// positive multiple of 64) with the AVX2+FMA twin, and whether it did.
func dotLanes64Bulk(x, y []float32, np int) (float32, bool) {
	if !dotHasAsm || np <= 0 {
		return 0, false
	}
	_, _ = x[np-1], y[np-1]
	return dotLanes64AVX2(unsafe.SliceData(x), unsafe.SliceData(y), np), true
}

//go:noescape
func dotLanes64AVX2(x, y *float32, n int) float32

// expGGMLHasAsm reports whether expGGMLSubBulk has its AVX-512 twin (the
// instructions ggml_v_expf itself uses).
var expGGMLHasAsm = features.AVX512F && features.FMA

// expGGMLSubBulk sets x[i] = ExpGGML(x[i]−sub) over the first len(x)&^15
// values with the AVX-512 twin (groups with |n| > 192 through ExpGGML)
// and returns how many it did.
func expGGMLSubBulk(x []float32, sub float32) int {
	n := len(x) &^ 15
	if !expGGMLHasAsm || n == 0 {
		return 0
	}
	for done := 0; done < n; {
		done += expGGMLSubAVX512(&x[done], n-done, sub)
		if done < n {
			for i := done; i < done+16; i++ {
				x[i] = ExpGGML(x[i] - sub)
			}
			done += 16
		}
	}
	return n
}

//go:noescape
func expGGMLSubAVX512(x *float32, n int, sub float32) int
