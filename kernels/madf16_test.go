package kernels

import (
	"encoding/binary"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestFMA32 checks fma32 against exact arithmetic rounded once.
func TestFMA32(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	exact := func(x, a, y float32) float32 {
		p := new(big.Float).SetPrec(200).SetFloat64(float64(x))
		p.Mul(p, new(big.Float).SetPrec(200).SetFloat64(float64(a)))
		p.Add(p, new(big.Float).SetPrec(200).SetFloat64(float64(y)))
		f, _ := p.Float32()
		return f
	}
	check := func(x, a, y float32) {
		if got, want := fma32(x, a, y), exact(x, a, y); math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("fma32(%v, %v, %v) = %v, want %v", x, a, y, got, want)
		}
	}
	// A tie after the float64 sum: y = 1 + 2^-24 (a float32 midpoint
	// region) with a tiny product pushing it off the tie.
	check(1, 1.0/(1<<24), 1)
	check(float32(math.Ldexp(1, -60)), 1, 1+float32(math.Ldexp(1, -23)))
	check(-float32(math.Ldexp(1, -60)), 1, 1+float32(math.Ldexp(1, -23)))
	for i := 0; i < 100000; i++ {
		x := float32(rng.NormFloat64())
		a := float32(rng.NormFloat64() * math.Ldexp(1, rng.IntN(40)-20))
		y := float32(rng.NormFloat64())
		if i%3 == 0 { // cancelling sums
			y = -x*a + float32(rng.NormFloat64()*1e-6)
		}
		check(x, a, y)
	}
}

// TestMadF16Twins compares the assembly with the pure-Go twin over lengths
// around the vector width, with guard values after the row.
func TestMadF16Twins(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	half := func(n int, scale float64) []byte {
		b := make([]byte, 2*n)
		for i := 0; i < n; i++ {
			binary.LittleEndian.PutUint16(b[2*i:], F32ToF16(float32(rng.NormFloat64()*scale)))
		}
		return b
	}
	for _, n := range []int{1, 7, 8, 9, 16, 63, 64, 65, 128, 200} {
		for _, a := range []float32{0, 1, -0.37, 1e-3, 3e4, float32(rng.Float64())} {
			x, y := half(n+4, 2), half(n+4, 100)
			want := append([]byte(nil), y...)
			madF16Go(want[:2*n], x[:2*n], a)
			got := append([]byte(nil), y...)
			MadF16(got[:2*n], x, a)
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("n=%d a=%v: byte %d is %#x, twin %#x (guard from %d)", n, a, i, got[i], want[i], 2*n)
				}
			}
		}
	}
}
