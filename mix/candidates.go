package mix

import (
	"github.com/zqtool/zq/codec"
	"github.com/zqtool/zq/ggml"
)

// needsImportance are the types llama-quantize refuses to produce for a
// tensor without importance data (its very-low-bit check).
var needsImportance = map[ggml.Type]bool{
	ggml.TypeIQ2_XXS: true, ggml.TypeIQ2_XS: true, ggml.TypeIQ2_S: true,
	ggml.TypeIQ1_S: true, ggml.TypeIQ1_M: true,
}

// excluded are block types that zq can write but a mix never picks: the
// ternary formats, which only suit models trained for them.
var excluded = map[ggml.Type]bool{ggml.TypeTQ1_0: true, ggml.TypeTQ2_0: true}

// Candidates returns the types a weight with rows of cols values may take
// in a mix, in type-id order: F16, and every block type whose codec zq has
// (quantize, dequantize and a matrix-product kernel, so the forward pass
// and llama.cpp both run it) and whose block size divides cols. Without
// importance data for the tensor the types that require it are left out.
func Candidates(cols int, hasImportance bool) []ggml.Type {
	var out []ggml.Type
	for t := ggml.Type(0); t < ggml.TypeCount; t++ {
		if !t.Valid() || excluded[t] || (needsImportance[t] && !hasImportance) {
			continue
		}
		if t != ggml.TypeF16 && !t.Traits().Quantized {
			continue
		}
		if _, ok := codec.MatKernelFor(t); !ok || !codec.Supports(t) {
			continue
		}
		if cols%t.BlockSize() != 0 {
			continue
		}
		out = append(out, t)
	}
	return out
}
