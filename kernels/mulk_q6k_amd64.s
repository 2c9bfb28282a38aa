//go:build amd64 && !purego

#include "textflag.h"
#include "mulk_amd64.h"
#include "mulk_sub16_amd64.h"

// Microkernels of Q6_K × Q8_K (AVX2, AVX512-VNNI, AVX-VNNI). The 6-bit codes are used unsigned
// (0…63, VPMADDUBSW against the int8 activations, VPMADDWD with the int8
// sub-block scales); the offset 32 comes off as 32·Σ scale·bsum. The
// super-block's int32 sum is exact and folds into float32 as kqCombine
// does: acc += (d·da)·sumi.

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

#define Q6KDOT1BODY \
	ARGS1; \
	Q6MASKS; \
	ACC1(X13); \
q6k1loop: \
	PREFETCHT0 4096(SI); \
	VMOVDQU 192(SI), X12; \
	VPXOR Y0, Y0, Y0; \
	Q6LOAD(0); \
	Q6QUARTER1(0, 0, Q6CODE0); \
	Q6QUARTER1(0, 1, Q6CODE1); \
	Q6QUARTER1(0, 2, Q6CODE2); \
	Q6QUARTER1(0, 3, Q6CODE3); \
	Q6LOAD(1); \
	Q6QUARTER1(1, 0, Q6CODE0); \
	Q6QUARTER1(1, 1, Q6CODE1); \
	Q6QUARTER1(1, 2, Q6CODE2); \
	Q6QUARTER1(1, 3, Q6CODE3); \
	VPMOVSXBW X12, Y6; \
	Q6OFF(DI, Y0); \
	HSUM1(Y0, X0, X1); \
	MOVWLZX 208(SI), AX; \
	VMOVD AX, X1; \
	VCVTPH2PS X1, X1; \
	VMULSS 0(DI), X1, X1; \
	VMULSS X0, X1, X1; \
	VADDSS X1, X13, X13; \
	NEXT1(210, q6k1loop); \
	RET1(X13)

#define Q6QUARTER4(n, i, code) \
	code; \
	SCALE16(4*n+i); \
	Q6TOK(4+128*n+32*i, DI, Y0); \
	Q6TOK(4+128*n+32*i, R8, Y1); \
	Q6TOK(4+128*n+32*i, R9, Y2); \
	Q6TOK(4+128*n+32*i, R10, Y3)

#define Q6KDOT4BODY \
	ARGS4; \
	Q6MASKS; \
	ACC4(X13); \
q6k4loop: \
	VMOVDQU 192(SI), X12; \
	ZERO4; \
	Q6LOAD(0); \
	Q6QUARTER4(0, 0, Q6CODE0); \
	Q6QUARTER4(0, 1, Q6CODE1); \
	Q6QUARTER4(0, 2, Q6CODE2); \
	Q6QUARTER4(0, 3, Q6CODE3); \
	Q6LOAD(1); \
	Q6QUARTER4(1, 0, Q6CODE0); \
	Q6QUARTER4(1, 1, Q6CODE1); \
	Q6QUARTER4(1, 2, Q6CODE2); \
	Q6QUARTER4(1, 3, Q6CODE3); \
	VPMOVSXBW X12, Y6; \
	Q6OFF(DI, Y0); \
	Q6OFF(R8, Y1); \
	Q6OFF(R9, Y2); \
	Q6OFF(R10, Y3); \
	KQSUMI4; \
	DA4; \
	VPBROADCASTW 208(SI), X2; \
	VCVTPH2PS X2, X2; \
	VMULPS X1, X2, X2; \
	VMULPS X0, X2, X2; \
	VADDPS X2, X13, X13; \
	LOOP4(210, q6k4loop); \
	RET4(X13)

// func q6kDot1AVX2(w, a *byte, nb int, acc float32) float32
TEXT ·q6kDot1AVX2(SB), NOSPLIT, $0-36
	Q6KDOT1BODY

// func q6kDot4AVX2(w, a *byte, aStride, nb int, acc [4]float32) [4]float32
TEXT ·q6kDot4AVX2(SB), NOSPLIT, $0-64
	Q6KDOT4BODY

// The same bodies with VPDPWSSD (AVX512-VNNI on 256-bit registers) in
// place of VPMADDWD+VPADDD.
#undef Q6TOK
#define Q6TOK(off, base, acc) Q6TOK_VNNI(off, base, acc)

// func q6kDot1VNNI(w, a *byte, nb int, acc float32) float32
TEXT ·q6kDot1VNNI(SB), NOSPLIT, $0-36
	Q6KDOT1BODY

// func q6kDot4VNNI(w, a *byte, aStride, nb int, acc [4]float32) [4]float32
TEXT ·q6kDot4VNNI(SB), NOSPLIT, $0-64
	Q6KDOT4BODY

// Eight-token Q6_K (VNNI only: tokens 4-7 accumulate in Y16-Y19).

#define Q6QUARTER8(n, i, code) \
	Q6QUARTER4(n, i, code); \
	Q6TOKX(4+128*n+32*i, DI, Y16); \
	Q6TOKX(4+128*n+32*i, R8, Y17); \
	Q6TOKX(4+128*n+32*i, R9, Y18); \
	Q6TOKX(4+128*n+32*i, R10, Y19)

#define Q6OFFX(base, acc) \
	VPMADDWD 260(base)(R13*1), Y6, Y7; \
	VPSLLD $5, Y7, Y7; \
	VPSUBD Y7, acc, acc

// func q6kDot8VNNI(w, a *byte, aStride, nb int, acc [8]float32) [8]float32
TEXT ·q6kDot8VNNI(SB), NOSPLIT, $0-96
	ARGS8
	Q6MASKS
	ACC8(Y13)

q6k8loop:
	VMOVDQU 192(SI), X12
	ZERO8
	Q6LOAD(0)
	Q6QUARTER8(0, 0, Q6CODE0)
	Q6QUARTER8(0, 1, Q6CODE1)
	Q6QUARTER8(0, 2, Q6CODE2)
	Q6QUARTER8(0, 3, Q6CODE3)
	Q6LOAD(1)
	Q6QUARTER8(1, 0, Q6CODE0)
	Q6QUARTER8(1, 1, Q6CODE1)
	Q6QUARTER8(1, 2, Q6CODE2)
	Q6QUARTER8(1, 3, Q6CODE3)
	VPMOVSXBW X12, Y6
	Q6OFF(DI, Y0)
	Q6OFF(R8, Y1)
	Q6OFF(R9, Y2)
	Q6OFF(R10, Y3)
	Q6OFFX(DI, Y16)
	Q6OFFX(R8, Y17)
	Q6OFFX(R9, Y18)
	Q6OFFX(R10, Y19)
	VMOVDQA32 Y16, Y8
	VMOVDQA32 Y17, Y9
	VMOVDQA32 Y18, Y10
	VMOVDQA32 Y19, Y11
	TRANS8(Y0, Y1, Y2, Y3, Y8, Y9, Y10, Y11)
	VCVTDQ2PS Y0, Y0
	DA8
	VPBROADCASTW 208(SI), X3
	VCVTPH2PS X3, Y3
	VMULPS Y2, Y3, Y3
	VMULPS Y0, Y3, Y3
	VADDPS Y3, Y13, Y13
	LOOP4(210, q6k8loop)
	VMOVUPS Y13, ret+64(FP)
	VZEROUPPER
	RET

// The one- and four-token bodies once more with AVX-VNNI (VEX VPDPWSSD),
// for CPUs that have it without AVX512-VNNI; the sums are named by number.
#undef Q6TOK
#define Q6TOK(off, base, n) Q6TOK_VEX(off, base, n)

#undef Q6QUARTER1
#define Q6QUARTER1(n, i, code) \
	code; \
	SCALE16(4*n+i); \
	Q6TOK(4+128*n+32*i, DI, 0)

#undef Q6QUARTER4
#define Q6QUARTER4(n, i, code) \
	code; \
	SCALE16(4*n+i); \
	Q6TOK(4+128*n+32*i, DI, 0); \
	Q6TOK(4+128*n+32*i, R8, 1); \
	Q6TOK(4+128*n+32*i, R9, 2); \
	Q6TOK(4+128*n+32*i, R10, 3)

// func q6kDot1AVXVNNI(w, a *byte, nb int, acc float32) float32
TEXT ·q6kDot1AVXVNNI(SB), NOSPLIT, $0-36
	Q6KDOT1BODY

// func q6kDot4AVXVNNI(w, a *byte, aStride, nb int, acc [4]float32) [4]float32
TEXT ·q6kDot4AVXVNNI(SB), NOSPLIT, $0-64
	Q6KDOT4BODY
