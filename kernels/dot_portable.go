package kernels

// Portable Go bodies of the dot products: used where no assembly twin
// exists (other architectures, -tags purego, CPUs without AVX2+FMA), for
// the tails the twins leave, and as the reference in the tests.

// dotF32Go returns Σ a[i]·b[i] over len(a) elements (b must be at least as
// long as a).
func dotF32Go(a, b []float32) float32 {
	n := len(a)
	b = b[:n]
	m := n &^ 7
	var s0, s1 float32
	for i := 0; i < m; i += 8 {
		aa := a[i : i+8 : i+8]
		bb := b[i : i+8 : i+8]
		s0 += (aa[0]*bb[0] + aa[1]*bb[1]) + (aa[2]*bb[2] + aa[3]*bb[3])
		s1 += (aa[4]*bb[4] + aa[5]*bb[5]) + (aa[6]*bb[6] + aa[7]*bb[7])
	}
	for i := m; i < n; i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1
}

// dotF32x4Go returns the dot products of w with x0…x3 (each at least len(w)
// long).
func dotF32x4Go(w, x0, x1, x2, x3 []float32) (s0, s1, s2, s3 float32) {
	n := len(w)
	x0, x1, x2, x3 = x0[:n], x1[:n], x2[:n], x3[:n]
	m := n &^ 7
	for i := 0; i < m; i += 8 {
		ww := w[i : i+8 : i+8]
		y0 := x0[i : i+8 : i+8]
		y1 := x1[i : i+8 : i+8]
		y2 := x2[i : i+8 : i+8]
		y3 := x3[i : i+8 : i+8]
		s0 += ((ww[0]*y0[0] + ww[1]*y0[1]) + (ww[2]*y0[2] + ww[3]*y0[3])) + ((ww[4]*y0[4] + ww[5]*y0[5]) + (ww[6]*y0[6] + ww[7]*y0[7]))
		s1 += ((ww[0]*y1[0] + ww[1]*y1[1]) + (ww[2]*y1[2] + ww[3]*y1[3])) + ((ww[4]*y1[4] + ww[5]*y1[5]) + (ww[6]*y1[6] + ww[7]*y1[7]))
		s2 += ((ww[0]*y2[0] + ww[1]*y2[1]) + (ww[2]*y2[2] + ww[3]*y2[3])) + ((ww[4]*y2[4] + ww[5]*y2[5]) + (ww[6]*y2[6] + ww[7]*y2[7]))
		s3 += ((ww[0]*y3[0] + ww[1]*y3[1]) + (ww[2]*y3[2] + ww[3]*y3[3])) + ((ww[4]*y3[4] + ww[5]*y3[5]) + (ww[6]*y3[6] + ww[7]*y3[7]))
	}
	for i := m; i < n; i++ {
		s0 += w[i] * x0[i]
		s1 += w[i] * x1[i]
		s2 += w[i] * x2[i]
		s3 += w[i] * x3[i]
	}
	return s0, s1, s2, s3
}

// axpyF32Go adds a·x[i] to y[i] for i < len(y) (x must be at least as long
// as y).
func axpyF32Go(a float32, x, y []float32) {
	x = x[:len(y)]
	for i := range y {
		y[i] += a * x[i]
	}
}

// scaleF32Go multiplies every element of x by s.
func scaleF32Go(x []float32, s float32) {
	for i := range x {
		x[i] *= s
	}
}
