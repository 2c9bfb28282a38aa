package codec

import (
	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/kernels"
)

// quantizeFunc quantizes whole blocks of src into dst. imatrix is nil or,
// when the codec uses one, has len(src) entries; src is then exactly one row
// (legacy importance-weighted quantizers take statistics over the row).
type quantizeFunc func(dst []byte, src, imatrix []float32)

// dequantizeFunc decodes whole blocks of src into dst.
type dequantizeFunc func(dst []float32, src []byte)

// codecEntry is how zq quantizes to and from one ggml type, and how a
// weight of that type takes part in matrix products.
type codecEntry struct {
	quantize    quantizeFunc
	dequantize  dequantizeFunc
	usesIMatrix bool // false: the importance matrix is ignored, as ggml does
	// mat is the fused matrix-product kernel for weights of this type; a
	// zero Mul means the type is not used as a weight (activation formats).
	mat kernels.MatKernel
}

// codecs is indexed by type; an entry with a nil quantize is unsupported.
var codecs = [ggml.TypeCount]codecEntry{
	ggml.TypeF32:     {ignoreIMatrix(kernels.F32ToBytesRow), kernels.BytesToF32Row, false, kernels.MatF32},
	ggml.TypeF16:     {ignoreIMatrix(kernels.F32ToF16Row), kernels.F16ToF32Row, false, kernels.MatF16},
	ggml.TypeBF16:    {ignoreIMatrix(kernels.F32ToBF16Row), kernels.BF16ToF32Row, false, kernels.MatBF16},
	ggml.TypeQ4_0:    {kernels.QuantizeQ4_0, kernels.DequantizeQ4_0, true, kernels.MatQ4_0},
	ggml.TypeQ4_1:    {kernels.QuantizeQ4_1, kernels.DequantizeQ4_1, true, kernels.MatQ4_1},
	ggml.TypeQ5_0:    {kernels.QuantizeQ5_0, kernels.DequantizeQ5_0, true, kernels.MatQ5_0},
	ggml.TypeQ5_1:    {kernels.QuantizeQ5_1, kernels.DequantizeQ5_1, true, kernels.MatQ5_1},
	ggml.TypeQ8_0:    {ignoreIMatrix(kernels.QuantizeQ8_0), kernels.DequantizeQ8_0, false, kernels.MatQ8_0},
	ggml.TypeQ8_1:    {ignoreIMatrix(kernels.QuantizeQ8_1), kernels.DequantizeQ8_1, false, kernels.MatKernel{}},
	ggml.TypeQ2_K:    {kernels.QuantizeQ2_K, kernels.DequantizeQ2_K, true, kernels.MatQ2_K},
	ggml.TypeQ3_K:    {kernels.QuantizeQ3_K, kernels.DequantizeQ3_K, true, kernels.MatQ3_K},
	ggml.TypeQ4_K:    {kernels.QuantizeQ4_K, kernels.DequantizeQ4_K, true, kernels.MatQ4_K},
	ggml.TypeQ5_K:    {kernels.QuantizeQ5_K, kernels.DequantizeQ5_K, true, kernels.MatQ5_K},
	ggml.TypeQ6_K:    {kernels.QuantizeQ6_K, kernels.DequantizeQ6_K, true, kernels.MatQ6_K},
	ggml.TypeQ8_K:    {ignoreIMatrix(kernels.QuantizeQ8_K), kernels.DequantizeQ8_K, false, kernels.MatKernel{}},
	ggml.TypeIQ4_NL:  {kernels.QuantizeIQ4_NL, kernels.DequantizeIQ4_NL, true, kernels.MatIQ4_NL},
	ggml.TypeIQ4_XS:  {kernels.QuantizeIQ4_XS, kernels.DequantizeIQ4_XS, true, kernels.MatIQ4_XS},
	ggml.TypeIQ1_S:   {carryOnly(kernels.QuantizeIQ1_S), kernels.DequantizeIQ1_S, true, kernels.MatIQ1_S},
	ggml.TypeIQ1_M:   {carryOnly(kernels.QuantizeIQ1_M), kernels.DequantizeIQ1_M, true, kernels.MatIQ1_M},
	ggml.TypeIQ2_XXS: {kernels.QuantizeIQ2_XXS, kernels.DequantizeIQ2_XXS, true, kernels.MatIQ2_XXS},
	ggml.TypeIQ2_XS:  {kernels.QuantizeIQ2_XS, kernels.DequantizeIQ2_XS, true, kernels.MatIQ2_XS},
	ggml.TypeIQ2_S:   {kernels.QuantizeIQ2_S, kernels.DequantizeIQ2_S, true, kernels.MatIQ2_S},
	ggml.TypeIQ3_XXS: {kernels.QuantizeIQ3_XXS, kernels.DequantizeIQ3_XXS, true, kernels.MatIQ3_XXS},
	ggml.TypeIQ3_S:   {kernels.QuantizeIQ3_S, kernels.DequantizeIQ3_S, true, kernels.MatIQ3_S},
	ggml.TypeTQ1_0:   {ignoreIMatrix(kernels.QuantizeTQ1_0), kernels.DequantizeTQ1_0, false, kernels.MatTQ1_0},
	ggml.TypeTQ2_0:   {ignoreIMatrix(kernels.QuantizeTQ2_0), kernels.DequantizeTQ2_0, false, kernels.MatTQ2_0},
}

// requiresIMatrix marks the types ggml quantizes only with an importance
// matrix (ggml_quantize_requires_imatrix).
var requiresIMatrix = [ggml.TypeCount]bool{
	ggml.TypeIQ2_XXS: true,
	ggml.TypeIQ2_XS:  true,
	ggml.TypeIQ1_S:   true,
}

// carryQuantizers are the types whose ggml quantizer carries state from
// one row to the next within a call, and can fail where ggml aborts:
// codec hands them the rows before the current one of the same call (a
// Quantize call is one ggml call) and reports their errors.
var carryQuantizers = [ggml.TypeCount]func(dst []byte, src, imatrix, before []float32) error{
	ggml.TypeIQ1_S: kernels.QuantizeIQ1_S,
	ggml.TypeIQ1_M: kernels.QuantizeIQ1_M,
}

// carryOnly is the table entry of a carryQuantizers type. codec always
// calls the carryQuantizers function instead, which reports errors; this
// one (a first row, errors dropped) only fills the slot.
func carryOnly(q func(dst []byte, src, imatrix, before []float32) error) quantizeFunc {
	return func(dst []byte, src, imatrix []float32) { _ = q(dst, src, imatrix, nil) }
}

// ignoreIMatrix adapts a kernel that takes no importance matrix.
func ignoreIMatrix(f func(dst []byte, src []float32)) quantizeFunc {
	return func(dst []byte, src, _ []float32) { f(dst, src) }
}

// lookup returns t's codec entry.
func lookup(t ggml.Type) (codecEntry, bool) {
	if t >= ggml.TypeCount || codecs[t].quantize == nil {
		return codecEntry{}, false
	}
	return codecs[t], true
}

// MatKernelFor returns the matrix-product kernel for weights of type t
// (resolve it once when a weight is loaded); ok is false for a type that
// cannot be a weight.
func MatKernelFor(t ggml.Type) (k kernels.MatKernel, ok bool) {
	e, found := lookup(t)
	if !found || e.mat.Mul == nil {
		return kernels.MatKernel{}, false
	}
	return e.mat, true
}
