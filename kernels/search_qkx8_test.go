package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// TestQkx8ArgsLayout pins the field offsets hard-coded in
// search_qkx_amd64.s.
func TestQkx8ArgsLayout(t *testing.T) {
	var a qkx8Args
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"x", unsafe.Offsetof(a.x), 0},
		{"w", unsafe.Offsetof(a.w), 1024},
		{"lv", unsafe.Offsetof(a.lv), 2048},
		{"aux", unsafe.Offsetof(a.aux), 3072},
		{"scale", unsafe.Offsetof(a.scale), 4096},
		{"theMin", unsafe.Offsetof(a.theMin), 4128},
		{"sumW", unsafe.Offsetof(a.sumW), 4160},
		{"sumX", unsafe.Offsetof(a.sumX), 4192},
		{"nondeg", unsafe.Offsetof(a.nondeg), 4224},
		{"num", unsafe.Offsetof(a.num), 4256},
		{"nnum", unsafe.Offsetof(a.nnum), 4416},
		{"nmax", unsafe.Offsetof(a.nmax), 4424},
	} {
		if c.got != c.want {
			t.Errorf("qkx8Args.%s at offset %d, the assembly expects %d", c.name, c.got, c.want)
		}
	}
}

// qkxGen fills one sub-block of 32 values.
type qkxGen func(r *rand.Rand, xs []float32)

// qkxGens are the input families of the equivalence tests.
var qkxGens = []struct {
	name string
	gen  qkxGen
}{
	{"gaussian", func(r *rand.Rand, xs []float32) {
		for i := range xs {
			xs[i] = float32(r.NormFloat64())
		}
	}},
	{"heavy-tail", func(r *rand.Rand, xs []float32) {
		for i := range xs {
			xs[i] = float32(r.NormFloat64() / (r.Float64() + 1e-3))
		}
	}},
	{"constant", func(r *rand.Rand, xs []float32) {
		c := float32(r.NormFloat64())
		for i := range xs {
			xs[i] = c
		}
	}},
	{"zeros", func(r *rand.Rand, xs []float32) { clear(xs) }},
	{"tiny", func(r *rand.Rand, xs []float32) {
		for i := range xs {
			xs[i] = float32(r.NormFloat64() * 1e-30)
		}
	}},
	{"subnormal", func(r *rand.Rand, xs []float32) {
		for i := range xs {
			xs[i] = float32(r.NormFloat64() * 1e-40)
		}
	}},
	{"huge", func(r *rand.Rand, xs []float32) {
		for i := range xs {
			xs[i] = float32(r.NormFloat64() * 1e30)
		}
	}},
	{"mixed-scale", func(r *rand.Rand, xs []float32) {
		for i := range xs {
			xs[i] = float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(60)-30)))
		}
	}},
	{"all-positive", func(r *rand.Rand, xs []float32) {
		for i := range xs {
			xs[i] = float32(math.Abs(r.NormFloat64()) + 0.5)
		}
	}},
	{"all-negative", func(r *rand.Rand, xs []float32) {
		for i := range xs {
			xs[i] = -float32(math.Abs(r.NormFloat64()) + 0.5)
		}
	}},
	{"few-levels", func(r *rand.Rand, xs []float32) {
		for i := range xs {
			xs[i] = float32(r.IntN(3)) * 0.25
		}
	}},
	{"one-spike", func(r *rand.Rand, xs []float32) {
		clear(xs)
		xs[r.IntN(len(xs))] = float32(r.NormFloat64())
	}},
	{"non-finite", func(r *rand.Rand, xs []float32) {
		for i := range xs {
			xs[i] = float32(r.NormFloat64())
		}
		specials := []float32{float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
		xs[r.IntN(len(xs))] = specials[r.IntN(len(specials))]
	}},
}

// sameF32 reports whether a and b have the same bits, or are both NaN.
func sameF32(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
}

// TestQkxSearch8AsmMatchesGo runs the assembly twin and the pure-Go search
// on seeded inputs (each lane drawn from a family, mixed across lanes too)
// and compares levels, scales and minima bit for bit.
func TestQkxSearch8AsmMatchesGo(t *testing.T) {
	if !qkxSearch8HasAsm {
		t.Log("no assembly twin in this build or on this CPU: nothing to compare")
		return
	}
	params := []struct {
		name string
		p    q45kParams
	}{{"q4_K", q4kParams}, {"q5_K", q5kParams}}
	r := rand.New(rand.NewPCG(1, 2))
	const rounds = 60
	for _, pp := range params {
		for gi, g := range qkxGens {
			for round := range rounds {
				var xs [32]float32
				var a qkx8Args
				for j := range 8 {
					gen := g.gen
					if round%3 == 2 { // mix families across lanes
						gen = qkxGens[(gi+j)%len(qkxGens)].gen
					}
					gen(r, xs[:])
					var sumX2 float32
					for _, v := range xs {
						sumX2 += float32(v * v)
					}
					avX := sqrtC(float32(sumX2 / 32))
					for l, v := range xs {
						a.x[l][j] = v
						a.w[l][j] = avX + absC(v)
						if round%5 == 4 { // arbitrary positive weights
							a.w[l][j] = float32(r.Float64() + 0.01)
						}
					}
				}
				a.setParams(pp.p.nmax, pp.p.rmin, pp.p.rdelta, pp.p.nstep)
				b := a
				qkxSearch8Asm(&a)
				qkxSearch8Go(&b)
				for j := range 8 {
					if !sameF32(a.scale[j], b.scale[j]) || !sameF32(a.theMin[j], b.theMin[j]) {
						t.Fatalf("%s/%s round %d lane %d: asm scale %g (%#x) the_min %g, Go scale %g (%#x) the_min %g",
							pp.name, g.name, round, j, a.scale[j], math.Float32bits(a.scale[j]), a.theMin[j],
							b.scale[j], math.Float32bits(b.scale[j]), b.theMin[j])
					}
					for l := range 32 {
						if a.lv[l][j] != b.lv[l][j] {
							t.Fatalf("%s/%s round %d lane %d: L[%d] asm %v, Go %v", pp.name, g.name, round, j, l, a.lv[l][j], b.lv[l][j])
						}
					}
				}
			}
		}
	}
}

// TestQuantizeQ45KAsmMatchesGo compares whole QuantizeQ4_K / QuantizeQ5_K
// outputs with the assembly twin on and off.
func TestQuantizeQ45KAsmMatchesGo(t *testing.T) {
	if !qkxSearch8HasAsm {
		t.Log("no assembly twin in this build or on this CPU: nothing to compare")
		return
	}
	defer func() { qkxSearch8HasAsm = true }()
	r := rand.New(rand.NewPCG(3, 4))
	const nb = 64
	src := make([]float32, nb*kqBlock)
	for i := 0; i < nb; i++ {
		g := qkxGens[i%len(qkxGens)].gen
		for j := range 8 {
			g(r, src[i*kqBlock+32*j:i*kqBlock+32*j+32])
		}
	}
	for _, c := range []struct {
		name  string
		bytes int
		quant func(dst []byte, src, w []float32)
	}{{"Q4_K", kqBytesQ4K, QuantizeQ4_K}, {"Q5_K", kqBytesQ5K, QuantizeQ5_K}} {
		// Without weights (the reference path) and with importance
		// weights (the make_qkx3_quants path).
		weights := make([]float32, len(src))
		for i := range weights {
			weights[i] = float32(r.ExpFloat64())
		}
		for _, w := range [][]float32{nil, weights} {
			asm := make([]byte, nb*c.bytes)
			ref := make([]byte, nb*c.bytes)
			c.quant(asm, src, w)
			qkxSearch8HasAsm = false
			c.quant(ref, src, w)
			qkxSearch8HasAsm = true
			for i := 0; i < nb; i++ {
				a, b := asm[i*c.bytes:(i+1)*c.bytes], ref[i*c.bytes:(i+1)*c.bytes]
				if string(a) != string(b) {
					t.Errorf("%s block %d (%s, weights %v): assembly and Go outputs differ\nasm %x\nGo  %x", c.name, i, qkxGens[i%len(qkxGens)].name, w != nil, a, b)
				}
			}
		}
	}
}
