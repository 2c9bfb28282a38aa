//go:build amd64 && !purego

#include "textflag.h"
#include "mulk_amd64.h"
#include "mulk_sub16_amd64.h"

// Q2_K and Q3_K: 2-bit codes (element 128h+32k+m at bits 2k of
// qs[32h+m]), Q3_K adding the hmask bit 4h+k of byte m as the third bit
// and taking the offset 4 off as 4·Σ scale·bsum, Q2_K taking its mins off
// as Σ min·bsum.

// Q2CODE puts the 32 codes of k of the loaded qs (Y8) into Y5 (needs Y15
// = 0x03 bytes).
#define Q2CODE(k) \
	VPSRLW $(2*(k)), Y8, Y5; \
	VPAND Y15, Y5, Y5

// Q3CODE adds the third bits (Y9, shifted right by one after each k;
// needs Y14 = 0x04 bytes). Clobbers Y7.
#define Q3CODE(k) \
	Q2CODE(k); \
	VPSLLW $2, Y9, Y7; \
	VPAND Y14, Y7, Y7; \
	VPOR Y7, Y5, Y5; \
	VPSRLW $1, Y9, Y9

#define QK1(h, k, code) \
	code(k); \
	SCALE16(4*(h)+(k)); \
	Q6TOK(4+128*(h)+32*(k), DI, Y0)

#define QK4(h, k, code) \
	code(k); \
	SCALE16(4*(h)+(k)); \
	Q6TOK(4+128*(h)+32*(k), DI, Y0); \
	Q6TOK(4+128*(h)+32*(k), R8, Y1); \
	Q6TOK(4+128*(h)+32*(k), R9, Y2); \
	Q6TOK(4+128*(h)+32*(k), R10, Y3)

#define QHALF1(h, code) \
	QK1(h, 0, code); \
	QK1(h, 1, code); \
	QK1(h, 2, code); \
	QK1(h, 3, code)

#define QHALF4(h, code) \
	QK4(h, 0, code); \
	QK4(h, 1, code); \
	QK4(h, 2, code); \
	QK4(h, 3, code)

// Q2SCALES puts the 16 scales of the Q2_K block at SI into X12 and its
// 16 mins as int16 into Y4 (needs Y15 = 0x03, Y14 = 0x0F bytes).
#define Q2SCALES \
	VMOVDQU 0(SI), X12; \
	VPSRLW $4, X12, X4; \
	VPAND X14, X4, X4; \
	VPMOVZXBW X4, Y4; \
	VPAND X14, X12, X12

// Q3SCALES puts the 16 signed scales of the Q3_K block at SI into X12
// (needs Y13 = 32 bytes); ggml's kmask unpacking, the high bits reloaded
// from 104(SI) for each quarter. Clobbers AX, BX, DX, R11, R12.
#define Q3SCALES \
	MOVL 96(SI), AX; \
	MOVL 100(SI), BX; \
	MOVL AX, R11; \
	SHRL $4, R11; \
	ANDL $0x0f0f0f0f, R11; \
	MOVL 104(SI), R12; \
	SHRL $4, R12; \
	ANDL $0x03030303, R12; \
	SHLL $4, R12; \
	ORL R12, R11; \
	MOVL BX, DX; \
	SHRL $4, DX; \
	ANDL $0x0f0f0f0f, DX; \
	MOVL 104(SI), R12; \
	SHRL $6, R12; \
	ANDL $0x03030303, R12; \
	SHLL $4, R12; \
	ORL R12, DX; \
	SHLQ $32, DX; \
	ORQ DX, R11; \
	ANDL $0x0f0f0f0f, AX; \
	MOVL 104(SI), R12; \
	ANDL $0x03030303, R12; \
	SHLL $4, R12; \
	ORL R12, AX; \
	ANDL $0x0f0f0f0f, BX; \
	MOVL 104(SI), R12; \
	SHRL $2, R12; \
	ANDL $0x03030303, R12; \
	SHLL $4, R12; \
	ORL R12, BX; \
	SHLQ $32, BX; \
	ORQ BX, AX; \
	VMOVQ AX, X12; \
	VPINSRQ $1, R11, X12, X12; \
	VPSUBB X13, X12, X12

// Q2FOLD1 folds sumi (Y0) and Σ min·bsum into X13 as kqCombine does.
// Clobbers Y0-Y3.
#define Q2FOLD1 \
	VPMADDWD 260(DI), Y4, Y1; \
	VPHADDD Y1, Y0, Y0; \
	HSUM4(Y0, X0, X2); \
	VPHADDD X0, X0, X0; \
	VCVTDQ2PS X0, X0; \
	VMOVD 80(SI), X1; \
	VCVTPH2PS X1, X1; \
	VBROADCASTSS 0(DI), X2; \
	VMULPS X2, X1, X1; \
	VMULPS X0, X1, X1; \
	VADDSS X1, X13, X13; \
	VMOVSHDUP X1, X1; \
	VSUBSS X1, X13, X13

#define Q2KDOT1BODY \
	ARGS1; \
	BCAST($0x03030303, X15, Y15); \
	BCAST($0x0f0f0f0f, X14, Y14); \
	ACC1(X13); \
q2k1loop: \
	PREFETCHT0 4096(SI); \
	Q2SCALES; \
	VPXOR Y0, Y0, Y0; \
	VMOVDQU 16(SI), Y8; \
	QHALF1(0, Q2CODE); \
	VMOVDQU 48(SI), Y8; \
	QHALF1(1, Q2CODE); \
	Q2FOLD1; \
	NEXT1(84, q2k1loop); \
	RET1(X13)

#define Q2KDOT4BODY \
	ARGS4; \
	BCAST($0x03030303, X15, Y15); \
	BCAST($0x0f0f0f0f, X14, Y14); \
	ACC4(X13); \
q2k4loop: \
	Q2SCALES; \
	ZERO4; \
	VMOVDQU 16(SI), Y8; \
	QHALF4(0, Q2CODE); \
	VMOVDQU 48(SI), Y8; \
	QHALF4(1, Q2CODE); \
	KQSUMI4; \
	VPMADDWD 260(DI), Y4, Y5; \
	VPMADDWD 260(R8), Y4, Y6; \
	VPMADDWD 260(R9), Y4, Y7; \
	VPMADDWD 260(R10), Y4, Y8; \
	TRANS4(Y5, Y6, Y7, Y8, X5, X9); \
	VCVTDQ2PS X5, X5; \
	DA4; \
	VPBROADCASTW 80(SI), X2; \
	VCVTPH2PS X2, X2; \
	VMULPS X1, X2, X2; \
	VMULPS X0, X2, X2; \
	VADDPS X2, X13, X13; \
	VPBROADCASTW 82(SI), X3; \
	VCVTPH2PS X3, X3; \
	VMULPS X1, X3, X3; \
	VMULPS X5, X3, X3; \
	VSUBPS X3, X13, X13; \
	LOOP4(84, q2k4loop); \
	RET4(X13)

// Q3FOLD1 folds sumi (Y0, less 4·Σ scale·bsum) into X11. Clobbers Y1-Y2.
#define Q3FOLD1 \
	VPMOVSXBW X12, Y6; \
	VPMADDWD 260(DI), Y6, Y7; \
	VPSLLD $2, Y7, Y7; \
	VPSUBD Y7, Y0, Y0; \
	HSUM1(Y0, X0, X1); \
	MOVWLZX 108(SI), AX; \
	VMOVD AX, X1; \
	VCVTPH2PS X1, X1; \
	VMULSS 0(DI), X1, X1; \
	VMULSS X0, X1, X1; \
	VADDSS X1, X11, X11

#define Q3OFF(base, acc) \
	VPMADDWD 260(base), Y6, Y7; \
	VPSLLD $2, Y7, Y7; \
	VPSUBD Y7, acc, acc

#define Q3KDOT1BODY \
	ARGS1; \
	BCAST($0x03030303, X15, Y15); \
	BCAST($0x04040404, X14, Y14); \
	BCAST($0x20202020, X13, Y13); \
	ACC1(X11); \
q3k1loop: \
	PREFETCHT0 4096(SI); \
	Q3SCALES; \
	VMOVDQU 0(SI), Y9; \
	VPXOR Y0, Y0, Y0; \
	VMOVDQU 32(SI), Y8; \
	QHALF1(0, Q3CODE); \
	VMOVDQU 64(SI), Y8; \
	QHALF1(1, Q3CODE); \
	Q3FOLD1; \
	NEXT1(110, q3k1loop); \
	RET1(X11)

#define Q3KDOT4BODY \
	ARGS4; \
	BCAST($0x03030303, X15, Y15); \
	BCAST($0x04040404, X14, Y14); \
	BCAST($0x20202020, X13, Y13); \
	ACC4(X11); \
q3k4loop: \
	Q3SCALES; \
	VMOVDQU 0(SI), Y9; \
	ZERO4; \
	VMOVDQU 32(SI), Y8; \
	QHALF4(0, Q3CODE); \
	VMOVDQU 64(SI), Y8; \
	QHALF4(1, Q3CODE); \
	VPMOVSXBW X12, Y6; \
	Q3OFF(DI, Y0); \
	Q3OFF(R8, Y1); \
	Q3OFF(R9, Y2); \
	Q3OFF(R10, Y3); \
	KQSUMI4; \
	DA4; \
	MOVWLZX 108(SI), AX; \
	VMOVD AX, X2; \
	VCVTPH2PS X2, X2; \
	VBROADCASTSS X2, X2; \
	VMULPS X1, X2, X2; \
	VMULPS X0, X2, X2; \
	VADDPS X2, X11, X11; \
	LOOP4(110, q3k4loop); \
	RET4(X11)

// func q2kDot1AVX2(w, a *byte, nb int, acc float32) float32
TEXT ·q2kDot1AVX2(SB), NOSPLIT, $0-36
	Q2KDOT1BODY

// func q2kDot4AVX2(w, a *byte, aStride, nb int, acc [4]float32) [4]float32
TEXT ·q2kDot4AVX2(SB), NOSPLIT, $0-64
	Q2KDOT4BODY

// func q3kDot1AVX2(w, a *byte, nb int, acc float32) float32
TEXT ·q3kDot1AVX2(SB), NOSPLIT, $0-36
	Q3KDOT1BODY

// func q3kDot4AVX2(w, a *byte, aStride, nb int, acc [4]float32) [4]float32
TEXT ·q3kDot4AVX2(SB), NOSPLIT, $0-64
	Q3KDOT4BODY

// The same bodies with VPDPWSSD (AVX512-VNNI on 256-bit registers) in
// place of VPMADDWD+VPADDD.
#undef Q6TOK
#define Q6TOK(off, base, acc) Q6TOK_VNNI(off, base, acc)

// func q2kDot1VNNI(w, a *byte, nb int, acc float32) float32
TEXT ·q2kDot1VNNI(SB), NOSPLIT, $0-36
	Q2KDOT1BODY

// func q2kDot4VNNI(w, a *byte, aStride, nb int, acc [4]float32) [4]float32
TEXT ·q2kDot4VNNI(SB), NOSPLIT, $0-64
	Q2KDOT4BODY

// func q3kDot1VNNI(w, a *byte, nb int, acc float32) float32
TEXT ·q3kDot1VNNI(SB), NOSPLIT, $0-36
	Q3KDOT1BODY

// func q3kDot4VNNI(w, a *byte, aStride, nb int, acc [4]float32) [4]float32
TEXT ·q3kDot4VNNI(SB), NOSPLIT, $0-64
	Q3KDOT4BODY

// Eight-token Q2_K and Q3_K (VNNI only).

#define QK8(h, k, code) \
	QK4(h, k, code); \
	Q6TOKX(4+128*(h)+32*(k), DI, Y16); \
	Q6TOKX(4+128*(h)+32*(k), R8, Y17); \
	Q6TOKX(4+128*(h)+32*(k), R9, Y18); \
	Q6TOKX(4+128*(h)+32*(k), R10, Y19)

#define QHALF8(h, code) \
	QK8(h, 0, code); \
	QK8(h, 1, code); \
	QK8(h, 2, code); \
	QK8(h, 3, code)

// func q2kDot8VNNI(w, a *byte, aStride, nb int, acc [8]float32) [8]float32
TEXT ·q2kDot8VNNI(SB), NOSPLIT, $0-96
	ARGS8
	BCAST($0x03030303, X15, Y15)
	BCAST($0x0f0f0f0f, X14, Y14)
	ACC8(Y13)

q2k8loop:
	Q2SCALES
	ZERO8
	VMOVDQU 16(SI), Y8
	QHALF8(0, Q2CODE)
	VMOVDQU 48(SI), Y8
	QHALF8(1, Q2CODE)
	VMOVDQA32 Y16, Y8
	VMOVDQA32 Y17, Y9
	VMOVDQA32 Y18, Y10
	VMOVDQA32 Y19, Y11
	TRANS8(Y0, Y1, Y2, Y3, Y8, Y9, Y10, Y11)
	VCVTDQ2PS Y0, Y0
	VPMADDWD 260(DI), Y4, Y1
	VPMADDWD 260(R8), Y4, Y2
	VPMADDWD 260(R9), Y4, Y3
	VPMADDWD 260(R10), Y4, Y5
	VPMADDWD 260(DI)(R13*1), Y4, Y6
	VPMADDWD 260(R8)(R13*1), Y4, Y7
	VPMADDWD 260(R9)(R13*1), Y4, Y8
	VPMADDWD 260(R10)(R13*1), Y4, Y9
	TRANS8(Y1, Y2, Y3, Y5, Y6, Y7, Y8, Y9)
	VCVTDQ2PS Y1, Y1
	DA8
	VPBROADCASTW 80(SI), X3
	VCVTPH2PS X3, Y3
	VMULPS Y2, Y3, Y3
	VMULPS Y0, Y3, Y3
	VADDPS Y3, Y13, Y13
	VPBROADCASTW 82(SI), X5
	VCVTPH2PS X5, Y5
	VMULPS Y2, Y5, Y5
	VMULPS Y1, Y5, Y5
	VSUBPS Y5, Y13, Y13
	LOOP4(84, q2k8loop)
	VMOVUPS Y13, ret+64(FP)
	VZEROUPPER
	RET

#define Q3OFFX(base, acc) \
	VPMADDWD 260(base)(R13*1), Y6, Y7; \
	VPSLLD $2, Y7, Y7; \
	VPSUBD Y7, acc, acc

// func q3kDot8VNNI(w, a *byte, aStride, nb int, acc [8]float32) [8]float32
TEXT ·q3kDot8VNNI(SB), NOSPLIT, $0-96
	ARGS8
	BCAST($0x03030303, X15, Y15)
	BCAST($0x04040404, X14, Y14)
	BCAST($0x20202020, X13, Y13)
	ACC8(Y11)

q3k8loop:
	Q3SCALES
	VMOVDQU 0(SI), Y9
	ZERO8
	VMOVDQU 32(SI), Y8
	QHALF8(0, Q3CODE)
	VMOVDQU 64(SI), Y8
	QHALF8(1, Q3CODE)
	VPMOVSXBW X12, Y6
	Q3OFF(DI, Y0)
	Q3OFF(R8, Y1)
	Q3OFF(R9, Y2)
	Q3OFF(R10, Y3)
	Q3OFFX(DI, Y16)
	Q3OFFX(R8, Y17)
	Q3OFFX(R9, Y18)
	Q3OFFX(R10, Y19)
	VMOVDQA32 Y16, Y4
	VMOVDQA32 Y17, Y5
	VMOVDQA32 Y18, Y8
	VMOVDQA32 Y19, Y10
	TRANS8(Y0, Y1, Y2, Y3, Y4, Y5, Y8, Y10)
	VCVTDQ2PS Y0, Y0
	DA8
	MOVWLZX 108(SI), AX
	VMOVD AX, X3
	VCVTPH2PS X3, X3
	VBROADCASTSS X3, Y3
	VMULPS Y2, Y3, Y3
	VMULPS Y0, Y3, Y3
	VADDPS Y3, Y11, Y11
	LOOP4(110, q3k8loop)
	VMOVUPS Y11, ret+64(FP)
	VZEROUPPER
	RET

// The one- and four-token bodies once more with AVX-VNNI (VEX VPDPWSSD),
// for CPUs that have it without AVX512-VNNI; the sums are named by number.
#undef Q6TOK
#define Q6TOK(off, base, n) Q6TOK_VEX(off, base, n)

#undef QK1
#define QK1(h, k, code) \
	code(k); \
	SCALE16(4*(h)+(k)); \
	Q6TOK(4+128*(h)+32*(k), DI, 0)

#undef QK4
#define QK4(h, k, code) \
	code(k); \
	SCALE16(4*(h)+(k)); \
	Q6TOK(4+128*(h)+32*(k), DI, 0); \
	Q6TOK(4+128*(h)+32*(k), R8, 1); \
	Q6TOK(4+128*(h)+32*(k), R9, 2); \
	Q6TOK(4+128*(h)+32*(k), R10, 3)

// func q2kDot1AVXVNNI(w, a *byte, nb int, acc float32) float32
TEXT ·q2kDot1AVXVNNI(SB), NOSPLIT, $0-36
	Q2KDOT1BODY

// func q2kDot4AVXVNNI(w, a *byte, aStride, nb int, acc [4]float32) [4]float32
TEXT ·q2kDot4AVXVNNI(SB), NOSPLIT, $0-64
	Q2KDOT4BODY

// func q3kDot1AVXVNNI(w, a *byte, nb int, acc float32) float32
TEXT ·q3kDot1AVXVNNI(SB), NOSPLIT, $0-36
	Q3KDOT1BODY

// func q3kDot4AVXVNNI(w, a *byte, aStride, nb int, acc [4]float32) [4]float32
TEXT ·q3kDot4AVXVNNI(SB), NOSPLIT, $0-64
	Q3KDOT4BODY
