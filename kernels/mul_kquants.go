package kernels

// Matrix-product kernels of the K-quant weight types; their activations
// are Q8_K blocks. (Stand-ins until the fused integer kernels land.)
var (
	MatQ2_K = MatKernel{ActQ8_K, mulViaF32(DequantizeQ2_K, ActQ8_K, 256, 84)}
	MatQ3_K = MatKernel{ActQ8_K, mulViaF32(DequantizeQ3_K, ActQ8_K, 256, 110)}
	MatQ4_K = MatKernel{ActQ8_K, mulViaF32(DequantizeQ4_K, ActQ8_K, 256, 144)}
	MatQ5_K = MatKernel{ActQ8_K, mulViaF32(DequantizeQ5_K, ActQ8_K, 256, 176)}
	MatQ6_K = MatKernel{ActQ8_K, mulViaF32(DequantizeQ6_K, ActQ8_K, 256, 210)}
)
