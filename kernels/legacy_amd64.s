//go:build amd64 && !purego

#include "textflag.h"

DATA legAbs<>+0(SB)/4, $0x7fffffff
GLOBL legAbs<>(SB), RODATA|NOPTR, $4
DATA legMaxFin<>+0(SB)/4, $0x7f7fffff // largest finite |x| bits
GLOBL legMaxFin<>(SB), RODATA|NOPTR, $4
DATA legHalf<>+0(SB)/4, $0x3f000000 // 0.5
GLOBL legHalf<>(SB), RODATA|NOPTR, $4
DATA legOne<>+0(SB)/4, $0x3f800000 // 1.0
GLOBL legOne<>(SB), RODATA|NOPTR, $4
DATA legSign<>+0(SB)/4, $0x80000000
GLOBL legSign<>(SB), RODATA|NOPTR, $4
DATA leg127<>+0(SB)/4, $0x42fe0000 // 127.0
GLOBL leg127<>(SB), RODATA|NOPTR, $4
DATA legNeg8<>+0(SB)/4, $0xc1000000 // -8.0
GLOBL legNeg8<>(SB), RODATA|NOPTR, $4
DATA leg8p5<>+0(SB)/4, $0x41080000 // 8.5
GLOBL leg8p5<>(SB), RODATA|NOPTR, $4
DATA leg15<>+0(SB)/4, $15
GLOBL leg15<>(SB), RODATA|NOPTR, $4
DATA legHiNib<>+0(SB)/4, $0xf0f0f0f0
GLOBL legHiNib<>(SB), RODATA|NOPTR, $4
DATA legPerm<>+0(SB)/4, $0
DATA legPerm<>+4(SB)/4, $4
DATA legPerm<>+8(SB)/4, $1
DATA legPerm<>+12(SB)/4, $5
DATA legPerm<>+16(SB)/4, $2
DATA legPerm<>+20(SB)/4, $6
DATA legPerm<>+24(SB)/4, $3
DATA legPerm<>+28(SB)/4, $7
GLOBL legPerm<>(SB), RODATA|NOPTR, $32

// LOADABS loads the 32 values at (SI) into Y0-Y3 and their magnitudes into
// Y4-Y7 (needs Y15 = 0x7fffffff).
#define LOADABS \
	VMOVUPS 0(SI), Y0; \
	VMOVUPS 32(SI), Y1; \
	VMOVUPS 64(SI), Y2; \
	VMOVUPS 96(SI), Y3; \
	VANDPS  Y15, Y0, Y4; \
	VANDPS  Y15, Y1, Y5; \
	VANDPS  Y15, Y2, Y6; \
	VANDPS  Y15, Y3, Y7

// AMAXBITS leaves in every lane of X8 (and in AX) the bits of the largest
// magnitude in Y4-Y7. Magnitudes are non-negative, so their bit patterns
// order like the floats, and NaN/Inf patterns exceed every finite one.
// Clobbers Y8, Y9.
#define AMAXBITS \
	VPMAXSD     Y5, Y4, Y8; \
	VPMAXSD     Y7, Y6, Y9; \
	VPMAXSD     Y9, Y8, Y8; \
	VEXTRACTI128 $1, Y8, X9; \
	VPMAXSD     X9, X8, X8; \
	VPSHUFD     $0x4e, X8, X9; \
	VPMAXSD     X9, X8, X8; \
	VPSHUFD     $0xb1, X8, X9; \
	VPMAXSD     X9, X8, X8; \
	VMOVD       X8, AX

// LOWBYTE keeps the low byte of each int32 lane of r, sign extended (C's
// narrowing to int8).
#define LOWBYTE(r) \
	VPSLLD $24, r, r; \
	VPSRAD $24, r, r

// PACK32 packs the int8-ranged int32 lanes of Y0-Y3 into the 32 bytes of Y0
// in element order (needs Y10 = legPerm). Clobbers Y2.
#define PACK32 \
	VPACKSSDW Y1, Y0, Y0; \
	VPACKSSDW Y3, Y2, Y2; \
	VPACKSSWB Y2, Y0, Y0; \
	VPERMD    Y0, Y10, Y0

// Q8ROUND turns the float lanes of r into roundf(r*id) as int32 low bytes:
// t = trunc(v); t += copysign(1, v) where |v - t| >= 0.5; cvttps2dq.
// Needs Y6 = id, Y15 = abs mask, Y13 = 0.5, Y12 = 1.0, Y11 = sign mask.
// Clobbers Y7, Y8.
#define Q8ROUND(r) \
	VMULPS     Y6, r, r; \
	VROUNDPS   $3, r, Y7; \
	VSUBPS     Y7, r, Y8; \
	VANDPS     Y15, Y8, Y8; \
	VCMPPS     $13, Y13, Y8, Y8; \
	VANDPS     Y11, r, r; \
	VORPS      Y12, r, r; \
	VANDPS     Y8, r, r; \
	VADDPS     r, Y7, r; \
	VCVTTPS2DQ r, r; \
	LOWBYTE(r)

// func quantizeQ8_0AVX2(dst []byte, src []float32) int
//
// Quantizes blocks of 32 values from src into 34-byte Q8_0 blocks in dst,
// stopping before the first block holding a NaN or ±Inf; returns the number
// of blocks done. Per block, with no FMA:
//
//	amax = max |x|; d = amax/127; id = d != 0 ? 1/d : 0
//	y[0:2] = fp16(d) (VCVTPS2PH, round to nearest even; d is finite)
//	y[2+j] = low byte of (int32)roundf(x[j]*id)
TEXT ·quantizeQ8_0AVX2(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $5, CX
	XORQ BX, BX
	VPBROADCASTD legAbs<>(SB), Y15
	VPBROADCASTD legHalf<>(SB), Y13
	VPBROADCASTD legOne<>(SB), Y12
	VPBROADCASTD legSign<>(SB), Y11
	VMOVDQU      legPerm<>(SB), Y10
	VMOVSS       leg127<>(SB), X14
	TESTQ CX, CX
	JEQ   q8done

q8loop:
	LOADABS
	AMAXBITS
	CMPL AX, $0x7f7fffff
	JA   q8done
	VDIVSS    X14, X8, X5      // d = amax/127
	VCVTPS2PH $0, X5, X9
	VPEXTRW   $0, X9, AX
	MOVW      AX, 0(DI)
	VDIVSS    X5, X12, X6      // 1/d
	VXORPS    X9, X9, X9
	VCMPSS    $4, X9, X5, X9   // d != 0
	VANDPS    X9, X6, X6
	VBROADCASTSS X6, Y6
	Q8ROUND(Y0)
	Q8ROUND(Y1)
	Q8ROUND(Y2)
	Q8ROUND(Y3)
	PACK32
	VMOVDQU Y0, 2(DI)
	ADDQ $128, SI
	ADDQ $34, DI
	INCQ BX
	CMPQ BX, CX
	JB   q8loop

q8done:
	MOVQ BX, ret+48(FP)
	VZEROUPPER
	RET

// Q4CODE turns the float lanes of r into min(15, (int8)(int32)(r*id + 8.5)).
// Needs Y8 = id, Y14 = 8.5, Y13 = 15.
#define Q4CODE(r) \
	VMULPS     Y8, r, r; \
	VADDPS     Y14, r, r; \
	VCVTTPS2DQ r, r; \
	LOWBYTE(r); \
	VPMINSD    Y13, r, r

// func quantizeQ4_0AVX2(dst []byte, src []float32) int
//
// Quantizes blocks of 32 values into 18-byte Q4_0 blocks, stopping before
// the first block holding a NaN or ±Inf; returns the number of blocks done.
// Per block, with no FMA:
//
//	max = the first x[j] of largest magnitude (+0 if that is 0)
//	d = max/-8; id = d != 0 ? 1/d : 0; y[0:2] = fp16(d)
//	q[j] = min(15, (int8)(int32)(x[j]*id + 8.5))
//	y[2+j] = uint8(q[j]) | uint8(q[j+16]<<4)
TEXT ·quantizeQ4_0AVX2(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $5, CX
	XORQ BX, BX
	VPBROADCASTD legAbs<>(SB), Y15
	VPBROADCASTD leg8p5<>(SB), Y14
	VPBROADCASTD leg15<>(SB), Y13
	VPBROADCASTD legHiNib<>(SB), Y12
	VPBROADCASTD legOne<>(SB), Y11
	VMOVDQU      legPerm<>(SB), Y10
	TESTQ CX, CX
	JEQ   q4done

q4loop:
	LOADABS
	AMAXBITS
	CMPL AX, $0x7f7fffff
	JA   q4done
	VXORPS X9, X9, X9
	TESTL  AX, AX
	JEQ    q4havemax
	// index of the first magnitude equal to amax
	VPBROADCASTD X8, Y8
	VPCMPEQD  Y8, Y4, Y9
	VMOVMSKPS Y9, DX
	VPCMPEQD  Y8, Y5, Y9
	VMOVMSKPS Y9, R8
	SHLL      $8, R8
	ORL       R8, DX
	VPCMPEQD  Y8, Y6, Y9
	VMOVMSKPS Y9, R8
	SHLL      $16, R8
	ORL       R8, DX
	VPCMPEQD  Y8, Y7, Y9
	VMOVMSKPS Y9, R8
	SHLL      $24, R8
	ORL       R8, DX
	BSFL      DX, DX
	VMOVSS    (SI)(DX*4), X9

q4havemax:
	VDIVSS    legNeg8<>(SB), X9, X9 // d = max/-8
	VCVTPS2PH $0, X9, X8
	VPEXTRW   $0, X8, AX
	MOVW      AX, 0(DI)
	VDIVSS    X9, X11, X8           // 1/d
	VXORPS    X4, X4, X4
	VCMPSS    $4, X4, X9, X4        // d != 0
	VANDPS    X4, X8, X8
	VBROADCASTSS X8, Y8
	Q4CODE(Y0)
	Q4CODE(Y1)
	Q4CODE(Y2)
	Q4CODE(Y3)
	PACK32
	VEXTRACTI128 $1, Y0, X1
	VPSLLW  $4, X1, X1
	VPAND   X12, X1, X1
	VPOR    X1, X0, X0
	VMOVDQU X0, 2(DI)
	ADDQ $128, SI
	ADDQ $18, DI
	INCQ BX
	CMPQ BX, CX
	JB   q4loop

q4done:
	MOVQ BX, ret+48(FP)
	VZEROUPPER
	RET

// func finiteBulkAVX2(src []float32) int
//
// Returns the length of the longest prefix of whole 32-value chunks of src
// that holds no NaN or ±Inf (a multiple of 32).
TEXT ·finiteBulkAVX2(SB), NOSPLIT, $0-32
	MOVQ src_base+0(FP), SI
	MOVQ src_len+8(FP), CX
	ANDQ $-32, CX
	XORQ BX, BX
	VPBROADCASTD legAbs<>(SB), Y15
	VPBROADCASTD legMaxFin<>(SB), Y14
	CMPQ BX, CX
	JAE  fdone

floop:
	VPAND   0(SI)(BX*4), Y15, Y0
	VPAND   32(SI)(BX*4), Y15, Y1
	VPAND   64(SI)(BX*4), Y15, Y2
	VPAND   96(SI)(BX*4), Y15, Y3
	VPMAXSD Y1, Y0, Y0
	VPMAXSD Y3, Y2, Y2
	VPMAXSD Y2, Y0, Y0
	VPCMPGTD Y14, Y0, Y0
	VPTEST  Y0, Y0
	JNZ     fdone
	ADDQ    $32, BX
	CMPQ    BX, CX
	JB      floop

fdone:
	MOVQ BX, ret+24(FP)
	VZEROUPPER
	RET
