//go:build amd64 && !purego

#include "textflag.h"
#include "mulk_amd64.h"

// AVX2 microkernels of Q6_K × Q8_K. The 6-bit codes are used unsigned
// (0…63, VPMADDUBSW against the int8 activations, VPMADDWD with the int8
// sub-block scales); the offset 32 comes off as 32·Σ scale·bsum. The
// super-block's int32 sum is exact and folds into float32 as kqCombine
// does: acc += (d·da)·sumi.

// kqShufB: 16-byte masks, pair k: byte 2k eight times, then byte 2k+1.
DATA kqShufB<>+0(SB)/8, $0x0000000000000000
DATA kqShufB<>+8(SB)/8, $0x0101010101010101
DATA kqShufB<>+16(SB)/8, $0x0202020202020202
DATA kqShufB<>+24(SB)/8, $0x0303030303030303
DATA kqShufB<>+32(SB)/8, $0x0404040404040404
DATA kqShufB<>+40(SB)/8, $0x0505050505050505
DATA kqShufB<>+48(SB)/8, $0x0606060606060606
DATA kqShufB<>+56(SB)/8, $0x0707070707070707
DATA kqShufB<>+64(SB)/8, $0x0808080808080808
DATA kqShufB<>+72(SB)/8, $0x0909090909090909
DATA kqShufB<>+80(SB)/8, $0x0a0a0a0a0a0a0a0a
DATA kqShufB<>+88(SB)/8, $0x0b0b0b0b0b0b0b0b
DATA kqShufB<>+96(SB)/8, $0x0c0c0c0c0c0c0c0c
DATA kqShufB<>+104(SB)/8, $0x0d0d0d0d0d0d0d0d
DATA kqShufB<>+112(SB)/8, $0x0e0e0e0e0e0e0e0e
DATA kqShufB<>+120(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL kqShufB<>(SB), RODATA|NOPTR, $128

// Q6LOAD loads half n (128 values) of the Q6_K block at SI: ql into Y8,
// Y9, qh into Y10.
#define Q6LOAD(n) \
	VMOVDQU (64*n)(SI), Y8; \
	VMOVDQU (64*n+32)(SI), Y9; \
	VMOVDQU (128+32*n)(SI), Y10

// Q6CODEi puts the 32 codes of quarter i of the loaded half into Y5 (needs
// Y15 = 0x0F, Y14 = 0x30 bytes). Clobbers Y7.
#define Q6CODE0 \
	VPAND Y15, Y8, Y5; \
	VPSLLW $4, Y10, Y7; \
	VPAND Y14, Y7, Y7; \
	VPOR Y7, Y5, Y5

#define Q6CODE1 \
	VPAND Y15, Y9, Y5; \
	VPSLLW $2, Y10, Y7; \
	VPAND Y14, Y7, Y7; \
	VPOR Y7, Y5, Y5

#define Q6CODE2 \
	VPSRLW $4, Y8, Y5; \
	VPAND Y15, Y5, Y5; \
	VPAND Y14, Y10, Y7; \
	VPOR Y7, Y5, Y5

#define Q6CODE3 \
	VPSRLW $4, Y9, Y5; \
	VPAND Y15, Y5, Y5; \
	VPSRLW $2, Y10, Y7; \
	VPAND Y14, Y7, Y7; \
	VPOR Y7, Y5, Y5

// SCALE16 sets Y6 to the int16 scales of sub-block pair k (eight lanes
// each) from the int8 scales in X12.
#define SCALE16(k) \
	VPSHUFB kqShufB<>+(16*(k))(SB), X12, X6; \
	VPMOVSXBW X6, Y6

// Q6TOK adds codes Y5 × the 32 activations at off(base), scaled by Y6,
// into acc. Clobbers Y7.
#define Q6TOK(off, base, acc) \
	VPMADDUBSW (off)(base), Y5, Y7; \
	VPMADDWD Y6, Y7, Y7; \
	VPADDD Y7, acc, acc

// Q6OFF subtracts 32·Σ scale·bsum of the Q8_K block at base from acc
// (needs Y6 = the 16 scales as int16). Clobbers Y7.
#define Q6OFF(base, acc) \
	VPMADDWD 260(base), Y6, Y7; \
	VPSLLD $5, Y7, Y7; \
	VPSUBD Y7, acc, acc

#define Q6MASKS \
	NIBMASK; \
	MOVL $0x30303030, AX; \
	VMOVD AX, X14; \
	VPBROADCASTD X14, Y14

#define Q6QUARTER1(n, i, code) \
	code; \
	SCALE16(4*n+i); \
	Q6TOK(4+128*n+32*i, DI, Y0)

// func q6kDot1AVX2(w, a *byte, nb int) float32
TEXT ·q6kDot1AVX2(SB), NOSPLIT, $0-28
	MOVQ w+0(FP), SI
	MOVQ a+8(FP), DI
	MOVQ nb+16(FP), CX
	Q6MASKS
	VXORPS X13, X13, X13

q6k1loop:
	VMOVDQU 192(SI), X12
	VPXOR Y0, Y0, Y0
	Q6LOAD(0)
	Q6QUARTER1(0, 0, Q6CODE0)
	Q6QUARTER1(0, 1, Q6CODE1)
	Q6QUARTER1(0, 2, Q6CODE2)
	Q6QUARTER1(0, 3, Q6CODE3)
	Q6LOAD(1)
	Q6QUARTER1(1, 0, Q6CODE0)
	Q6QUARTER1(1, 1, Q6CODE1)
	Q6QUARTER1(1, 2, Q6CODE2)
	Q6QUARTER1(1, 3, Q6CODE3)
	VPMOVSXBW X12, Y6
	Q6OFF(DI, Y0)
	HSUM1(Y0, X0, X1)
	MOVWLZX 208(SI), AX
	VMOVD AX, X1
	VCVTPH2PS X1, X1
	VMULSS 0(DI), X1, X1
	VMULSS X0, X1, X1
	VADDSS X1, X13, X13
	ADDQ $210, SI
	ADDQ $292, DI
	DECQ CX
	JNZ  q6k1loop

	VMOVSS X13, ret+24(FP)
	VZEROUPPER
	RET

#define Q6QUARTER4(n, i, code) \
	code; \
	SCALE16(4*n+i); \
	Q6TOK(4+128*n+32*i, DI, Y0); \
	Q6TOK(4+128*n+32*i, R8, Y1); \
	Q6TOK(4+128*n+32*i, R9, Y2); \
	Q6TOK(4+128*n+32*i, R10, Y3)

// func q6kDot4AVX2(w, a *byte, aStride, nb int, out *[4]float32)
TEXT ·q6kDot4AVX2(SB), NOSPLIT, $0-40
	ARGS4
	Q6MASKS
	VXORPS X13, X13, X13

q6k4loop:
	VMOVDQU 192(SI), X12
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	Q6LOAD(0)
	Q6QUARTER4(0, 0, Q6CODE0)
	Q6QUARTER4(0, 1, Q6CODE1)
	Q6QUARTER4(0, 2, Q6CODE2)
	Q6QUARTER4(0, 3, Q6CODE3)
	Q6LOAD(1)
	Q6QUARTER4(1, 0, Q6CODE0)
	Q6QUARTER4(1, 1, Q6CODE1)
	Q6QUARTER4(1, 2, Q6CODE2)
	Q6QUARTER4(1, 3, Q6CODE3)
	VPMOVSXBW X12, Y6
	Q6OFF(DI, Y0)
	Q6OFF(R8, Y1)
	Q6OFF(R9, Y2)
	Q6OFF(R10, Y3)
	KQSUMI4
	DA4
	VPBROADCASTW 208(SI), X2
	VCVTPH2PS X2, X2
	VMULPS X1, X2, X2
	VMULPS X0, X2, X2
	VADDPS X2, X13, X13
	NEXT4(210)
	DECQ CX
	JNZ  q6k4loop

	MOVQ out+32(FP), AX
	VMOVUPS X13, (AX)
	VZEROUPPER
	RET
