package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// dotRef is Σ a·b in float64.
func dotRef(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func randVec(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return v
}

func TestDotF32(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 7, 8, 9, 31, 256, 1000} {
		w := randVec(rng, n)
		xs := [4][]float32{randVec(rng, n), randVec(rng, n), randVec(rng, n), randVec(rng, n+3)}
		tol := 1e-5 * math.Sqrt(float64(n+1)) * 4
		got := DotF32(w, xs[0])
		if d := math.Abs(float64(got) - dotRef(w, xs[0])); d > tol {
			t.Errorf("n=%d: DotF32 off by %g", n, d)
		}
		s0, s1, s2, s3 := DotF32x4(w, xs[0], xs[1], xs[2], xs[3])
		for k, s := range []float32{s0, s1, s2, s3} {
			if d := math.Abs(float64(s) - dotRef(w, xs[k][:n])); d > tol {
				t.Errorf("n=%d: DotF32x4[%d] off by %g", n, k, d)
			}
		}
		y := randVec(rng, n)
		want := make([]float64, n)
		for i := range y {
			want[i] = (float64(y[i]) + 0.5*float64(w[i])) * 2
		}
		AxpyF32(0.5, w, y)
		ScaleF32(y, 2)
		for i := range y {
			if math.Abs(float64(y[i])-want[i]) > 1e-5 {
				t.Fatalf("n=%d: Axpy/Scale element %d = %g, want %g", n, i, y[i], want[i])
			}
		}
	}
}

func BenchmarkDotF32x4(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	const n = 1024
	w, x := randVec(rng, n), randVec(rng, 4*n)
	b.SetBytes(5 * 4 * n)
	var sink float32
	for i := 0; i < b.N; i++ {
		s0, s1, s2, s3 := DotF32x4(w, x[:n], x[n:2*n], x[2*n:3*n], x[3*n:])
		sink += s0 + s1 + s2 + s3
	}
	_ = sink
}
