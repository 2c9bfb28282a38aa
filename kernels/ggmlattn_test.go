package kernels

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

// floats decodes float32 bit patterns.
func floats(u []uint32) []float32 {
	f := make([]float32, len(u))
	for i, b := range u {
		f[i] = math.Float32frombits(b)
	}
	return f
}

// loadGGMLAttnGolden reads testdata/ggmlattn.json, written by
// scripts/ggml-attn-golden.cpp from ggml's own CPU functions (AVX-512
// build), every float stored as its bits.
func loadGGMLAttnGolden(t *testing.T) (g struct {
	expX, expY, smX, smY, dotN, dotX, dotY, dotS, v, w, batch, single []float32
}) {
	t.Helper()
	b, err := os.ReadFile("testdata/ggmlattn.json")
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string][]uint32
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		dst  *[]float32
		name string
	}{
		{&g.expX, "exp_x"}, {&g.expY, "exp_y"}, {&g.smX, "softmax_x"}, {&g.smY, "softmax_y"},
		{&g.dotN, "dot_n"}, {&g.dotX, "dot_x"}, {&g.dotY, "dot_y"}, {&g.dotS, "dot_s"},
		{&g.v, "wsum_v"}, {&g.w, "wsum_w"}, {&g.batch, "wsum_batch"}, {&g.single, "wsum_single"},
	} {
		if len(raw[f.name]) == 0 {
			t.Fatalf("testdata/ggmlattn.json: no %q", f.name)
		}
		*f.dst = floats(raw[f.name])
	}
	return g
}

// sameBits reports whether a and b are the same float32 (NaNs by bits).
func sameBits(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }

func TestExpGGML(t *testing.T) {
	g := loadGGMLAttnGolden(t)
	bad := 0
	for i, x := range g.expX {
		if got := ExpGGML(x); !sameBits(got, g.expY[i]) {
			if bad++; bad <= 5 {
				t.Errorf("ExpGGML(%g) = %g (%#x), ggml_v_expf %g (%#x)", x, got, math.Float32bits(got), g.expY[i], math.Float32bits(g.expY[i]))
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d values differ", bad, len(g.expX))
	}
	if v := ExpGGML(float32(math.NaN())); v == v {
		t.Errorf("ExpGGML(NaN) = %g", v)
	}
}

func TestSoftMaxGGML(t *testing.T) {
	g := loadGGMLAttnGolden(t)
	for r := 0; r < len(g.smX)/256; r++ {
		x, want := g.smX[r*256:(r+1)*256], g.smY[r*256:(r+1)*256]
		first, last := -1, -1
		for i, v := range x {
			if !math.IsInf(float64(v), -1) {
				if first < 0 {
					first = i
				}
				last = i
			}
		}
		row := append([]float32(nil), x[first:last+1]...)
		SoftMaxGGML(row, first)
		for i, v := range row {
			if !sameBits(v, want[first+i]) {
				t.Errorf("row %d (cells %d–%d): cell %d = %g, ggml %g", r, first, last, first+i, v, want[first+i])
				break
			}
		}
	}
}

func TestDotGGML(t *testing.T) {
	g := loadGGMLAttnGolden(t)
	o := 0
	for i, nf := range g.dotN {
		n := int(nf)
		if got := DotGGML(g.dotX[o:o+n], g.dotY[o:o+n]); !sameBits(got, g.dotS[i]) {
			t.Errorf("n=%d: DotGGML = %g, ggml_vec_dot_f32 %g", n, got, g.dotS[i])
		}
		o += n
	}
}

func TestWeightedSumGGML(t *testing.T) {
	g := loadGGMLAttnGolden(t)
	const hd, nkv = 8, 256
	cases := len(g.w) / (2 * nkv)
	acc := make([]float32, LanesSingle*hd)
	for c := 0; c < cases; c++ {
		v := g.v[c*nkv*hd : (c+1)*nkv*hd]
		vb := make([]byte, 4*len(v))
		F32ToBytesRow(vb, v)
		for tok := 0; tok < 2; tok++ {
			w := g.w[(2*c+tok)*nkv : (2*c+tok+1)*nkv]
			first, last := -1, -1
			for i, x := range w {
				if x != 0 {
					if first < 0 {
						first = i
					}
					last = i
				}
			}
			for _, k := range []struct {
				name  string
				lanes int
				want  []float32
			}{
				{"batch (tinyBLAS)", LanesBatch, g.batch[(2*c+tok)*hd : (2*c+tok+1)*hd]},
				{"single (vec_dot)", LanesSingle, g.single[c*hd : (c+1)*hd]},
			} {
				if k.lanes == LanesSingle && tok != 0 {
					continue // the generator dotted the first weight row only
				}
				out := make([]float32, hd)
				WeightedSumGGML(out, w[first:last+1], first, vb[first*4*hd:], 4*hd, k.lanes, acc)
				for d := range out {
					if !sameBits(out[d], k.want[d]) {
						t.Errorf("case %d (cells %d–%d) %s token %d: out[%d] = %g, ggml %g", c, first, last, k.name, tok, d, out[d], k.want[d])
						break
					}
				}
			}
		}
	}
}

// TestWeightedSumGGMLOrder pins the lane order with sums that round
// differently in another order: 2^24 plus ones meet as lanes fold.
func TestWeightedSumGGMLOrder(t *testing.T) {
	const big = 1 << 24
	for _, c := range []struct {
		name  string
		cells map[int]float32 // cell → V value (weight 1)
		lanes int
		want  float32
	}{
		// Cells 0, 16, 48 share lane 0 of 16: each 1 is lost against 2^24.
		{"16 lanes, one lane", map[int]float32{0: big, 16: 1, 48: 1}, LanesBatch, big},
		// Of 64 lanes, 16 and 48 fold together first (64→32), then meet 2^24.
		{"64 lanes, folded pair", map[int]float32{0: big, 16: 1, 48: 1}, LanesSingle, big + 2},
		// Lanes 1 and 17 of 16: lane 1 sums both ones before the fold.
		{"16 lanes, shared lane", map[int]float32{0: big, 1: 1, 17: 1}, LanesBatch, big + 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			first, last := 1<<30, 0
			for j := range c.cells {
				first, last = min(first, j), max(last, j)
			}
			n := last - first + 1
			vb := make([]byte, 4*n)
			w := make([]float32, n)
			for j, v := range c.cells {
				binary.LittleEndian.PutUint32(vb[4*(j-first):], math.Float32bits(v))
				w[j-first] = 1
			}
			out := make([]float32, 1)
			WeightedSumGGML(out, w, first, vb, 4, c.lanes, make([]float32, c.lanes))
			if out[0] != c.want {
				t.Errorf("got %v, want %v", out[0], c.want)
			}
		})
	}
}

// TestFMAF checks the math.FMA route of fmaf against fma32 on random
// operands of many magnitudes and on a double-rounding case: x·a + y =
// 1 + 2^-23 + 2^-24 − 2^-70 rounds to the float64 midpoint 1 + 3·2^-24,
// whose float32 rounding (to even) would be 1 + 2^-22 instead of 1 + 2^-23.
func TestFMAF(t *testing.T) {
	x, a, y := float32(1+0x1p-23), float32(0x1p-24-0x1p-47), float32(1+0x1p-23)
	if naive := float32(math.FMA(float64(x), float64(a), float64(y))); naive != 1+0x1p-22 {
		t.Fatalf("the case does not round twice (%g)", naive)
	}
	if got := fmaf(x, a, y); got != 1+0x1p-23 {
		t.Errorf("fmaf = %b, want 1 + 2^-23", got)
	}
	s := uint64(1)
	next := func() float32 {
		s ^= s << 13
		s ^= s >> 7
		s ^= s << 17
		m := math.Float32frombits(uint32(s)&0x807fffff | (uint32(s>>32)%40+107)<<23) // 2^-20 … 2^19
		return m
	}
	for i := 0; i < 200000; i++ {
		x, a, y := next(), next(), next()
		if f, g := fmaf(x, a, y), fma32(x, a, y); !sameBits(f, g) {
			t.Fatalf("fmaf(%g, %g, %g) = %g, fma32 %g", x, a, y, f, g)
		}
	}
}

// TestFusedAxpyRow checks fusedAxpyRow (AVX2 where the CPU has it) against
// fma32 element by element: lengths around the group of eight, random
// values over a wide exponent range, and sums that cancel.
func TestFusedAxpyRow(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for _, n := range []int{0, 1, 7, 8, 9, 16, 63, 64, 65, 128, 256} {
		for rep := 0; rep < 20; rep++ {
			a := make([]float32, n)
			x := make([]float32, n)
			for i := range a {
				a[i] = float32(r.NormFloat64() * math.Exp2(float64(r.IntN(40)-20)))
				x[i] = float32(r.NormFloat64() * math.Exp2(float64(r.IntN(40)-20)))
				if rep%4 == 0 {
					x[i] = -a[i] // cancels when w is 1
				}
			}
			w := float32(r.NormFloat64())
			if rep%4 == 0 {
				w = 1
			}
			row := make([]byte, 4*n)
			F32ToBytesRow(row, x)
			want := append([]float32(nil), a...)
			for i := range want {
				want[i] = fma32(x[i], w, want[i])
			}
			fusedAxpyRow(a, row, w)
			for i := range a {
				if math.Float32bits(a[i]) != math.Float32bits(want[i]) {
					t.Fatalf("n=%d: a[%d] = %v, fma32 %v", n, i, a[i], want[i])
				}
			}
		}
	}
}

// TestDotLanes64Twin checks DotGGML's 64-lane part (AVX2 where the CPU has
// it) against its Go twin bit for bit on random rows of 64 to 512 values.
func TestDotLanes64Twin(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	for _, np := range []int{64, 128, 192, 256, 512} {
		for rep := 0; rep < 50; rep++ {
			x, y := make([]float32, np), make([]float32, np)
			for i := range x {
				x[i] = float32(r.NormFloat64() * math.Exp2(float64(r.IntN(20)-10)))
				y[i] = float32(r.NormFloat64())
			}
			want := dotLanes64Go(x, y, np)
			if got, ok := dotLanes64Bulk(x, y, np); ok && !sameBits(got, want) {
				t.Fatalf("np=%d: %v, Go twin %v", np, got, want)
			}
		}
	}
}

// TestExpGGMLSubTwin checks the AVX-512 exponentials of SoftMaxGGML
// against ExpGGML bit for bit: ordinary softmax arguments, groups that
// underflow (|n| > 192, left to ExpGGML), subnormal results, overflow and
// NaN.
func TestExpGGMLSubTwin(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	for _, n := range []int{0, 5, 16, 17, 48, 100, 256} {
		for rep := 0; rep < 40; rep++ {
			x := make([]float32, n)
			for i := range x {
				switch rep % 4 {
				case 0:
					x[i] = float32(-r.ExpFloat64() * 5)
				case 1:
					x[i] = float32(-r.Float64() * 140) // some groups beyond 192·ln2
				case 2:
					x[i] = float32(r.NormFloat64() * 60)
				case 3:
					x[i] = float32(-87 - r.Float64()*20) // subnormal results
					if i%7 == 3 {
						x[i] = float32(math.NaN())
					}
				}
			}
			const sub = 0.75
			want := make([]float32, n)
			for i, v := range x {
				want[i] = ExpGGML(v - sub)
			}
			m := expGGMLSubBulk(x, sub)
			for i := 0; i < m; i++ {
				if !sameBits(x[i], want[i]) && !(x[i] != x[i] && want[i] != want[i]) {
					t.Fatalf("n=%d rep=%d: x[%d] = %v, ExpGGML %v", n, rep, i, x[i], want[i])
				}
			}
		}
	}
}
