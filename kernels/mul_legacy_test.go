package kernels

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// mulCase describes one weight type for the kernel tests.
type mulCase struct {
	name        string
	k           MatKernel
	block, size int                             // values and bytes per encoded block
	quant       func(dst []byte, src []float32) // reference quantizer
	deq         func(dst []float32, src []byte) // reference decoder
	fp16        []int                           // offsets of fp16 fields (scales) in a block
	isFloat     bool                            // F32/F16/BF16: values are the encoding
	randValue   func(r *rand.Rand, b []byte)    // adversarial float value (isFloat)
	panel16     bool                            // panel blocks of 16 values (16-value scales)
	putScale    func(b []byte, h uint16)        // stores fp16 h as a block's scale when not at a fp16 offset
}

func noImatrix(q func(dst []byte, src, w []float32)) func(dst []byte, src []float32) {
	return func(dst []byte, src []float32) { q(dst, src, nil) }
}

// mulCases are the weight types this file's kernels serve.
var mulCases = []mulCase{
	{name: "q8_0", k: MatQ8_0, block: 32, size: blockQ8_0, quant: QuantizeQ8_0, deq: DequantizeQ8_0, fp16: []int{0}},
	{name: "q4_0", k: MatQ4_0, block: 32, size: blockQ4_0, quant: noImatrix(QuantizeQ4_0), deq: DequantizeQ4_0, fp16: []int{0}},
	{name: "q4_1", k: MatQ4_1, block: 32, size: blockQ4_1, quant: noImatrix(QuantizeQ4_1), deq: DequantizeQ4_1, fp16: []int{0, 2}},
	{name: "q5_0", k: MatQ5_0, block: 32, size: blockQ5_0, quant: noImatrix(QuantizeQ5_0), deq: DequantizeQ5_0, fp16: []int{0}},
	{name: "q5_1", k: MatQ5_1, block: 32, size: blockQ5_1, quant: noImatrix(QuantizeQ5_1), deq: DequantizeQ5_1, fp16: []int{0, 2}},
	{name: "iq4_nl", k: MatIQ4_NL, block: 32, size: blockIQ4NL, quant: noImatrix(QuantizeIQ4_NL), deq: DequantizeIQ4_NL, fp16: []int{0}},
	{name: "iq4_xs", k: MatIQ4_XS, block: 256, size: blockIQ4XS, quant: noImatrix(QuantizeIQ4_XS), deq: DequantizeIQ4_XS, fp16: []int{0}},
	{name: "tq1_0", k: MatTQ1_0, block: 256, size: blockTQ1, quant: QuantizeTQ1_0, deq: DequantizeTQ1_0, fp16: []int{52}},
	{name: "tq2_0", k: MatTQ2_0, block: 256, size: blockTQ2, quant: QuantizeTQ2_0, deq: DequantizeTQ2_0, fp16: []int{64}},
	{name: "f32", k: MatF32, block: 1, size: 4, quant: F32ToBytesRow, deq: BytesToF32Row, isFloat: true,
		randValue: func(r *rand.Rand, b []byte) {
			binary.LittleEndian.PutUint32(b, math.Float32bits(float32(r.NormFloat64()*math.Pow(2, float64(r.IntN(40)-20)))))
		}},
	{name: "f16", k: MatF16, block: 1, size: 2, quant: F32ToF16Row, deq: F16ToF32Row, isFloat: true,
		randValue: func(r *rand.Rand, b []byte) { binary.LittleEndian.PutUint16(b, randFiniteHalf(r)) }},
	{name: "bf16", k: MatBF16, block: 1, size: 2, quant: F32ToBF16Row, deq: BF16ToF32Row, isFloat: true,
		randValue: func(r *rand.Rand, b []byte) {
			binary.LittleEndian.PutUint16(b, F32ToBF16(float32(r.NormFloat64()*math.Pow(2, float64(r.IntN(40)-20)))))
		}},
}

// randFiniteHalf is a random finite fp16 (any exponent, incl. subnormals,
// ±0 and ±65504).
func randFiniteHalf(r *rand.Rand) uint16 {
	for {
		h := uint16(r.Uint32())
		if h&0x7c00 != 0x7c00 {
			return h
		}
	}
}

// weightModes make a row of n values of a type: quantized Gaussian data,
// random bytes with finite random scales, all-extreme codes with the
// largest finite scale, and blocks alternating zero and extreme.
var weightModes = []string{"quantized", "random", "extreme", "zero-blocks"}

// makeWeights fills one encoded row.
func makeWeights(r *rand.Rand, c mulCase, mode string, n int) []byte {
	nb := n / c.block
	row := make([]byte, nb*c.size)
	switch mode {
	case "quantized":
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(r.NormFloat64())
		}
		c.quant(row, x)
		return row
	case "random", "zero-blocks":
		for i := range row {
			row[i] = uint8(r.Uint32())
		}
	case "extreme":
		for i := range row {
			row[i] = []uint8{0x00, 0xff, 0x80, 0x7f, 0x88, 0x11}[r.IntN(6)]
		}
	}
	if c.isFloat {
		for i := 0; i < n; i++ {
			c.randValue(r, row[i*c.size:])
			if mode == "extreme" && c.name == "f16" {
				binary.LittleEndian.PutUint16(row[i*2:], []uint16{0x7bff, 0xfbff, 0, 0x8000, 0x0001}[r.IntN(5)])
			}
		}
	} else {
		for b := 0; b < nb; b++ {
			for _, off := range c.fp16 {
				binary.LittleEndian.PutUint16(row[b*c.size+off:], randScaleHalf(r, mode))
			}
			if c.putScale != nil {
				c.putScale(row[b*c.size:], randScaleHalf(r, mode))
			}
		}
	}
	if mode == "zero-blocks" {
		for b := 0; b < nb; b += 2 {
			clear(row[b*c.size : (b+1)*c.size])
		}
	}
	return row
}

// randScaleHalf is a random finite fp16 scale, ±65504 in extreme mode.
func randScaleHalf(r *rand.Rand, mode string) uint16 {
	h := randFiniteHalf(r)
	if mode == "extreme" {
		h = []uint16{0x7bff, 0xfbff}[r.IntN(2)] // ±65504
	}
	return h
}

// makeActs encodes one activation row of n values: Gaussian data scaled by
// a random power of two, or (extreme) values of ±amax only.
func makeActs(r *rand.Rand, act ActFormat, mode string, n int) []byte {
	x := make([]float32, n)
	s := math.Pow(2, float64(r.IntN(16)-8))
	for i := range x {
		x[i] = float32(r.NormFloat64() * s)
		if mode == "extreme" {
			x[i] = float32(s * float64(1-2*r.IntN(2)))
		}
		if mode == "zero-blocks" && (i/256)%2 == 0 {
			x[i] = 0
		}
	}
	row := make([]byte, act.RowBytes(n))
	act.Quantize(row, x)
	return row
}

// mulBound is the error a float32 kernel may make on one product: a
// multiple of Σ|W·A| (plus, for Q8_1's rounded block sums, the min terms).
func mulBound(c mulCase, n int, w, a []byte) float64 {
	wr, ar := make([]float32, n), make([]float32, n)
	c.deq(wr, w)
	c.k.Act.Dequantize(ar, a[:c.k.Act.RowBytes(n)])
	var s float64
	for k := range wr {
		s += math.Abs(float64(wr[k]) * float64(ar[k]))
	}
	terms := n / 32
	if c.panel16 {
		terms = n / 16
	}
	if c.isFloat {
		terms = n
	}
	bound := float64(terms+16) * 0x1p-23 * s
	if c.k.Act == ActQ8_1 {
		for b := 0; b < n/32; b++ {
			m := float64(fp16At(w[b*c.size+2:]))
			sb := float64(fp16At(a[b*blockQ8_1+2:]))
			bound += math.Abs(m*sb) * 0x1p-10
		}
	}
	return bound + 1e-30
}

// mulSizes are the row lengths tested per block size.
func mulSizes(c mulCase) []int {
	switch c.block {
	case 1:
		return []int{1, 7, 8, 9, 32, 33, 2051}
	case 32:
		return []int{32, 64, 2048, 5632}
	}
	return []int{256, 512, 2048, 5632}
}

// runMul calls k on a sub-matrix and returns its outputs (rows·toks, token
// major) after checking the guard cells around them.
func runMul(t *testing.T, mul MulFunc, n int, w []byte, wStride, rows int, a []byte, aStride, toks int) []float32 {
	t.Helper()
	const guard = -7777.5
	ldo := rows + 3
	buf := make([]float32, 2+toks*ldo+2)
	for i := range buf {
		buf[i] = guard
	}
	mul(n, w, wStride, rows, a, aStride, toks, buf[2:], ldo)
	res := make([]float32, rows*toks)
	for i, v := range buf {
		j := i - 2
		inside := j >= 0 && j < toks*ldo && j%ldo < rows
		if !inside && v != guard {
			t.Fatalf("rows %d toks %d: guard cell %d overwritten (%v)", rows, toks, j, v)
		}
		if inside {
			res[j/ldo*rows+j%ldo] = v
		}
	}
	return res
}

// TestMatKernels checks every kernel against the float64 yardstick and that
// each output is bit-identical whatever sub-matrix computed it.
func TestMatKernels(t *testing.T) {
	for _, c := range mulCases {
		for _, n := range mulSizes(c) {
			for _, mode := range weightModes {
				t.Run(fmt.Sprintf("%s/n%d/%s", c.name, n, mode), func(t *testing.T) {
					checkMatKernel(t, c, c.k.Mul, n, mode)
				})
			}
		}
	}
}

// mulProblem is a 9×9 test matrix product.
type mulProblem struct {
	n, wStride, aStride int
	w, a                []byte
}

const mulDim = 9

func newMulProblem(c mulCase, n int, mode string, seed uint64) mulProblem {
	r := rand.New(rand.NewPCG(seed, uint64(n)))
	p := mulProblem{n: n}
	wb, ab := n/c.block*c.size, c.k.Act.RowBytes(n)
	p.wStride, p.aStride = wb+5, ab+3
	p.w, p.a = make([]byte, mulDim*p.wStride), make([]byte, mulDim*p.aStride)
	for i := 0; i < mulDim; i++ {
		copy(p.w[i*p.wStride:], makeWeights(r, c, mode, n))
		copy(p.a[i*p.aStride:], makeActs(r, c.k.Act, mode, n))
	}
	return p
}

func checkMatKernel(t *testing.T, c mulCase, mul MulFunc, n int, mode string) {
	p := newMulProblem(c, n, mode, 1)
	full := runMul(t, mul, n, p.w, p.wStride, mulDim, p.a, p.aStride, mulDim)
	wb, ab := n/c.block*c.size, c.k.Act.RowBytes(n)
	for tk := 0; tk < mulDim; tk++ {
		for r := 0; r < mulDim; r++ {
			wr, ar := p.w[r*p.wStride:r*p.wStride+wb], p.a[tk*p.aStride:tk*p.aStride+ab]
			want := ReferenceMul(c.deq, c.k.Act, n, wr, ar)
			got := full[tk*mulDim+r]
			if d := math.Abs(float64(got) - want); !(d <= mulBound(c, n, wr, ar)) {
				t.Fatalf("row %d tok %d: got %v, want %v (|diff| %g > %g)", r, tk, got, want, d, mulBound(c, n, wr, ar))
			}
		}
	}
	// Every sub-matrix shape (and offset) reproduces the same bits.
	step := 1
	if n > 1024 {
		step = 4
	}
	for rows := 1; rows <= mulDim; rows += step {
		for toks := 1; toks <= mulDim; toks += step {
			r0, t0 := (mulDim-rows)/2, mulDim-toks
			sub := runMul(t, mul, n, p.w[r0*p.wStride:], p.wStride, rows, p.a[t0*p.aStride:], p.aStride, toks)
			for tk := 0; tk < toks; tk++ {
				for r := 0; r < rows; r++ {
					g, w := sub[tk*rows+r], full[(t0+tk)*mulDim+r0+r]
					if math.Float32bits(g) != math.Float32bits(w) {
						t.Fatalf("rows %d toks %d: out[%d,%d] = %v, the 9×9 call gave %v", rows, toks, tk, r, g, w)
					}
				}
			}
		}
	}
}

// TestMatKernelsZeroLength checks that n = 0 gives zeros.
func TestMatKernelsZeroLength(t *testing.T) {
	for _, c := range mulCases {
		out := []float32{1, 2, 3, 4}
		c.k.Mul(0, nil, 0, 2, nil, 0, 2, out, 2)
		for _, v := range out {
			if v != 0 {
				t.Fatalf("%s: n = 0 gave %v", c.name, out)
			}
		}
	}
}

// TestQuantizeQ8_1Fast checks ActQ8_1's quantizer against the reference
// QuantizeQ8_1 byte for byte on the legacy test blocks (NaN, ±Inf, ties,
// subnormal and huge values included).
func TestQuantizeQ8_1Fast(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, g := range legacyBlockGens {
		for _, nb := range []int{1, 7, 8, 9, 33} {
			x := make([]float32, nb*32)
			for b := 0; b < nb; b++ {
				g.gen(r, x[b*32:(b+1)*32])
			}
			want, got := make([]byte, nb*blockQ8_1), make([]byte, nb*blockQ8_1)
			QuantizeQ8_1(want, x)
			ActQ8_1.Quantize(got, x)
			if !bytes.Equal(want, got) {
				t.Fatalf("%s nb=%d: ActQ8_1.Quantize differs from QuantizeQ8_1", g.name, nb)
			}
		}
	}
}

// makeActsMinus128 encodes an activation row whose codes are −128 half of
// the time (no quantizer here writes −128, but the format allows it).
func makeActsMinus128(r *rand.Rand, act ActFormat, n int) []byte {
	row := make([]byte, act.RowBytes(n))
	code := func() byte {
		if r.IntN(2) == 0 {
			return 0x80
		}
		return uint8(r.Uint32())
	}
	switch act {
	case ActQ8_0, ActQ8_1:
		bs, qo := blockQ8_0, 2
		if act == ActQ8_1 {
			bs, qo = blockQ8_1, 4
		}
		for b := 0; b < n/32; b++ {
			y := row[b*bs : (b+1)*bs]
			putFP16(y, float32(r.Float64()+0.01))
			var sum int32
			for j := 0; j < 32; j++ {
				y[qo+j] = code()
				sum += int32(int8(y[qo+j]))
			}
			if act == ActQ8_1 {
				putFP16(y[2:], float32(sum)*fp16At(y))
			}
		}
	case ActQ8_K:
		for b := 0; b < n/256; b++ {
			y := row[b*kqBytesQ8K : (b+1)*kqBytesQ8K]
			putF32(y, float32(r.Float64()+0.01))
			for j := 0; j < 256; j++ {
				y[4+j] = code()
			}
			for g := 0; g < 16; g++ {
				var s int16
				for _, q := range y[4+16*g : 20+16*g] {
					s += int16(int8(q))
				}
				binary.LittleEndian.PutUint16(y[260+2*g:], uint16(s))
			}
		}
	}
	return row
}

// checkMinus128 checks the integer kernels against the yardstick with −128
// activation codes.
func checkMinus128(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, c := range mulCases {
		if c.isFloat {
			continue
		}
		n := 512
		w := makeWeights(r, c, "random", n)
		ab := c.k.Act.RowBytes(n)
		a := make([]byte, 0, 3*ab)
		for tk := 0; tk < 3; tk++ {
			a = append(a, makeActsMinus128(r, c.k.Act, n)...)
		}
		var all [3]float32
		c.k.Mul(n, w, len(w), 1, a, ab, 3, all[:], 1) // tiles
		for tk := 0; tk < 3; tk++ {
			var one [1]float32
			at := a[tk*ab : (tk+1)*ab]
			c.k.Mul(n, w, len(w), 1, at, ab, 1, one[:], 1) // one-token kernels
			want := ReferenceMul(c.deq, c.k.Act, n, w, at)
			for _, got := range []float32{all[tk], one[0]} {
				if d := math.Abs(float64(got) - want); !(d <= mulBound(c, n, w, at)) {
					t.Fatalf("%s tok %d: got %v, want %v", c.name, tk, got, want)
				}
			}
		}
	}
}

// TestMinus128Activations runs checkMinus128 on the pure-Go kernels (the
// assembly paths are covered per family in the amd64 tests).
func TestMinus128Activations(t *testing.T) {
	if !Features().PureGo {
		t.Skip("assembly build: see TestMinus128EveryPath")
	}
	checkMinus128(t)
}

// TestActHalfQuantizers checks ActF16 and ActBF16 against F32ToF16Row and
// F32ToBF16Row bit for bit: random bit patterns (NaNs, infinities,
// subnormals, rounding ties included) at lengths around the 8-value groups.
func TestActHalfQuantizers(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, n := range []int{1, 7, 8, 9, 16, 31, 1000, 4099} {
		x := make([]float32, n)
		for i := range x {
			switch r.IntN(5) {
			case 0:
				x[i] = math.Float32frombits(r.Uint32())
			case 1: // an fp16 rounding tie (for normal halves) or a neighbour
				x[i] = math.Float32frombits((r.Uint32()&^0x1fff | 0x1000) + uint32(r.IntN(3)) - 1)
			case 2: // a bf16 rounding tie or a neighbour
				x[i] = math.Float32frombits((r.Uint32()&^0xffff | 0x8000) + uint32(r.IntN(3)) - 1)
			default:
				x[i] = float32(r.NormFloat64() * math.Pow(2, float64(r.IntN(60)-30)))
			}
		}
		if n > 20 {
			x[13] = float32(math.NaN())
		}
		for _, c := range []struct {
			act ActFormat
			ref func([]byte, []float32)
		}{{ActF16, F32ToF16Row}, {ActBF16, F32ToBF16Row}} {
			want, got := make([]byte, 2*n), make([]byte, 2*n)
			c.ref(want, x)
			c.act.Quantize(got, x)
			if !bytes.Equal(want, got) {
				t.Fatalf("%v n=%d: differs from the reference conversion", c.act, n)
			}
		}
	}
}

// TestMatKernelsRejectPartialBlocks checks the block-size precondition.
func TestMatKernelsRejectPartialBlocks(t *testing.T) {
	for _, c := range mulCases {
		if c.isFloat {
			continue
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: n = %d accepted", c.name, c.block+16)
				}
			}()
			n := c.block + 16
			w := make([]byte, 2*c.size)
			a := make([]byte, c.k.Act.RowBytes(2*c.block))
			c.k.Mul(n, w, len(w), 1, a, len(a), 1, make([]float32, 1), 1)
		}()
	}
}
