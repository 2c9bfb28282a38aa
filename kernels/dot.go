package kernels

// Dot products and vector updates for the reference forward pass (package
// model). These are not bit-exact with ggml (ggml's SIMD dot products sum in
// a different order, and quantized weights are multiplied with quantized
// activations there); they are plain float32 arithmetic with short
// summation trees. On amd64 with AVX2+FMA (unless built with -tags
// purego) assembly twins (dot_amd64.s) do the multiple-of-8 prefix with
// fused multiply-adds and the Go code below finishes the tail; results
// then differ from the portable bodies (dot_portable.go) in the last bits
// but depend only on the inputs, never on the run or the thread count.

// DotF32 returns Σ a[i]·b[i] over len(a) elements (b must be at least as
// long as a).
func DotF32(a, b []float32) float32 {
	n := len(a)
	b = b[:n]
	s, m := dotF32Bulk(a, b)
	if m == 0 {
		return dotF32Go(a, b)
	}
	for i := m; i < n; i++ {
		s += a[i] * b[i]
	}
	return s
}

// DotF32x4 returns the dot products of w with x0…x3 (each at least len(w)
// long). Loading w once for four vectors is what makes a batched matrix
// product faster than four separate DotF32 calls.
func DotF32x4(w, x0, x1, x2, x3 []float32) (s0, s1, s2, s3 float32) {
	n := len(w)
	x0, x1, x2, x3 = x0[:n], x1[:n], x2[:n], x3[:n]
	s0, s1, s2, s3, m := dotF32x4Bulk(w, x0, x1, x2, x3)
	if m == 0 {
		return dotF32x4Go(w, x0, x1, x2, x3)
	}
	for i := m; i < n; i++ {
		s0 += w[i] * x0[i]
		s1 += w[i] * x1[i]
		s2 += w[i] * x2[i]
		s3 += w[i] * x3[i]
	}
	return s0, s1, s2, s3
}

// AxpyF32 adds a·x[i] to y[i] for i < len(y) (x must be at least as long
// as y).
func AxpyF32(a float32, x, y []float32) {
	x = x[:len(y)]
	m := axpyF32Bulk(a, x, y)
	axpyF32Go(a, x[m:], y[m:])
}

// ScaleF32 multiplies every element of x by s.
func ScaleF32(x []float32, s float32) {
	m := scaleF32Bulk(x, s)
	scaleF32Go(x[m:], s)
}
