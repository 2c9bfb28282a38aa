// Package kernels holds zq's hot numeric loops: the per-block quantizers and
// dequantizers of ggml's tensor formats and the float16/bfloat16 row
// conversions.
//
// Everything here is pure Go and reproduces ggml's reference C code bit for
// bit: every float32 operation is rounded on its own (products that feed an
// addition are wrapped in an explicit float32 conversion so the compiler
// cannot fuse them into a multiply-add), and ggml's rounding helpers are
// emulated exactly. A SIMD twin of any function may later replace the pure Go
// body behind the same signature.
//
// Kernels do not validate their arguments: slice lengths must already be
// exact multiples of the block size (package codec checks them and returns
// errors). A kernel given wrong lengths may panic.
package kernels
