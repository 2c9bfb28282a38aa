//go:build amd64 && !purego

#include "textflag.h"
#include "mulk_amd64.h"

// AVX2 Q8_K activation quantizer, bit-identical to QuantizeQ8_K (ggml's
// quantize_row_q8_K_ref) on the blocks it does; it stops before a block
// holding NaN/±Inf or whose largest magnitude is below 2^-120 (where
// −127/max would overflow), which the caller does with the reference.

DATA q8kPerm<>+0(SB)/4, $0
DATA q8kPerm<>+4(SB)/4, $4
DATA q8kPerm<>+8(SB)/4, $1
DATA q8kPerm<>+12(SB)/4, $5
DATA q8kPerm<>+16(SB)/4, $2
DATA q8kPerm<>+20(SB)/4, $6
DATA q8kPerm<>+24(SB)/4, $3
DATA q8kPerm<>+28(SB)/4, $7
GLOBL q8kPerm<>(SB), RODATA|NOPTR, $32
DATA q8kNeg127<>+0(SB)/4, $0xc2fe0000 // -127.0
GLOBL q8kNeg127<>(SB), RODATA|NOPTR, $4
DATA q8kOne<>+0(SB)/4, $0x3f800000 // 1.0
GLOBL q8kOne<>(SB), RODATA|NOPTR, $4

// AMAX4 folds the magnitudes (as int32 bits) of the 32 values at off(SI)
// into Y0-Y3 (needs Y15 = 0x7fffffff).
#define AMAX4(off) \
	VPAND (off)(SI), Y15, Y4; \
	VPAND (off+32)(SI), Y15, Y5; \
	VPAND (off+64)(SI), Y15, Y6; \
	VPAND (off+96)(SI), Y15, Y7; \
	VPMAXSD Y4, Y0, Y0; \
	VPMAXSD Y5, Y1, Y1; \
	VPMAXSD Y6, Y2, Y2; \
	VPMAXSD Y7, Y3, Y3

// QGROUP quantizes the 32 values of group g with Y7 = iscale, stores the
// codes in order at 4+32g(DI) and leaves in v the eight sums of four
// consecutive codes (needs Y14 = q8kPerm, Y13 = 1 bytes, Y12 = 1 words).
#define QGROUP(g, v) \
	VMULPS (128*(g))(SI), Y7, Y0; \
	VMULPS (128*(g)+32)(SI), Y7, Y1; \
	VMULPS (128*(g)+64)(SI), Y7, Y2; \
	VMULPS (128*(g)+96)(SI), Y7, Y3; \
	VCVTPS2DQ Y0, Y0; \
	VCVTPS2DQ Y1, Y1; \
	VCVTPS2DQ Y2, Y2; \
	VCVTPS2DQ Y3, Y3; \
	VPACKSSDW Y1, Y0, Y0; \
	VPACKSSDW Y3, Y2, Y2; \
	VPACKSSWB Y2, Y0, Y0; \
	VPERMD Y0, Y14, Y0; \
	VMOVDQU Y0, (4+32*(g))(DI); \
	VPMADDUBSW Y0, Y13, v; \
	VPMADDWD Y12, v, v

// func quantizeQ8KAVX2(dst *byte, src *float32, nb int) int
TEXT ·quantizeQ8KAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ nb+16(FP), CX
	XORQ R8, R8
	BCAST($0x7fffffff, X15, Y15)
	BCAST($0x01010101, X13, Y13)
	BCAST($0x00010001, X12, Y12)
	VMOVDQU q8kPerm<>(SB), Y14

block:
	CMPQ R8, CX
	JGE  done
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	AMAX4(0)
	AMAX4(128)
	AMAX4(256)
	AMAX4(384)
	AMAX4(512)
	AMAX4(640)
	AMAX4(768)
	AMAX4(896)
	VPMAXSD Y1, Y0, Y0
	VPMAXSD Y3, Y2, Y2
	VPMAXSD Y2, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPMAXSD X1, X0, X0
	VPSHUFD $0x4e, X0, X1
	VPMAXSD X1, X0, X0
	VPSHUFD $0xb1, X0, X1
	VPMAXSD X1, X0, X0
	VMOVD X0, AX
	CMPL AX, $0x7f800000
	JAE  done
	TESTL AX, AX
	JZ   zero
	CMPL AX, $0x03800000
	JB   done

	// max is the first value whose magnitude is amax.
	VPBROADCASTD X0, Y4
	XORQ BX, BX

find:
	VPAND (SI)(BX*1), Y15, Y5
	VPCMPEQD Y4, Y5, Y5
	VMOVMSKPS Y5, DX
	TESTL DX, DX
	JNZ  found
	ADDQ $32, BX
	JMP  find

found:
	BSFL DX, DX
	LEAQ (BX)(DX*4), BX
	VMOVSS (SI)(BX*1), X6
	VMOVSS q8kNeg127<>(SB), X7
	VDIVSS X6, X7, X7
	VMOVSS q8kOne<>(SB), X8
	VDIVSS X7, X8, X8
	VMOVSS X8, 0(DI)
	VBROADCASTSS X7, Y7

	QGROUP(0, Y4)
	QGROUP(1, Y5)
	VPHADDD Y5, Y4, Y8
	QGROUP(2, Y4)
	QGROUP(3, Y5)
	VPHADDD Y5, Y4, Y9
	QGROUP(4, Y4)
	QGROUP(5, Y5)
	VPHADDD Y5, Y4, Y10
	QGROUP(6, Y4)
	QGROUP(7, Y5)
	VPHADDD Y5, Y4, Y11
	// Y8 = [b0 b2 b4 b6 | b1 b3 b5 b7] after this, Y10 the same for b8…b15.
	VPHADDD Y9, Y8, Y8
	VPHADDD Y11, Y10, Y10
	VPERMD Y8, Y14, Y8
	VPERMD Y10, Y14, Y10
	VPACKSSDW Y10, Y8, Y8
	VPERMQ $0xd8, Y8, Y8
	VMOVDQU Y8, 260(DI)
	JMP  next

zero:
	VMOVDQU Y0, 0(DI)
	VMOVDQU Y0, 32(DI)
	VMOVDQU Y0, 64(DI)
	VMOVDQU Y0, 96(DI)
	VMOVDQU Y0, 128(DI)
	VMOVDQU Y0, 160(DI)
	VMOVDQU Y0, 192(DI)
	VMOVDQU Y0, 224(DI)
	VMOVDQU Y0, 256(DI)
	MOVL $0, 288(DI)

next:
	ADDQ $1024, SI
	ADDQ $292, DI
	INCQ R8
	JMP  block

done:
	MOVQ R8, ret+24(FP)
	VZEROUPPER
	RET
