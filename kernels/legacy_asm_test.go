package kernels

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"
)

// legacyBlockGens fill one 32-value block each; together they cover zeros,
// constants, tiny/subnormal and huge magnitudes, mixed signs, exact .5 ties
// and equal magnitudes of opposite sign.
var legacyBlockGens = []struct {
	name string
	gen  func(r *rand.Rand, x []float32)
}{
	{"normal", func(r *rand.Rand, x []float32) {
		for i := range x {
			x[i] = float32(r.NormFloat64())
		}
	}},
	{"zeros", func(r *rand.Rand, x []float32) {
		for i := range x {
			x[i] = 0
			if r.IntN(2) == 0 {
				x[i] = float32(math.Copysign(0, -1))
			}
		}
	}},
	{"negzero-first", func(r *rand.Rand, x []float32) {
		for i := range x {
			x[i] = float32(math.Copysign(0, -1))
		}
	}},
	{"constant", func(r *rand.Rand, x []float32) {
		c := float32(r.NormFloat64() * 10)
		for i := range x {
			x[i] = c
		}
	}},
	{"subnormal", func(r *rand.Rand, x []float32) {
		for i := range x {
			x[i] = math.Float32frombits(uint32(r.IntN(1<<23))) * float32(1-2*r.IntN(2))
		}
	}},
	{"tiny", func(r *rand.Rand, x []float32) {
		s := math.Float32frombits(uint32(r.IntN(40) << 23)) // 2^-127 … 2^-88 (and 0)
		for i := range x {
			x[i] = float32(r.NormFloat64()) * s
		}
	}},
	{"huge", func(r *rand.Rand, x []float32) {
		for i := range x {
			x[i] = float32(r.Float64()*2-1) * math.MaxFloat32
		}
	}},
	{"q8-ties", func(r *rand.Rand, x []float32) { // amax 127: d = 1, id = 1
		for i := range x {
			x[i] = float32(r.IntN(254)-127) + 0.5*float32(r.IntN(2))
		}
		x[r.IntN(32)] = 127 * float32(1-2*r.IntN(2))
	}},
	{"q4-grid", func(r *rand.Rand, x []float32) { // max -8: d = 1, id = 1
		for i := range x {
			x[i] = float32(r.IntN(61)-32) * 0.25
		}
		x[r.IntN(32)] = -8
	}},
	{"opposite-ties", func(r *rand.Rand, x []float32) {
		m := float32(r.Float64()*4 + 0.1)
		for i := range x {
			x[i] = float32(r.Float64()*2-1) * m * 0.9
		}
		for range 1 + r.IntN(4) {
			x[r.IntN(32)] = m * float32(1-2*r.IntN(2))
		}
	}},
	{"mixed-scale", func(r *rand.Rand, x []float32) {
		for i := range x {
			x[i] = float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(60)-30)))
		}
	}},
	{"non-finite", func(r *rand.Rand, x []float32) {
		for i := range x {
			x[i] = float32(r.NormFloat64())
		}
		bad := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}
		x[r.IntN(32)] = bad[r.IntN(3)]
	}},
}

// fillLegacyRow fills nb blocks, each from one generator (all the same when
// fixed >= 0, else random per block).
func fillLegacyRow(r *rand.Rand, x []float32, fixed int) {
	for b := 0; b+qk32 <= len(x); b += qk32 {
		g := fixed
		if g < 0 {
			g = r.IntN(len(legacyBlockGens))
		}
		legacyBlockGens[g].gen(r, x[b:b+qk32])
	}
}

// TestLegacyRefAsmMatchesGo compares QuantizeQ8_0/QuantizeQ4_0 (with the
// assembly twin where the build and CPU have one) with the plain Go loops,
// bit for bit, and checks that nothing past the blocks is written.
func TestLegacyRefAsmMatchesGo(t *testing.T) {
	if !legacyHasAsm {
		t.Log("no assembly twin in this build or on this CPU: comparing the Go loop with itself")
	}
	kinds := []struct {
		name  string
		bsize int
		fast  func(dst []byte, src []float32)
		ref   func(dst []byte, src []float32)
	}{
		{"Q8_0", blockQ8_0, QuantizeQ8_0, quantizeQ8_0Go},
		{"Q4_0", blockQ4_0, func(d []byte, s []float32) { QuantizeQ4_0(d, s, nil) }, quantizeQ4_0Go},
	}
	r := rand.New(rand.NewPCG(13, 31))
	for _, k := range kinds {
		for g := -1; g < len(legacyBlockGens); g++ {
			name := "random-mix"
			if g >= 0 {
				name = legacyBlockGens[g].name
			}
			for round := range 40 {
				nb := []int{0, 1, 2, 7, 64}[round%5]
				x := make([]float32, nb*qk32+round%3) // a ragged tail is ignored
				fillLegacyRow(r, x, g)
				got := bytes.Repeat([]byte{0xa5}, nb*k.bsize+5)
				want := bytes.Repeat([]byte{0xa5}, nb*k.bsize+5)
				k.fast(got, x)
				k.ref(want, x)
				if !bytes.Equal(got, want) {
					i := 0
					for got[i] == want[i] {
						i++
					}
					b := i / k.bsize
					t.Fatalf("%s %s round %d: block %d byte %d: got %#x, want %#x; block input %v",
						k.name, name, round, b, i%k.bsize, got[i], want[i], x[b*qk32:b*qk32+qk32])
				}
			}
		}
	}
}

// TestFirstNonFiniteMatchesScan compares FirstNonFinite with a plain scan
// for many lengths and positions of NaN/±Inf (and none).
func TestFirstNonFiniteMatchesScan(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	bad := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), math.Float32frombits(0xff800001)}
	for round := range 3000 {
		n := r.IntN(300)
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(r.NormFloat64()) * []float32{1, math.MaxFloat32, 1e-40}[r.IntN(3)]
		}
		for range r.IntN(3) {
			if n > 0 {
				x[r.IntN(n)] = bad[r.IntN(len(bad))]
			}
		}
		want := -1
		for i, f := range x {
			if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
				want = i
				break
			}
		}
		if got := FirstNonFinite(x); got != want {
			t.Fatalf("round %d (n %d): FirstNonFinite = %d, want %d", round, n, got, want)
		}
	}
}

// BenchmarkLegacyRef reports Q8_0/Q4_0 reference quantization and the
// NaN/Inf scan in MB/s of float32 input.
func BenchmarkLegacyRef(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, 4096*32)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	dst := make([]byte, len(x)/qk32*blockQ8_0)
	cases := []struct {
		name string
		fn   func()
	}{
		{"q8_0", func() { QuantizeQ8_0(dst, x) }},
		{"q8_0-go", func() { quantizeQ8_0Go(dst, x) }},
		{"q4_0", func() { QuantizeQ4_0(dst, x, nil) }},
		{"q4_0-go", func() { quantizeQ4_0Go(dst, x) }},
		{"finite", func() { FirstNonFinite(x) }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(4 * len(x)))
			for range b.N {
				c.fn()
			}
		})
	}
}
