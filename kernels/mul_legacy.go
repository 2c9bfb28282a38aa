package kernels

// Matrix-product kernels of the legacy, IQ4, ternary and float weight
// types. (Stand-ins until the fused kernels land.)
var (
	MatQ4_0   = MatKernel{ActQ8_0, mulViaF32(DequantizeQ4_0, ActQ8_0, 32, 18)}
	MatQ4_1   = MatKernel{ActQ8_1, mulViaF32(DequantizeQ4_1, ActQ8_1, 32, 20)}
	MatQ5_0   = MatKernel{ActQ8_0, mulViaF32(DequantizeQ5_0, ActQ8_0, 32, 22)}
	MatQ5_1   = MatKernel{ActQ8_1, mulViaF32(DequantizeQ5_1, ActQ8_1, 32, 24)}
	MatQ8_0   = MatKernel{ActQ8_0, mulViaF32(DequantizeQ8_0, ActQ8_0, 32, 34)}
	MatIQ4_NL = MatKernel{ActQ8_0, mulViaF32(DequantizeIQ4_NL, ActQ8_0, 32, 18)}
	MatIQ4_XS = MatKernel{ActQ8_K, mulViaF32(DequantizeIQ4_XS, ActQ8_K, 256, 136)}
	MatTQ1_0  = MatKernel{ActQ8_K, mulViaF32(DequantizeTQ1_0, ActQ8_K, 256, 54)}
	MatTQ2_0  = MatKernel{ActQ8_K, mulViaF32(DequantizeTQ2_0, ActQ8_K, 256, 66)}
	MatF32    = MatKernel{ActF32, mulViaF32(BytesToF32Row, ActF32, 1, 4)}
	MatF16    = MatKernel{ActF16, mulViaF32(F16ToF32Row, ActF16, 1, 2)}
	MatBF16   = MatKernel{ActBF16, mulViaF32(BF16ToF32Row, ActBF16, 1, 2)}
)
