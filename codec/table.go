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

// codecEntry is how zq quantizes to and from one ggml type.
type codecEntry struct {
	quantize    quantizeFunc
	dequantize  dequantizeFunc
	usesIMatrix bool // false: the importance matrix is ignored, as ggml does
}

// codecs maps each supported type to its kernels. The K-quants are added by
// kquants.go.
var codecs = map[ggml.Type]codecEntry{
	ggml.TypeF32:    {ignoreIMatrix(kernels.F32ToBytesRow), kernels.BytesToF32Row, false},
	ggml.TypeF16:    {ignoreIMatrix(kernels.F32ToF16Row), kernels.F16ToF32Row, false},
	ggml.TypeBF16:   {ignoreIMatrix(kernels.F32ToBF16Row), kernels.BF16ToF32Row, false},
	ggml.TypeQ4_0:   {kernels.QuantizeQ4_0, kernels.DequantizeQ4_0, true},
	ggml.TypeQ4_1:   {kernels.QuantizeQ4_1, kernels.DequantizeQ4_1, true},
	ggml.TypeQ5_0:   {kernels.QuantizeQ5_0, kernels.DequantizeQ5_0, true},
	ggml.TypeQ5_1:   {kernels.QuantizeQ5_1, kernels.DequantizeQ5_1, true},
	ggml.TypeQ8_0:   {ignoreIMatrix(kernels.QuantizeQ8_0), kernels.DequantizeQ8_0, false},
	ggml.TypeQ8_1:   {ignoreIMatrix(kernels.QuantizeQ8_1), kernels.DequantizeQ8_1, false},
	ggml.TypeIQ4_NL: {kernels.QuantizeIQ4_NL, kernels.DequantizeIQ4_NL, true},
	ggml.TypeIQ4_XS: {kernels.QuantizeIQ4_XS, kernels.DequantizeIQ4_XS, true},
	ggml.TypeTQ1_0:  {ignoreIMatrix(kernels.QuantizeTQ1_0), kernels.DequantizeTQ1_0, false},
	ggml.TypeTQ2_0:  {ignoreIMatrix(kernels.QuantizeTQ2_0), kernels.DequantizeTQ2_0, false},
}

// ignoreIMatrix adapts a kernel that takes no importance matrix.
func ignoreIMatrix(f func(dst []byte, src []float32)) quantizeFunc {
	return func(dst []byte, src, _ []float32) { f(dst, src) }
}

// lookup returns t's codec entry.
func lookup(t ggml.Type) (codecEntry, bool) {
	e, ok := codecs[t]
	return e, ok
}
