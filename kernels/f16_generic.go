//go:build !amd64 || purego

package kernels

// f16RowHasAsm reports whether F16ToF32Row uses an assembly twin.
var f16RowHasAsm = false

// bf16RowHasAsm reports whether BF16ToF32Row uses an assembly twin.
var bf16RowHasAsm = false

// f16ToF32Bulk converts nothing in this build: F16ToF32Row's Go loop does
// all the work.
func f16ToF32Bulk(dst []float32, src []byte) int { return 0 }

// bf16ToF32Bulk converts nothing in this build.
func bf16ToF32Bulk(dst []float32, src []byte) int { return 0 }
