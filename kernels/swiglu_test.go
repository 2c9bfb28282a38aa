package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestSwiGLUMatchesTwin checks SwiGLU (the assembly where the CPU has it)
// against its pure-Go twin bit for bit: lengths around the group of four,
// ordinary activations, arguments at and beyond Expf's range limits
// (−88, 110 and their neighbours, ±Inf, NaN, ±0, subnormals) mixed into
// groups, and random bit patterns.
func TestSwiGLUMatchesTwin(t *testing.T) {
	edges := []float32{88, -88, 110, -110, 87.99999, 88.00001, -88.00001, 110.00001, 109.99999,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 0, float32(math.Copysign(0, -1)),
		1e-40, -1e-40, 3.4e38, -3.4e38, 1, -1, 0.5}
	r := rand.New(rand.NewPCG(5, 6))
	for _, pat := range []string{"normal", "wide", "edges", "bits"} {
		for _, n := range []int{0, 1, 3, 4, 5, 7, 8, 9, 64, 1000, 5632} {
			t.Run(fmt.Sprintf("%s/%d", pat, n), func(t *testing.T) {
				g, u := make([]float32, n), make([]float32, n)
				for i := range g {
					switch pat {
					case "normal":
						g[i] = float32(r.NormFloat64() * 2)
					case "wide":
						g[i] = float32(r.NormFloat64() * 60)
					case "edges":
						g[i] = float32(r.NormFloat64())
						if r.IntN(3) == 0 {
							g[i] = edges[r.IntN(len(edges))]
						}
					case "bits":
						g[i] = math.Float32frombits(r.Uint32())
					}
					u[i] = float32(r.NormFloat64())
				}
				want := append([]float32(nil), g...)
				swigluGo(want, u)
				SwiGLU(g, u)
				for i := range g {
					if math.Float32bits(g[i]) != math.Float32bits(want[i]) && !(g[i] != g[i] && want[i] != want[i]) {
						t.Fatalf("element %d: %v, twin %v", i, g[i], want[i])
					}
				}
			})
		}
	}
}

// TestSiLU checks SiLU against x/(1+e^−x) computed in float64 and rounded:
// within one float32 step (Expf may differ from math.Exp in the last bit,
// and the float32 sum and quotient round again).
func TestSiLU(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 100000; i++ {
		x := float32(r.NormFloat64() * 8)
		want := float32(float64(x) / (1 + math.Exp(-float64(x))))
		got := SiLU(x)
		if d := math.Abs(float64(got) - float64(want)); d > 2*float64(math.Nextafter32(abs32(want), float32(math.Inf(1)))-abs32(want)) {
			t.Fatalf("SiLU(%v) = %v, want %v", x, got, want)
		}
	}
	for _, c := range []struct{ x, want float32 }{{0, 0}, {float32(math.Inf(1)), float32(math.Inf(1))}, {-200, 0}} {
		if got := SiLU(c.x); got != c.want {
			t.Errorf("SiLU(%v) = %v, want %v", c.x, got, c.want)
		}
	}
}

func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

func BenchmarkSwiGLU(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 10))
	g, u := make([]float32, 5632), make([]float32, 5632)
	for i := range g {
		g[i], u[i] = float32(r.NormFloat64()), float32(r.NormFloat64())
	}
	work := make([]float32, len(g))
	b.SetBytes(int64(4 * len(g)))
	for b.Loop() {
		copy(work, g)
		SwiGLU(work, u)
	}
}
