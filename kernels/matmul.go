package kernels

// ActFormat is the encoding that activations are converted to before they
// meet a weight type in a matrix product, as ggml pairs them
// (vec_dot_type): Q8_K for the K-quants, IQ4_XS and the ternary types;
// Q8_0 for Q4_0, Q5_0, Q8_0 and IQ4_NL; Q8_1 for Q4_1 and Q5_1; F16 and
// BF16 for weights of those types; F32 for F32 weights.
type ActFormat uint8

// The activation formats.
const (
	ActF32 ActFormat = iota
	ActF16
	ActBF16
	ActQ8_0
	ActQ8_1
	ActQ8_K
)

var actInfo = [...]struct {
	name         string
	block, bytes int
	quantize     func(dst []byte, src []float32)
	dequantize   func(dst []float32, src []byte)
}{
	ActF32:  {"f32", 1, 4, F32ToBytesRow, BytesToF32Row},
	ActF16:  {"f16", 1, 2, actF16, F16ToF32Row},
	ActBF16: {"bf16", 1, 2, actBF16, BF16ToF32Row},
	ActQ8_0: {"q8_0", 32, 34, QuantizeQ8_0, DequantizeQ8_0},
	ActQ8_1: {"q8_1", 32, 36, quantizeQ8_1Fast, DequantizeQ8_1},
	ActQ8_K: {"q8_K", 256, 292, quantizeQ8KAct, DequantizeQ8_K},
}

// String is the ggml name of the format.
func (a ActFormat) String() string { return actInfo[a].name }

// BlockSize is the number of values one block encodes.
func (a ActFormat) BlockSize() int { return actInfo[a].block }

// RowBytes is the encoded size of n values (n a multiple of BlockSize).
func (a ActFormat) RowBytes(n int) int { return n / actInfo[a].block * actInfo[a].bytes }

// Quantize encodes one activation row src into dst (RowBytes(len(src))
// bytes).
func (a ActFormat) Quantize(dst []byte, src []float32) { actInfo[a].quantize(dst, src) }

// Dequantize decodes an encoded activation row (used by tests and the
// fallback kernels).
func (a ActFormat) Dequantize(dst []float32, src []byte) { actInfo[a].dequantize(dst, src) }

// MulFunc multiplies encoded weight rows with encoded activation rows:
//
//	out[t·ldo + r] = Σ_k W_r[k]·A_t[k]   for 0 ≤ r < rows, 0 ≤ t < toks
//
// where W_r is the row of n values at w[r·wStride:] (in the weight's type)
// and A_t the row of n values at a[t·aStride:] (in the kernel's ActFormat).
// n is a multiple of both block sizes. Every output depends only on its own
// row and token: whichever inner loop (one token or several at a time)
// computes it, the float32 result is bit-identical, so splitting the work
// differently (other thread counts, other tiles) never changes a value.
type MulFunc func(n int, w []byte, wStride, rows int, a []byte, aStride, toks int, out []float32, ldo int)

// MatKernel is how one weight type takes part in matrix products: the
// activation format it needs and the product itself.
type MatKernel struct {
	Act ActFormat
	Mul MulFunc
}

// mulViaF32 returns a MulFunc that decodes weight and activation rows to
// float32 and multiplies them in float64; it is the stand-in for a weight
// type whose fused integer kernel is not written yet, and the yardstick of
// the kernel tests.
func mulViaF32(dequantize func(dst []float32, src []byte), act ActFormat, block, blockBytes int) MulFunc {
	return func(n int, w []byte, wStride, rows int, a []byte, aStride, toks int, out []float32, ldo int) {
		wr := make([]float32, n)
		ar := make([]float32, n*toks)
		ab := act.RowBytes(n)
		for t := 0; t < toks; t++ {
			act.Dequantize(ar[t*n:(t+1)*n], a[t*aStride:t*aStride+ab])
		}
		wb := n / block * blockBytes
		for r := 0; r < rows; r++ {
			dequantize(wr, w[r*wStride:r*wStride+wb])
			for t := 0; t < toks; t++ {
				var s float64
				for k, v := range wr {
					s += float64(v) * float64(ar[t*n+k])
				}
				out[t*ldo+r] = float32(s)
			}
		}
	}
}

// ReferenceMul is the exact yardstick for kernel tests: Σ W_r[k]·A_t[k] in
// float64 over the decoded rows, for one row and one token.
func ReferenceMul(dequantize func(dst []float32, src []byte), act ActFormat, n int, w, a []byte) float64 {
	wr := make([]float32, n)
	ar := make([]float32, n)
	dequantize(wr, w)
	act.Dequantize(ar, a[:act.RowBytes(n)])
	var s float64
	for k := range wr {
		s += float64(wr[k]) * float64(ar[k])
	}
	return s
}
