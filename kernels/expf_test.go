package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestExpfMatchesMathExp(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	diff := 0
	check := func(x float32) {
		want := float32(math.Exp(float64(x)))
		got := Expf(x)
		if got != want {
			if math.Abs(float64(got)-float64(want)) > 1e-7*float64(want) {
				t.Fatalf("Expf(%v) = %v, want %v", x, got, want)
			}
			diff++
		}
	}
	for _, x := range []float32{0, -0.5, -1, -10, -87, -88, -103, -104, -109.9, -200, 1, 20, 88, float32(math.Inf(-1))} {
		check(x)
	}
	for i := 0; i < 200000; i++ {
		check(-float32(rng.ExpFloat64() * 8))
	}
	if diff > 200 { // 0.1 %: last-bit ties of the polynomial
		t.Errorf("%d of 200000 results differ from float32(math.Exp) in the last bit", diff)
	}
	if v := Expf(float32(math.NaN())); v == v {
		t.Errorf("Expf(NaN) = %v", v)
	}
}

func BenchmarkExpf(b *testing.B) {
	var s float32
	for i := 0; b.Loop(); i++ {
		s += Expf(-float32(i&1023) / 64)
	}
	_ = s
}
