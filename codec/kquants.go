package codec

import (
	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/kernels"
)

// The K-quant kernels (Q2_K…Q6_K use an importance matrix; Q8_K, the
// activation format of K-quant dot products, does not).
func init() {
	codecs[ggml.TypeQ2_K] = codecEntry{kernels.QuantizeQ2_K, kernels.DequantizeQ2_K, true}
	codecs[ggml.TypeQ3_K] = codecEntry{kernels.QuantizeQ3_K, kernels.DequantizeQ3_K, true}
	codecs[ggml.TypeQ4_K] = codecEntry{kernels.QuantizeQ4_K, kernels.DequantizeQ4_K, true}
	codecs[ggml.TypeQ5_K] = codecEntry{kernels.QuantizeQ5_K, kernels.DequantizeQ5_K, true}
	codecs[ggml.TypeQ6_K] = codecEntry{kernels.QuantizeQ6_K, kernels.DequantizeQ6_K, true}
	codecs[ggml.TypeQ8_K] = codecEntry{ignoreIMatrix(kernels.QuantizeQ8_K), kernels.DequantizeQ8_K, false}
}
