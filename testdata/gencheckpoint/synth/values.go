package synth

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
)

// valueGen produces the seeded values of one tensor. Every row has its own
// random stream, so rows can be generated in parallel and in any order with
// the same result.
type valueGen struct {
	seed     uint64
	kind     kind
	std      float32
	outliers map[int]float32 // column → multiplier
}

func newValueGen(seed uint64, t tensorSpec) *valueGen {
	h := fnv.New64a()
	h.Write([]byte(t.Name))
	g := &valueGen{seed: seed ^ h.Sum64(), kind: t.Kind, outliers: map[int]float32{}}
	cols := t.cols()
	switch t.Kind {
	case kindNorm:
		g.std = 0.15
	case kindEmbed:
		g.std = 0.02
	default:
		g.std = float32(0.6 / math.Sqrt(float64(cols)))
	}
	// A few outlier columns (input features with large weights), about one
	// in 512 and at least one, as real LLM checkpoints have.
	r := rand.New(rand.NewPCG(g.seed, 0x5eed))
	for n := max(1, cols/512); len(g.outliers) < n; {
		g.outliers[r.IntN(cols)] = 8 + 12*r.Float32()
	}
	return g
}

// fillRow writes row r's values into dst.
func (g *valueGen) fillRow(dst []float32, r int) {
	rng := rand.NewPCG(g.seed, uint64(r)+1)
	for i := range dst {
		dst[i] = g.sample(rng.Uint64())
	}
	for c, m := range g.outliers {
		if c < len(dst) {
			dst[c] *= m
		}
	}
	if g.kind == kindNorm {
		for i, v := range dst {
			dst[i] = float32(math.Abs(float64(1 + v)))
		}
	}
}

// sample turns 64 random bits into one heavy-tailed value: an approximate
// normal (Irwin–Hall sum of four 14-bit uniforms), scaled by 3–6 for one
// value in 64.
func (g *valueGen) sample(u uint64) float32 {
	const m = 1<<14 - 1
	s := float32(u&m) + float32(u>>14&m) + float32(u>>28&m) + float32(u>>42&m)
	x := (s/m - 2) * 1.7320508 // unit variance
	if tail := u >> 56; tail&63 == 0 {
		x *= float32(3 + tail>>6)
	}
	return x * g.std
}

// bf16 rounds f to bfloat16 bits, nearest even.
func bf16(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff > 0x7f800000 {
		return uint16(b>>16) | 0x40
	}
	return uint16((b + 0x7fff + (b>>16)&1) >> 16)
}

// f16 rounds f to IEEE binary16 bits, nearest even (values here are small
// and finite, far from the overflow range).
func f16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	a := b & 0x7fffffff
	switch {
	case a >= 0x477ff000:
		return sign | 0x7c00
	case a >= 0x38800000:
		v := a - 0x38000000
		return sign | uint16((v+0xfff+(v>>13)&1)>>13)
	default:
		return sign | uint16(math.RoundToEven(float64(math.Float32frombits(a))*(1<<24)))
	}
}
