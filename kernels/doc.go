// Package kernels holds zq's hot numeric loops: the per-block quantizers and
// dequantizers of ggml's tensor formats, the float16/bfloat16 row
// conversions, and the matrix-product kernels of the forward pass (fused
// integer products of encoded weights with quantized activations, see
// MatKernel).
//
// Every function has a pure-Go body; many also have an assembly twin (AVX2,
// AVX-512/VNNI on amd64) chosen once at start-up from Features(), and the
// build tag purego compiles the twins out. The quantizers reproduce ggml's
// reference C code bit for bit on every path: every float32 operation is
// rounded on its own (products that feed an addition are wrapped in an
// explicit float32 conversion so the compiler cannot fuse them into a
// multiply-add), and ggml's rounding helpers are emulated exactly. The
// matrix products are bit-identical across their own paths and tilings;
// their float32 results may differ from the reference decode-then-multiply
// in the last bits.
//
// Kernels do not validate their arguments: slice lengths must already be
// exact multiples of the block size (package codec checks them and returns
// errors). A kernel given wrong lengths may panic.
package kernels
