//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// f16RowHasAsm reports whether F16ToF32Row uses VCVTPH2PS (AVX + F16C).
var f16RowHasAsm = cpu.X86.HasAVX && cpu.X86.HasF16C

// bf16RowHasAsm reports whether BF16ToF32Row uses the AVX2 widening loop.
var bf16RowHasAsm = cpu.X86.HasAVX2

// f16ToF32Bulk converts a prefix of src into dst with the F16C twin when
// the CPU has it and returns how many values it converted (a multiple of
// 8, or 0). Preconditions: len(src) >= 2·len(dst).
func f16ToF32Bulk(dst []float32, src []byte) int {
	if !f16RowHasAsm {
		return 0
	}
	f16ToF32F16C(dst, src)
	return len(dst) &^ 7
}

// bf16ToF32Bulk is f16ToF32Bulk for bf16 with the AVX2 twin.
func bf16ToF32Bulk(dst []float32, src []byte) int {
	if !bf16RowHasAsm {
		return 0
	}
	bf16ToF32AVX2(dst, src)
	return len(dst) &^ 7
}

// f16ToF32F16C converts len(dst)&^7 fp16 values with VCVTPH2PS, which
// quiets a signalling NaN by setting its quiet bit and keeps the payload,
// as F16ToF32 does (checked exhaustively by the tests).
//
//go:noescape
func f16ToF32F16C(dst []float32, src []byte)

// bf16ToF32AVX2 widens len(dst)&^7 bf16 values (zero extend, shift left 16).
//
//go:noescape
func bf16ToF32AVX2(dst []float32, src []byte)
