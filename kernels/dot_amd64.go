//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// dotHasAsm reports whether DotF32, DotF32x4, AxpyF32 and ScaleF32 use
// their AVX2+FMA twins. FMA makes them differ from the Go bodies in the
// last bits, but the result depends only on the inputs, never on the run.
var dotHasAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// dotF32Bulk returns Σ a[i]·b[i] over the first m = len(a)&^7 elements
// and m, or (0, 0) when the twin is off or m is 0. len(b) >= len(a).
func dotF32Bulk(a, b []float32) (float32, int) {
	m := len(a) &^ 7
	if !dotHasAsm || m == 0 {
		return 0, 0
	}
	return dotF32AVX2(&a[0], &b[0], m), m
}

// dotF32x4Bulk is dotF32Bulk for DotF32x4: the four dot products over the
// first m = len(w)&^7 elements, and m (0 when nothing was done).
func dotF32x4Bulk(w, x0, x1, x2, x3 []float32) (s0, s1, s2, s3 float32, m int) {
	m = len(w) &^ 7
	if !dotHasAsm || m == 0 {
		return 0, 0, 0, 0, 0
	}
	s0, s1, s2, s3 = dotF32x4AVX2(&w[0], &x0[0], &x1[0], &x2[0], &x3[0], m)
	return s0, s1, s2, s3, m
}

// axpyF32Bulk updates the first len(y)&^7 elements of y and returns how
// many it did (0 when the twin is off). len(x) >= len(y).
func axpyF32Bulk(a float32, x, y []float32) int {
	m := len(y) &^ 7
	if !dotHasAsm || m == 0 {
		return 0
	}
	axpyF32AVX2(a, &x[0], &y[0], m)
	return m
}

// scaleF32Bulk scales the first len(x)&^7 elements and returns how many
// it did (0 when the twin is off).
func scaleF32Bulk(x []float32, s float32) int {
	m := len(x) &^ 7
	if !dotHasAsm || m == 0 {
		return 0
	}
	scaleF32AVX2(&x[0], m, s)
	return m
}

// dotF32AVX2 is Σ a[i]·b[i] over n (a positive multiple of 8) elements.
//
//go:noescape
func dotF32AVX2(a, b *float32, n int) float32

// dotF32x4AVX2 is the four dot products of w with x0…x3 over n (a
// positive multiple of 8) elements.
//
//go:noescape
func dotF32x4AVX2(w, x0, x1, x2, x3 *float32, n int) (s0, s1, s2, s3 float32)

// axpyF32AVX2 sets y[i] = fma(a, x[i], y[i]) for i < n (a positive
// multiple of 8).
//
//go:noescape
func axpyF32AVX2(a float32, x, y *float32, n int)

// scaleF32AVX2 multiplies x[i] by s for i < n (a positive multiple of 8).
//
//go:noescape
func scaleF32AVX2(x *float32, n int, s float32)
