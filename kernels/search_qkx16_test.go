package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// TestQkx8ArgsShapeLayout pins the offsets of the group-size and error-kind
// fields, hard-coded in search_qkx_amd64.s.
func TestQkx8ArgsShapeLayout(t *testing.T) {
	var a qkx8Args
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"nend", unsafe.Offsetof(a.nend), 4440},
		{"mad", unsafe.Offsetof(a.mad), 4448},
	} {
		if c.got != c.want {
			t.Errorf("qkx8Args.%s at offset %d, the assembly expects %d", c.name, c.got, c.want)
		}
	}
}

// TestQkxSearch8Q2KAsmMatchesGo compares the assembly twin with the pure-Go
// search on Q2_K's shape (n = 16, nmax = 3, use_mad) and, as a check of the
// parameters, on n = 16 with squared error and n = 32 with use_mad.
func TestQkxSearch8Q2KAsmMatchesGo(t *testing.T) {
	if !qkxSearch8HasAsm {
		t.Log("no assembly twin in this build or on this CPU: nothing to compare")
		return
	}
	shapes := []struct {
		name               string
		n, nmax, nstep     int
		rmin, rdelta       float32
		useMad, absWeights bool
	}{
		{"q2_K-ref", 16, 3, 15, -0.5, 0.1, true, true},
		{"q2_K-imatrix", 16, 3, 36, -0.9, 0.05, false, false},
		{"n16-sq", 16, 15, 20, -1, 0.1, false, false},
		{"n32-mad", 32, 7, 12, -0.9, 0.05, true, false},
	}
	r := rand.New(rand.NewPCG(5, 6))
	const rounds = 60
	for _, sh := range shapes {
		for gi, g := range qkxGens {
			for round := range rounds {
				var xs [32]float32
				var a qkx8Args
				for j := range 8 {
					gen := g.gen
					if round%3 == 2 { // mix families across lanes
						gen = qkxGens[(gi+j)%len(qkxGens)].gen
					}
					gen(r, xs[:sh.n])
					for l, v := range xs[:sh.n] {
						a.x[l][j] = v
						a.w[l][j] = absC(v)
						if !sh.absWeights || round%5 == 4 { // arbitrary positive weights
							a.w[l][j] = float32(r.Float64() + 0.01)
						}
					}
				}
				a.setSearch(sh.n, sh.nmax, sh.rmin, sh.rdelta, sh.nstep, sh.useMad)
				b := a
				qkxSearch8Asm(&a)
				qkxSearch8Go(&b)
				for j := range 8 {
					if !sameF32(a.scale[j], b.scale[j]) || !sameF32(a.theMin[j], b.theMin[j]) {
						t.Fatalf("%s/%s round %d lane %d: asm scale %g (%#x) the_min %g, Go scale %g (%#x) the_min %g",
							sh.name, g.name, round, j, a.scale[j], math.Float32bits(a.scale[j]), a.theMin[j],
							b.scale[j], math.Float32bits(b.scale[j]), b.theMin[j])
					}
					for l := range 32 {
						if a.lv[l][j] != b.lv[l][j] {
							t.Fatalf("%s/%s round %d lane %d: L[%d] asm %v, Go %v", sh.name, g.name, round, j, l, a.lv[l][j], b.lv[l][j])
						}
					}
				}
			}
		}
	}
}

// TestQ2KSubBlocksMatchScalar checks the sixteen-sub-block layout of
// q2kSubBlocksRef against makeQkxQuants called per sub-block, as ggml's
// quantize_row_q2_K_ref does (whichever twin this build uses).
func TestQ2KSubBlocksMatchScalar(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	x := make([]float32, kqBlock)
	for round := range 3 * len(qkxGens) {
		for j := range 16 {
			qkxGens[(round+j)%len(qkxGens)].gen(r, x[16*j:16*j+16])
		}
		var L, wantL [kqBlock]uint8
		var sc, mn [16]float32
		q2kSubBlocksRef(x, &L, &sc, &mn)
		var w [16]float32
		for j := range 16 {
			xs := x[16*j : 16*j+16]
			for l, v := range xs {
				w[l] = absC(v)
			}
			s, m := makeQkxQuants(16, 3, xs, w[:], wantL[16*j:16*j+16], -0.5, 0.1, 15, true, false)
			if !sameF32(s, sc[j]) || !sameF32(m, mn[j]) {
				t.Fatalf("round %d sub-block %d: scale %g the_min %g, want %g %g", round, j, sc[j], mn[j], s, m)
			}
		}
		if L != wantL {
			t.Fatalf("round %d: codes differ\ngot  %v\nwant %v", round, L, wantL)
		}
	}
}

// TestQ2KSubBlocksImplMatchScalar checks q2kSubBlocksImpl against
// make_qkx3_quants (makeQkxQuants, strict degenerate test) per sub-block
// with the weights of quantize_row_q2_K_impl.
func TestQ2KSubBlocksImplMatchScalar(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	x := make([]float32, kqBlock)
	qw := make([]float32, kqBlock)
	for round := range 3 * len(qkxGens) {
		for j := range 16 {
			qkxGens[(round+j)%len(qkxGens)].gen(r, x[16*j:16*j+16])
		}
		for i := range qw {
			qw[i] = float32(r.Float64() + 0.01)
			if round%4 == 3 && i%7 == 0 {
				qw[i] = 0
			}
		}
		var L, wantL [kqBlock]uint8
		var sc, mn, sw [16]float32
		q2kSubBlocksImpl(x, qw, &L, &sc, &mn, &sw)
		sigma2 := float32(kqSumSq(x) / kqBlock)
		var w [16]float32
		for j := range 16 {
			xs := x[16*j : 16*j+16]
			var sum float32
			for l, v := range xs {
				w[l] = qw[16*j+l] * sqrtC(sigma2+float32(v*v))
				sum += w[l]
			}
			if !sameF32(sum, sw[j]) {
				t.Fatalf("round %d sub-block %d: sw %g, want %g", round, j, sw[j], sum)
			}
			s, m := makeQkxQuants(16, 3, xs, w[:], wantL[16*j:16*j+16], -0.9, 0.05, 36, false, true)
			if !sameF32(s, sc[j]) || !sameF32(m, mn[j]) {
				t.Fatalf("round %d sub-block %d: scale %g the_min %g, want %g %g", round, j, sc[j], mn[j], s, m)
			}
		}
		if L != wantL {
			t.Fatalf("round %d: codes differ\ngot  %v\nwant %v", round, L, wantL)
		}
	}
}

// TestQuantizeQ2KAsmMatchesGo compares whole QuantizeQ2_K outputs, with and
// without importance weights, with the assembly twin on and off.
func TestQuantizeQ2KAsmMatchesGo(t *testing.T) {
	if !qkxSearch8HasAsm {
		t.Log("no assembly twin in this build or on this CPU: nothing to compare")
		return
	}
	defer func() { qkxSearch8HasAsm = true }()
	r := rand.New(rand.NewPCG(11, 12))
	const nb = 64
	src := make([]float32, nb*kqBlock)
	for i := 0; i < nb; i++ {
		g := qkxGens[i%len(qkxGens)].gen
		for j := range 16 {
			g(r, src[i*kqBlock+16*j:i*kqBlock+16*j+16])
		}
	}
	qw := make([]float32, len(src))
	for i := range qw {
		qw[i] = float32(r.Float64() + 0.01)
	}
	for _, weights := range [][]float32{nil, qw} {
		asm := make([]byte, nb*kqBytesQ2K)
		ref := make([]byte, nb*kqBytesQ2K)
		QuantizeQ2_K(asm, src, weights)
		qkxSearch8HasAsm = false
		QuantizeQ2_K(ref, src, weights)
		qkxSearch8HasAsm = true
		for i := 0; i < nb; i++ {
			a, b := asm[i*kqBytesQ2K:(i+1)*kqBytesQ2K], ref[i*kqBytesQ2K:(i+1)*kqBytesQ2K]
			if string(a) != string(b) {
				t.Errorf("Q2_K (imatrix %v) block %d (%s): assembly and Go outputs differ\nasm %x\nGo  %x",
					weights != nil, i, qkxGens[i%len(qkxGens)].name, a, b)
			}
		}
	}
}
