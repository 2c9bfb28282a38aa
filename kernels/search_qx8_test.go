package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// TestQx8ArgsLayout pins the field offsets hard-coded in
// search_qx_amd64.s, and the GROUP_MAX_EPS bits it uses.
func TestQx8ArgsLayout(t *testing.T) {
	var a qx8Args
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"x", unsafe.Offsetof(a.x), 0},
		{"w", unsafe.Offsetof(a.w), 512},
		{"wx", unsafe.Offsetof(a.wx), 1024},
		{"lv", unsafe.Offsetof(a.lv), 1536},
		{"scale", unsafe.Offsetof(a.scale), 2048},
		{"small", unsafe.Offsetof(a.small), 2080},
		{"num", unsafe.Offsetof(a.num), 2112},
		{"negNmax", unsafe.Offsetof(a.negNmax), 2184},
		{"nmax", unsafe.Offsetof(a.nmax), 2188},
	} {
		if c.got != c.want {
			t.Errorf("qx8Args.%s at offset %d, the assembly expects %d", c.name, c.got, c.want)
		}
	}
	if got := math.Float32bits(groupMaxEps); got != 0x26901d7d {
		t.Errorf("GROUP_MAX_EPS bits %#x, the assembly uses 0x26901d7d", got)
	}
}

// TestQxSearch8AsmMatchesGo runs the assembly twin and the pure-Go search
// on seeded inputs (each lane drawn from a family, mixed across lanes too;
// weights x², arbitrary, or with zeros and specials) and compares codes
// and scales bit for bit.
func TestQxSearch8AsmMatchesGo(t *testing.T) {
	if !qxSearch8HasAsm {
		t.Log("no assembly twin in this build or on this CPU: nothing to compare")
		return
	}
	r := rand.New(rand.NewPCG(5, 6))
	const rounds = 80
	gens := append(qkxGens[:len(qkxGens):len(qkxGens)], struct {
		name string
		gen  qkxGen
	}{"near-eps", func(r *rand.Rand, xs []float32) {
		for i := range xs {
			xs[i] = float32(r.Float64()) * 1e-15
		}
		edge := []float32{groupMaxEps, math.Nextafter32(groupMaxEps, 0), math.Nextafter32(groupMaxEps, 1)}
		xs[r.IntN(len(xs))] = edge[r.IntN(len(edge))] * float32(1-2*r.IntN(2))
	}})
	for _, nmax := range []int{32, 4} {
		for gi, g := range gens {
			for round := range rounds {
				var xs [16]float32
				var a qx8Args
				for j := range 8 {
					gen := g.gen
					if round%3 == 2 { // mix families across lanes
						gen = gens[(gi+j)%len(gens)].gen
					}
					gen(r, xs[:])
					for l, v := range xs {
						a.x[l][j] = v
						switch round % 5 {
						case 3: // arbitrary positive weights
							a.w[l][j] = float32(r.Float64() + 0.01)
						case 4: // arbitrary weights incl. zero, negative, huge
							a.w[l][j] = []float32{0, -1, 1e30, float32(r.NormFloat64())}[r.IntN(4)]
						default: // reference weights x²
							a.w[l][j] = v * v
						}
					}
				}
				a.setParams(nmax)
				b := a
				qxSearch8Asm(&a)
				qxSearch8Go(&b)
				for j := range 8 {
					if !sameF32(a.scale[j], b.scale[j]) {
						t.Fatalf("nmax %d %s round %d lane %d: asm scale %g (%#x), Go %g (%#x)",
							nmax, g.name, round, j, a.scale[j], math.Float32bits(a.scale[j]),
							b.scale[j], math.Float32bits(b.scale[j]))
					}
					for l := range 16 {
						if a.lv[l][j] != b.lv[l][j] {
							t.Fatalf("nmax %d %s round %d lane %d: L[%d] asm %d, Go %d", nmax, g.name, round, j, l, a.lv[l][j], b.lv[l][j])
						}
					}
				}
			}
		}
	}
}

// TestQuantizeQ6KAsmMatchesGo compares whole QuantizeQ6_K outputs, with
// and without importance weights, with the assembly twin on and off.
func TestQuantizeQ6KAsmMatchesGo(t *testing.T) {
	if !qxSearch8HasAsm {
		t.Log("no assembly twin in this build or on this CPU: nothing to compare")
		return
	}
	defer func() { qxSearch8HasAsm = true }()
	r := rand.New(rand.NewPCG(7, 8))
	const nb = 64
	src := make([]float32, nb*kqBlock)
	qw := make([]float32, nb*kqBlock)
	for i := 0; i < nb; i++ {
		for j := range 16 {
			g := qkxGens[(i+j*(i%3))%len(qkxGens)].gen
			g(r, src[i*kqBlock+16*j:i*kqBlock+16*j+16])
		}
	}
	for i := range qw {
		qw[i] = float32(r.Float64() * 4)
	}
	for _, w := range [][]float32{nil, qw} {
		asm := make([]byte, nb*kqBytesQ6K)
		ref := make([]byte, nb*kqBytesQ6K)
		QuantizeQ6_K(asm, src, w)
		qxSearch8HasAsm = false
		QuantizeQ6_K(ref, src, w)
		qxSearch8HasAsm = true
		for i := 0; i < nb; i++ {
			a, b := asm[i*kqBytesQ6K:(i+1)*kqBytesQ6K], ref[i*kqBytesQ6K:(i+1)*kqBytesQ6K]
			if string(a) != string(b) {
				t.Errorf("weighted %v block %d: assembly and Go outputs differ\nasm %x\nGo  %x", w != nil, i, a, b)
			}
		}
	}
}

// BenchmarkQxSearch8 times one eight-lane search (128 values).
func BenchmarkQxSearch8(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 10))
	var a qx8Args
	for l := range 16 {
		for j := range 8 {
			v := float32(r.NormFloat64())
			a.x[l][j], a.w[l][j] = v, v*v
		}
	}
	a.setParams(32)
	b.SetBytes(128 * 4)
	for b.Loop() {
		qxSearch8(&a)
	}
}
