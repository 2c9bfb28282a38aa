package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// TestIQ4x8ArgsLayout pins the field offsets hard-coded in
// search_iq4_amd64.s.
func TestIQ4x8ArgsLayout(t *testing.T) {
	var a iq4x8Args
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"x", unsafe.Offsetof(a.x), 0},
		{"w", unsafe.Offsetof(a.w), 1024},
		{"scale", unsafe.Offsetof(a.scale), 2048},
	} {
		if c.got != c.want {
			t.Errorf("iq4x8Args.%s at offset %d, the assembly expects %d", c.name, c.got, c.want)
		}
	}
}

// TestIQ4MidpointIndex checks the midpoint count the assembly uses against
// iq4BestIndex on every code value, midpoint and their float neighbours,
// random values over the whole range, and specials.
func TestIQ4MidpointIndex(t *testing.T) {
	count := func(x float32) uint8 {
		var n uint8
		for k := range iq4Mid8 {
			if !(x < iq4Mid8[k][0]) {
				n++
			}
		}
		return n
	}
	var xs []float32
	for k := range iq4ValuesF {
		xs = append(xs, iq4ValuesF[k])
		if k < 15 {
			xs = append(xs, iq4Mid8[k][0])
		}
	}
	for _, x := range xs[:len(xs):len(xs)] {
		for _, v := range []float32{x, -x} {
			xs = append(xs, math.Nextafter32(v, float32(math.Inf(1))), math.Nextafter32(v, float32(math.Inf(-1))))
		}
	}
	r := rand.New(rand.NewPCG(11, 12))
	for range 200000 {
		xs = append(xs, float32((r.Float64()*2-1)*140), float32(r.NormFloat64()*math.Pow(10, float64(r.IntN(80)-40))))
	}
	xs = append(xs, 0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
		math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32)
	for _, x := range xs {
		if got, want := count(x), iq4BestIndex(x); got != want {
			t.Fatalf("midpoint count for %v (%#x) = %d, iq4BestIndex gives %d", x, math.Float32bits(x), got, want)
		}
	}
}

// TestIQ4Search8AsmMatchesGo runs the assembly twin and the pure-Go search
// on seeded inputs (each lane drawn from a family, mixed across lanes too;
// weights x², importance-style, arbitrary positive, with zeros and
// specials, or cancelling ±1 pairs) and compares scales bit for bit.
func TestIQ4Search8AsmMatchesGo(t *testing.T) {
	if !iq4Search8HasAsm {
		t.Log("no assembly twin in this build or on this CPU: nothing to compare")
		return
	}
	r := rand.New(rand.NewPCG(13, 14))
	const rounds = 60
	for gi, g := range qkxGens {
		for round := range rounds {
			var xs [qk32]float32
			var a iq4x8Args
			for j := range 8 {
				gen := g.gen
				if round%3 == 2 { // mix families across lanes
					gen = qkxGens[(gi+j)%len(qkxGens)].gen
				}
				gen(r, xs[:])
				for l, v := range xs {
					a.x[l][j] = v
					switch round % 6 {
					case 5: // ±1 in pairs, so that sumq2 can cancel to exactly 0
						a.w[l][j] = float32(1 - 2*(l%2))
						if l%2 == 1 {
							a.x[l][j] = a.x[l-1][j] * 1.001
						}
					case 3: // arbitrary positive weights
						a.w[l][j] = float32(r.Float64() + 0.01)
					case 4: // arbitrary weights incl. zero, negative, huge
						a.w[l][j] = []float32{0, -1, 1e30, float32(r.NormFloat64())}[r.IntN(4)]
					case 1: // importance-style qw·sqrt(σ²+x²)
						a.w[l][j] = float32(r.Float64()*4) * sqrtC(0.5+float32(v*v))
					default: // reference weights x²
						a.w[l][j] = v * v
					}
				}
			}
			b := a
			iq4Search8Asm(&a)
			iq4Search8Go(&b)
			for j := range 8 {
				if !sameF32(a.scale[j], b.scale[j]) {
					t.Fatalf("%s round %d lane %d: asm scale %g (%#x), Go %g (%#x)",
						g.name, round, j, a.scale[j], math.Float32bits(a.scale[j]),
						b.scale[j], math.Float32bits(b.scale[j]))
				}
			}
		}
	}
}

// TestQuantizeIQ4AsmMatchesGo compares whole QuantizeIQ4_NL/IQ4_XS
// outputs, with and without importance weights, with the assembly twin on
// and off; the IQ4_NL length is not a multiple of eight blocks.
func TestQuantizeIQ4AsmMatchesGo(t *testing.T) {
	if !iq4Search8HasAsm {
		t.Log("no assembly twin in this build or on this CPU: nothing to compare")
		return
	}
	defer func() { iq4Search8HasAsm = true }()
	r := rand.New(rand.NewPCG(15, 16))
	const nb = 24
	src := make([]float32, nb*qkK)
	qw := make([]float32, nb*qkK)
	for i := 0; i < nb*qkK/qk32; i++ {
		g := qkxGens[(i+i/8*(i%3))%len(qkxGens)].gen
		g(r, src[i*qk32:i*qk32+qk32])
	}
	for i := range qw {
		qw[i] = float32(r.Float64() * 4)
	}
	for _, c := range []struct {
		name  string
		n     int // values
		block int // bytes per block
		per   int // values per block
		f     func(dst []byte, src, weights []float32)
	}{
		{"iq4_nl", nb*qkK - 3*qk32, blockIQ4NL, qk32, QuantizeIQ4_NL},
		{"iq4_xs", nb * qkK, blockIQ4XS, qkK, QuantizeIQ4_XS},
	} {
		for _, w := range [][]float32{nil, qw[:c.n]} {
			nblk := c.n / c.per
			asm := make([]byte, nblk*c.block)
			ref := make([]byte, nblk*c.block)
			c.f(asm, src[:c.n], w)
			iq4Search8HasAsm = false
			c.f(ref, src[:c.n], w)
			iq4Search8HasAsm = true
			for i := 0; i < nblk; i++ {
				a, b := asm[i*c.block:(i+1)*c.block], ref[i*c.block:(i+1)*c.block]
				if string(a) != string(b) {
					t.Errorf("%s weighted %v block %d: assembly and Go outputs differ\nasm %x\nGo  %x", c.name, w != nil, i, a, b)
				}
			}
		}
	}
}

// BenchmarkIQ4Search8 times one eight-lane search (256 values).
func BenchmarkIQ4Search8(b *testing.B) {
	r := rand.New(rand.NewPCG(17, 18))
	var a iq4x8Args
	for l := range qk32 {
		for j := range 8 {
			v := float32(r.NormFloat64())
			a.x[l][j], a.w[l][j] = v, v*v
		}
	}
	b.SetBytes(qkK * 4)
	for b.Loop() {
		iq4Search8(&a)
	}
}
