package kernels

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// kqMulCase is one K-quant type under test: its dequantizer (for
// ReferenceMul), its quantizer, the dispatched and pure-Go microkernels,
// and where its fp16 scales sit in a block.
type kqMulCase struct {
	name       string
	mat        MatKernel
	bytes      int
	dequantize func([]float32, []byte)
	quantize   func([]byte, []float32, []float32)
	unpack     func(*kqUnpacked, []byte)
	goK, disp  *kqRowKernels
	fp16At     []int // offsets of the fp16 d (and dmin) fields
}

func kqMulCases() []kqMulCase {
	return []kqMulCase{
		{"Q2_K", MatQ2_K, kqBytesQ2K, DequantizeQ2_K, QuantizeQ2_K, unpackQ2K, &kqGoQ2K, &kqMulQ2K, []int{80, 82}},
		{"Q3_K", MatQ3_K, kqBytesQ3K, DequantizeQ3_K, QuantizeQ3_K, unpackQ3K, &kqGoQ3K, &kqMulQ3K, []int{108}},
		{"Q4_K", MatQ4_K, kqBytesQ4K, DequantizeQ4_K, QuantizeQ4_K, unpackQ4K, &kqGoQ4K, &kqMulQ4K, []int{0, 2}},
		{"Q5_K", MatQ5_K, kqBytesQ5K, DequantizeQ5_K, QuantizeQ5_K, unpackQ5K, &kqGoQ5K, &kqMulQ5K, []int{0, 2}},
		{"Q6_K", MatQ6_K, kqBytesQ6K, DequantizeQ6_K, QuantizeQ6_K, unpackQ6K, &kqGoQ6K, &kqMulQ6K, []int{208}},
	}
}

// kqWeightKind says how test weight rows are made.
type kqWeightKind int

const (
	kqWQuantized kqWeightKind = iota // quantize random floats (real files)
	kqWRandom                        // random bytes, moderate fp16 scales
	kqWExtreme                       // random bytes, largest finite / tiny scales
	kqWAllMax                        // every byte 0xFF, scales 1
	kqWZero                          // all-zero blocks
)

// kqWeights returns rows weight rows of n values, stride bytes apart.
func kqWeights(c kqMulCase, kind kqWeightKind, rng *rand.Rand, n, rows, stride int) []byte {
	w := make([]byte, (rows-1)*stride+n/kqBlock*c.bytes)
	for i := range w {
		w[i] = byte(rng.Uint32()) // padding between rows too
	}
	for r := 0; r < rows; r++ {
		row := w[r*stride : r*stride+n/kqBlock*c.bytes]
		switch kind {
		case kqWQuantized:
			src := make([]float32, n)
			for i := range src {
				src[i] = float32(rng.NormFloat64())
			}
			c.quantize(row, src, nil)
		case kqWZero:
			clear(row)
		case kqWAllMax:
			for i := range row {
				row[i] = 0xFF
			}
		}
		for b := 0; b < n/kqBlock; b++ {
			blk := row[b*c.bytes : (b+1)*c.bytes]
			for _, off := range c.fp16At {
				var h uint16
				switch kind {
				case kqWRandom:
					h = F32ToF16(float32(rng.NormFloat64() * 0.01))
				case kqWExtreme:
					h = []uint16{0x7BFF, 0xFBFF, 0x0001, 0x8001, 0x0400, 0}[rng.IntN(6)]
				case kqWAllMax:
					h = 0x3C00
				default:
					continue
				}
				binary.LittleEndian.PutUint16(blk[off:], h)
			}
		}
	}
	return w
}

// kqActKind says how test activation rows are made.
type kqActKind int

const (
	kqAQuantized kqActKind = iota // QuantizeQ8_K of random floats
	kqAMinus128                   // every value −128 (bsums −2048)
	kqARandom                     // random int8 values, consistent bsums
)

// kqActs returns toks Q8_K rows of n values, stride bytes apart.
func kqActs(kind kqActKind, rng *rand.Rand, n, toks, stride int) []byte {
	a := make([]byte, (toks-1)*stride+ActQ8_K.RowBytes(n))
	for i := range a {
		a[i] = byte(rng.Uint32())
	}
	for t := 0; t < toks; t++ {
		row := a[t*stride : t*stride+ActQ8_K.RowBytes(n)]
		if kind == kqAQuantized {
			src := make([]float32, n)
			for i := range src {
				src[i] = float32(rng.NormFloat64()) * float32(1+t)
			}
			QuantizeQ8_K(row, src)
			continue
		}
		for b := 0; b < n/kqBlock; b++ {
			blk := row[b*kqBytesQ8K : (b+1)*kqBytesQ8K]
			binary.LittleEndian.PutUint32(blk, math.Float32bits(float32(rng.Float64()*0.02+1e-4)))
			for s := 0; s < 16; s++ {
				sum := 0
				for i := 0; i < 16; i++ {
					q := int8(-128)
					if kind == kqARandom {
						q = int8(rng.Uint32())
					}
					blk[4+16*s+i] = byte(q)
					sum += int(q)
				}
				binary.LittleEndian.PutUint16(blk[260+2*s:], uint16(int16(sum)))
			}
		}
	}
	return a
}

// kqMagnitude is Σ (|d·sc·(q−off)| + |dmin·mn|)·|a| over one row pair:
// the scale of the rounding errors any float32 evaluation may make.
func kqMagnitude(c kqMulCase, n int, w, a []byte) float64 {
	var u kqUnpacked
	var m float64
	for b := 0; b < n/kqBlock; b++ {
		c.unpack(&u, w[b*c.bytes:])
		ab := a[b*kqBytesQ8K:]
		da := math.Abs(float64(q8kScale(ab)))
		for e := 0; e < kqBlock; e++ {
			wv := math.Abs(float64(u.d)*float64(u.sc[e/16])*float64(int32(u.q[e])-u.off)) +
				math.Abs(float64(u.dmin)*float64(u.mn[e/16]))
			m += wv * da * math.Abs(float64(int8(ab[4+e])))
		}
	}
	return m
}

// kqCheckMul runs mul on the given shape and checks every output against
// ReferenceMul and the guard values around out.
func kqCheckMul(t *testing.T, c kqMulCase, mul MulFunc, label string, n int, w []byte, wStride, rows int, a []byte, aStride, toks int) []float32 {
	t.Helper()
	ldo := rows + 3
	out := make([]float32, toks*ldo+5)
	guard := float32(math.Float32frombits(0x7FC0_1234))
	for i := range out {
		out[i] = guard
	}
	mul(n, w, wStride, rows, a, aStride, toks, out, ldo)
	nb := n / kqBlock
	for tk := 0; tk < toks; tk++ {
		for r := 0; r < ldo; r++ {
			got := out[tk*ldo+r]
			if r >= rows {
				if math.Float32bits(got) != math.Float32bits(guard) {
					t.Fatalf("%s %s: out[%d·ldo+%d] outside the %d rows was overwritten", c.name, label, tk, r, rows)
				}
				continue
			}
			wr := w[r*wStride : r*wStride+nb*c.bytes]
			ar := a[tk*aStride : tk*aStride+nb*kqBytesQ8K]
			ref := ReferenceMul(c.dequantize, ActQ8_K, n, wr, ar)
			tol := float64(nb+8)*math.Ldexp(kqMagnitude(c, n, wr, ar), -23) + 1e-30
			if d := math.Abs(float64(got) - ref); !(d <= tol) {
				t.Fatalf("%s %s n=%d row %d tok %d: got %g, reference %g (|diff| %g > tol %g)", c.name, label, n, r, tk, got, ref, d, tol)
			}
		}
	}
	for i := toks * ldo; i < len(out); i++ {
		if math.Float32bits(out[i]) != math.Float32bits(guard) {
			t.Fatalf("%s %s: out[%d] past the end was overwritten", c.name, label, i)
		}
	}
	return out
}

// TestMulKQuantsReference checks every K-quant kernel against the float64
// yardstick on every tile remainder and on adversarial inputs, and that
// the dispatched kernel equals the pure-Go twin bit for bit.
func TestMulKQuantsReference(t *testing.T) {
	shapes := []struct{ n, rows, toks int }{
		{256, 9, 9}, {512, 7, 8}, {768, 5, 6}, {256, 2, 13}, {4096, 3, 5}, {14336, 2, 4},
		// 16-row interleaved tiles (from kq16MinToksQ4K tokens): 1, 2 and
		// 3 tail tokens, a tail row, two panels.
		{256, 17, 33}, {512, 32, 34}, {768, 16, 35}, {2048, 16, 32},
		// From kq16MinToksQ4K/Q6K (16) tokens: 16, 1 and 2 tail tokens.
		{256, 16, 16}, {512, 33, 17}, {768, 18, 18},
	}
	for _, c := range kqMulCases() {
		for kind := kqWQuantized; kind <= kqWZero; kind++ {
			for akind := kqAQuantized; akind <= kqARandom; akind++ {
				rng := rand.New(rand.NewPCG(uint64(kind), uint64(akind)))
				for _, sh := range shapes {
					if testing.Short() && sh.n > 4096 {
						continue
					}
					wStride := sh.n/kqBlock*c.bytes + 7
					aStride := ActQ8_K.RowBytes(sh.n) + 13
					w := kqWeights(c, kind, rng, sh.n, sh.rows, wStride)
					a := kqActs(akind, rng, sh.n, sh.toks, aStride)
					label := fmt.Sprintf("w%d/a%d", kind, akind)
					twin := kqCheckMul(t, c, c.goK.mul, label+"/go", sh.n, w, wStride, sh.rows, a, aStride, sh.toks)
					impls := map[string]MulFunc{"dispatched": c.mat.Mul}
					for _, v := range kqVariants(*c.goK) {
						impls[v.name] = v.mul
					}
					for name, mul := range impls {
						got := kqCheckMul(t, c, mul, label+"/"+name, sh.n, w, wStride, sh.rows, a, aStride, sh.toks)
						for i := range got {
							if math.Float32bits(got[i]) != math.Float32bits(twin[i]) {
								t.Fatalf("%s %s n=%d: %s out[%d] = %g, pure-Go twin %g", c.name, label, sh.n, name, i, got[i], twin[i])
							}
						}
					}
				}
			}
		}
	}
}

// TestMulKQuantsTiles checks, for every implementation, that an output
// depends neither on how the rows and tokens were split into calls nor on
// the cache blocking, and that all implementations agree bit for bit.
func TestMulKQuantsTiles(t *testing.T) {
	const n, rows, toks = 1024, 5, 11
	for _, c := range kqMulCases() {
		rng := rand.New(rand.NewPCG(7, 7))
		wStride := n / kqBlock * c.bytes
		aStride := ActQ8_K.RowBytes(n)
		w := kqWeights(c, kqWRandom, rng, n, rows, wStride)
		a := kqActs(kqARandom, rng, n, toks, aStride)
		want := make([]float32, toks*rows)
		c.goK.mul(n, w, wStride, rows, a, aStride, toks, want, rows)
		impls := append([]kqRowKernels{*c.goK}, kqVariants(*c.goK)...)
		for _, k := range impls {
			all := make([]float32, toks*rows)
			k.mul(n, w, wStride, rows, a, aStride, toks, all, rows)
			for i, v := range all {
				if math.Float32bits(v) != math.Float32bits(want[i]) {
					t.Fatalf("%s: out[%d] = %g, pure-Go twin %g", k.name, i, v, want[i])
				}
			}
			for tk := 0; tk < toks; tk++ {
				for r := 0; r < rows; r++ {
					var one [1]float32
					k.mul(n, w[r*wStride:], wStride, 1, a[tk*aStride:], aStride, 1, one[:], 1)
					if math.Float32bits(one[0]) != math.Float32bits(all[tk*rows+r]) {
						t.Fatalf("%s row %d tok %d: alone %g, in a %d×%d call %g", k.name, r, tk, one[0], rows, toks, all[tk*rows+r])
					}
				}
			}
			// Other cache blockings (token chunks of 8, runs of one or
			// three blocks, row blocks of one to three) must not change a
			// value.
			for _, bl := range []struct{ cache, l1, rowBlock int }{
				{1, 1 << 30, 64}, {1, 1, 1}, {1, 3 * 8 * kqBytesQ8K, 3}, {1 << 30, 3 * kqBytesQ8K, 2},
			} {
				saved := [3]int{kqActCacheBytes, kqL1ActBytes, kqRowBlock}
				kqActCacheBytes, kqL1ActBytes, kqRowBlock = bl.cache, bl.l1, bl.rowBlock
				blocked := make([]float32, toks*rows)
				k.mul(n, w, wStride, rows, a, aStride, toks, blocked, rows)
				kqActCacheBytes, kqL1ActBytes, kqRowBlock = saved[0], saved[1], saved[2]
				for i, v := range blocked {
					if math.Float32bits(v) != math.Float32bits(all[i]) {
						t.Fatalf("%s: with blocking %+v out[%d] = %g, want %g", k.name, bl, i, v, all[i])
					}
				}
			}
			// A call starting at token 1 shifts every token group.
			part := make([]float32, (toks-1)*rows)
			k.mul(n, w, wStride, rows, a[aStride:], aStride, toks-1, part, rows)
			for i, v := range part {
				if math.Float32bits(v) != math.Float32bits(all[rows+i]) {
					t.Fatalf("%s: shifted tile out[%d] = %g, want %g", k.name, i, v, all[rows+i])
				}
			}
		}
	}
}

// TestMulKQuantsBadArgs checks that short buffers panic with a message
// naming the kernel rather than reading out of bounds.
func TestMulKQuantsBadArgs(t *testing.T) {
	w := make([]byte, 144)
	a := make([]byte, 292)
	out := make([]float32, 1)
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"n not a multiple", func() { MatQ4_K.Mul(100, w, 144, 1, a, 292, 1, out, 1) }},
		{"short weights", func() { MatQ4_K.Mul(256, w[:100], 144, 1, a, 292, 1, out, 1) }},
		{"short acts", func() { MatQ4_K.Mul(256, w, 144, 1, a[:200], 292, 1, out, 1) }},
		{"short out", func() { MatQ4_K.Mul(256, w, 144, 1, make([]byte, 584), 292, 2, out, 1) }},
		{"small ldo", func() { MatQ4_K.Mul(256, w, 144, 1, make([]byte, 584), 292, 2, make([]float32, 4), 0) }},
		{"small wStride", func() { MatQ4_K.Mul(256, make([]byte, 288), 100, 2, a, 292, 1, make([]float32, 2), 2) }},
		{"negative toks", func() { MatQ4_K.Mul(256, w, 144, 1, a, 292, -1, out, 1) }},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("%s: no panic", tc.name)
				} else if s := fmt.Sprint(r); len(s) < 15 || s[:15] != "kernels.MatQ4_K" {
					t.Errorf("%s: panic %q does not name the kernel", tc.name, s)
				}
			}()
			tc.f()
		}()
	}
}

// TestMulKQuantsOneRowAnyStride checks that strides are not required
// where there is nothing to step over.
func TestMulKQuantsOneRowAnyStride(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	c := kqMulCases()[2]
	w := kqWeights(c, kqWRandom, rng, 512, 1, 288)
	a := kqActs(kqARandom, rng, 512, 1, 584)
	var want, got [1]float32
	MatQ4_K.Mul(512, w, 288, 1, a, 584, 1, want[:], 1)
	MatQ4_K.Mul(512, w, 0, 1, a, 0, 1, got[:], 0)
	if math.Float32bits(got[0]) != math.Float32bits(want[0]) {
		t.Fatalf("zero strides for one row and token: %g, want %g", got[0], want[0])
	}
}

// TestQuantizeQ8KAct checks that the ActQ8_K quantizer (the AVX2 twin
// where it runs) writes exactly what QuantizeQ8_K writes, on ordinary,
// tied, zero, tiny, huge and non-finite blocks.
func TestQuantizeQ8KAct(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	block := func(kind int) []float32 {
		x := make([]float32, kqBlock)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		switch kind {
		case 1: // ties: the first ±amax decides the sign
			for _, i := range []int{200, 17, 90} {
				x[i] = 5
			}
			x[rng.IntN(17)] = -5
		case 2:
			clear(x)
		case 3: // −0 only
			for i := range x {
				x[i] = float32(math.Copysign(0, -1))
			}
		case 4: // magnitudes around 2^-120 and subnormal
			for i := range x {
				x[i] *= float32(math.Ldexp(1, -119-rng.IntN(30)))
			}
		case 5:
			for i := range x {
				x[i] *= 1e38
			}
		case 6:
			x[rng.IntN(kqBlock)] = float32(math.NaN())
		case 7:
			x[rng.IntN(kqBlock)] = float32(math.Inf(-1))
		case 8: // halves: rounding ties to even
			for i := range x {
				x[i] = float32(rng.IntN(255)-127) / 2
			}
			x[0] = 63.5
		case 9: // one tiny nonzero value among zeros
			clear(x)
			x[rng.IntN(kqBlock)] = float32(math.Ldexp(1, -149))
		}
		return x
	}
	for trial := 0; trial < 200; trial++ {
		nb := 1 + rng.IntN(6)
		src := make([]float32, 0, nb*kqBlock)
		for b := 0; b < nb; b++ {
			src = append(src, block(rng.IntN(10))...)
		}
		want := make([]byte, ActQ8_K.RowBytes(len(src)))
		got := make([]byte, len(want))
		for i := range got {
			got[i] = 0xAA
		}
		QuantizeQ8_K(want, src)
		ActQ8_K.Quantize(got, src)
		for i := range want {
			if got[i] != want[i] {
				b := i / kqBytesQ8K
				t.Fatalf("trial %d: block %d byte %d: got %#x, want %#x (block %v…)", trial, b, i%kqBytesQ8K, got[i], want[i], src[b*kqBlock:b*kqBlock+4])
			}
		}
	}
}
