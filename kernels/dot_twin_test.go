package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// sumAbsProd is Σ |a[i]·b[i]| in float64: the scale of a dot product's
// rounding error.
func sumAbsProd(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += math.Abs(float64(a[i]) * float64(b[i]))
	}
	return s
}

// offsetVec returns n random values starting off elements into a fresh
// buffer, so the slice is misaligned for off%8 != 0.
func offsetVec(rng *rand.Rand, n, off int) []float32 {
	return randVec(rng, n+off)[off:]
}

// closeDot reports whether got is within 1e-5 relative (to Σ|a·b|) of want.
func closeDot(got, want float32, scale float64) bool {
	return math.Abs(float64(got)-float64(want)) <= 1e-5*scale+1e-30
}

func TestDotTwinsMatchGo(t *testing.T) {
	t.Logf("assembly twins enabled: %v", dotHasAsm)
	rng := rand.New(rand.NewPCG(14, 1))
	lengths := []int{0, 1, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 63, 64, 65, 1000}
	for range 200 {
		lengths = append(lengths, rng.IntN(1001))
	}
	for _, n := range lengths {
		w := offsetVec(rng, n, rng.IntN(8))
		var xs [4][]float32
		for k := range xs {
			xs[k] = offsetVec(rng, n+rng.IntN(3), rng.IntN(8))
		}
		got := DotF32(w, xs[0])
		if want := dotF32Go(w, xs[0]); !closeDot(got, want, sumAbsProd(w, xs[0][:n])) {
			t.Errorf("n=%d: DotF32 = %g, Go body %g", n, got, want)
		}
		if again := DotF32(w, xs[0]); math.Float32bits(again) != math.Float32bits(got) {
			t.Errorf("n=%d: DotF32 not deterministic: %g then %g", n, got, again)
		}
		g0, g1, g2, g3 := DotF32x4(w, xs[0], xs[1], xs[2], xs[3])
		w0, w1, w2, w3 := dotF32x4Go(w, xs[0][:n], xs[1][:n], xs[2][:n], xs[3][:n])
		gots, wants := [4]float32{g0, g1, g2, g3}, [4]float32{w0, w1, w2, w3}
		for k := range gots {
			if !closeDot(gots[k], wants[k], sumAbsProd(w, xs[k][:n])) {
				t.Errorf("n=%d: DotF32x4[%d] = %g, Go body %g", n, k, gots[k], wants[k])
			}
		}
		// DotF32x4 and DotF32 must agree on the first vector within the
		// same tolerance (the forward pass mixes them across row tiles).
		if !closeDot(g0, got, sumAbsProd(w, xs[0][:n])) {
			t.Errorf("n=%d: DotF32x4[0] = %g, DotF32 %g", n, g0, got)
		}
	}
}

func TestAxpyScaleTwinsMatchGo(t *testing.T) {
	const guard = 9
	rng := rand.New(rand.NewPCG(14, 2))
	for range 200 {
		n, off := rng.IntN(1001), rng.IntN(8)
		a := float32(rng.NormFloat64())
		x := offsetVec(rng, n+rng.IntN(3), rng.IntN(8))
		buf := randVec(rng, off+n+guard)
		saved := append([]float32(nil), buf...)
		y := buf[off : off+n]
		want := append([]float32(nil), y...)
		axpyF32Go(a, x[:n], want)
		AxpyF32(a, x, y)
		for i := range y {
			scale := math.Abs(float64(saved[off+i])) + math.Abs(float64(a)*float64(x[i]))
			if math.Abs(float64(y[i])-float64(want[i])) > 1e-6*scale+1e-30 {
				t.Fatalf("n=%d: AxpyF32 y[%d] = %g, Go body %g", n, i, y[i], want[i])
			}
		}
		checkGuards(t, "AxpyF32", n, buf, saved, off)

		s := float32(rng.NormFloat64())
		copy(saved, buf)
		want = append(want[:0], y...)
		scaleF32Go(want, s)
		ScaleF32(y, s)
		for i := range y {
			if math.Float32bits(y[i]) != math.Float32bits(want[i]) {
				t.Fatalf("n=%d: ScaleF32 x[%d] = %g, Go body %g", n, i, y[i], want[i])
			}
		}
		checkGuards(t, "ScaleF32", n, buf, saved, off)
	}
}

// checkGuards fails if anything in buf outside [off, off+n) changed.
func checkGuards(t *testing.T, name string, n int, buf, saved []float32, off int) {
	t.Helper()
	for i := range buf {
		if (i < off || i >= off+n) && math.Float32bits(buf[i]) != math.Float32bits(saved[i]) {
			t.Fatalf("n=%d: %s wrote buf[%d] outside y[%d:%d]", n, name, i, off, off+n)
		}
	}
}

// BenchmarkDotF32x4Size compares the Go body with the exported function
// (the assembly twin where enabled) at transformer row widths.
func BenchmarkDotF32x4Size(b *testing.B) {
	for _, n := range []int{2048, 4096} {
		rng := rand.New(rand.NewPCG(1, uint64(n)))
		w, x := randVec(rng, n), randVec(rng, 4*n)
		for _, impl := range []struct {
			name string
			f    func(w, x0, x1, x2, x3 []float32) (s0, s1, s2, s3 float32)
		}{{"go", dotF32x4Go}, {"exported", DotF32x4}} {
			b.Run(fmt.Sprintf("%s/n=%d", impl.name, n), func(b *testing.B) {
				b.SetBytes(5 * 4 * int64(n))
				var sink float32
				for i := 0; i < b.N; i++ {
					s0, s1, s2, s3 := impl.f(w, x[:n], x[n:2*n], x[2*n:3*n], x[3*n:])
					sink += s0 + s1 + s2 + s3
				}
				b.ReportMetric(8*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				_ = sink
			})
		}
	}
}
