package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// bestIndexBisect is best_index_int8 as ggml writes it (binary search),
// kept here as the oracle for the table-driven iq4BestIndex.
func bestIndexBisect(x float32) uint8 {
	v := &iq4ValuesF
	if x <= v[0] {
		return 0
	}
	if x >= v[15] {
		return 15
	}
	lo, hi := 0, 15
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if x < v[mid] {
			hi = mid
		} else {
			lo = mid
		}
	}
	if x-v[hi-1] < v[hi]-x {
		return uint8(hi - 1)
	}
	return uint8(hi)
}

// TestIQ4BestIndex compares the table lookup with the binary search on
// integers, half-integers (midpoint ties), their float32 neighbours, random
// values and the specials.
func TestIQ4BestIndex(t *testing.T) {
	var xs []float32
	for k := -140; k <= 140; k++ {
		for _, f := range []float32{float32(k), float32(k) + 0.5} {
			xs = append(xs, f, math.Nextafter32(f, -1000), math.Nextafter32(f, 1000))
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 100000 {
		xs = append(xs, float32(rng.Float64()*300-150))
	}
	xs = append(xs, 0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e30, -1e30)
	for _, x := range xs {
		if got, want := iq4BestIndex(x), bestIndexBisect(x); got != want {
			t.Fatalf("iq4BestIndex(%v) = %d, binary search gives %d", x, got, want)
		}
	}
}
