//go:build amd64 && !purego

#include "textflag.h"
#include "mulk_amd64.h"

// AVX2 microkernels of Q4_K and Q5_K × Q8_K. Each super-block's integer
// sums are exact (VPMADDUBSW of the unsigned codes with the int8
// activations, VPMADDWD with the 6-bit scales; the mins against the Q8_K
// bsums), then folded into float32 exactly as kqCombine does:
// acc += (d·da)·sumi; acc −= (dmin·da)·summ, each product rounded.

// Constants of the K-quant matrix kernels (generated: bytes 2j, 2j+1
// repeated, i.e. int16 lane j broadcast by VPSHUFB).
DATA kqShufW<>+0(SB)/8, $0x0100010001000100
DATA kqShufW<>+8(SB)/8, $0x0100010001000100
DATA kqShufW<>+16(SB)/8, $0x0100010001000100
DATA kqShufW<>+24(SB)/8, $0x0100010001000100
DATA kqShufW<>+32(SB)/8, $0x0302030203020302
DATA kqShufW<>+40(SB)/8, $0x0302030203020302
DATA kqShufW<>+48(SB)/8, $0x0302030203020302
DATA kqShufW<>+56(SB)/8, $0x0302030203020302
DATA kqShufW<>+64(SB)/8, $0x0504050405040504
DATA kqShufW<>+72(SB)/8, $0x0504050405040504
DATA kqShufW<>+80(SB)/8, $0x0504050405040504
DATA kqShufW<>+88(SB)/8, $0x0504050405040504
DATA kqShufW<>+96(SB)/8, $0x0706070607060706
DATA kqShufW<>+104(SB)/8, $0x0706070607060706
DATA kqShufW<>+112(SB)/8, $0x0706070607060706
DATA kqShufW<>+120(SB)/8, $0x0706070607060706
DATA kqShufW<>+128(SB)/8, $0x0908090809080908
DATA kqShufW<>+136(SB)/8, $0x0908090809080908
DATA kqShufW<>+144(SB)/8, $0x0908090809080908
DATA kqShufW<>+152(SB)/8, $0x0908090809080908
DATA kqShufW<>+160(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA kqShufW<>+168(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA kqShufW<>+176(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA kqShufW<>+184(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA kqShufW<>+192(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA kqShufW<>+200(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA kqShufW<>+208(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA kqShufW<>+216(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA kqShufW<>+224(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA kqShufW<>+232(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA kqShufW<>+240(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA kqShufW<>+248(SB)/8, $0x0f0e0f0e0f0e0f0e
GLOBL kqShufW<>(SB), RODATA|NOPTR, $256


// K4SCALES unpacks the 12 scale bytes at off(SI) into Y5 (the eight 6-bit
// scales as int16, both 128-bit lanes) and X4 (the eight mins as int16).
// Clobbers AX, BX, DX, R11, R12, X6.
#define K4SCALES(off) \
	MOVL  off+0(SI), AX; \
	MOVL  off+4(SI), BX; \
	MOVL  off+8(SI), DX; \
	MOVL  DX, R11; \
	SHRL  $4, R11; \
	ANDL  $0x0f0f0f0f, R11; \
	MOVL  BX, R12; \
	SHRL  $6, R12; \
	ANDL  $0x03030303, R12; \
	SHLL  $4, R12; \
	ORL   R12, R11; \
	ANDL  $0x3f3f3f3f, BX; \
	SHLQ  $32, R11; \
	ORQ   R11, BX; \
	ANDL  $0x0f0f0f0f, DX; \
	MOVL  AX, R12; \
	SHRL  $6, R12; \
	ANDL  $0x03030303, R12; \
	SHLL  $4, R12; \
	ORL   R12, DX; \
	ANDL  $0x3f3f3f3f, AX; \
	SHLQ  $32, DX; \
	ORQ   DX, AX; \
	VMOVQ AX, X6; \
	VPMOVZXBW X6, X5; \
	VPERMQ $0x44, Y5, Y5; \
	VMOVQ BX, X6; \
	VPMOVZXBW X6, X4

// MINSUM leaves in xd the four int32 partial sums of mins·(32-value bsums)
// of the Q8_K block at base (needs X4 = mins). Clobbers xt.
#define MINSUM(mem, yd, xd, xt) \
	VMOVDQU mem, yd; \
	VEXTRACTI128 $1, yd, xt; \
	VPHADDW xt, xd, xd; \
	VPMADDWD X4, xd, xd


// Q4CHUNK1 adds chunk c (64 values) of a Q4_K block at SI times the Q8_K
// block at DI into Y0 (needs Y5 scales, Y15 = 0x0F bytes).
#define Q4CHUNK1(c) \
	VMOVDQU (16+32*c)(SI), Y7; \
	VPSRLW $4, Y7, Y8; \
	VPAND Y15, Y7, Y7; \
	VPAND Y15, Y8, Y8; \
	VPMADDUBSW (4+64*c)(DI), Y7, Y7; \
	VPMADDUBSW (36+64*c)(DI), Y8, Y8; \
	VPSHUFB kqShufW<>+(64*c)(SB), Y5, Y9; \
	VPSHUFB kqShufW<>+(64*c+32)(SB), Y5, Y10; \
	VPMADDWD Y9, Y7, Y7; \
	VPMADDWD Y10, Y8, Y8; \
	VPADDD Y7, Y0, Y0; \
	VPADDD Y8, Y1, Y1

// func q4kDot1AVX2(w, a *byte, nb int) float32
TEXT ·q4kDot1AVX2(SB), NOSPLIT, $0-28
	MOVQ w+0(FP), SI
	MOVQ a+8(FP), DI
	MOVQ nb+16(FP), CX
	MOVL $0x0f0f0f0f, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	VXORPS X14, X14, X14

q4k1loop:
	K4SCALES(4)
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	Q4CHUNK1(0)
	Q4CHUNK1(1)
	Q4CHUNK1(2)
	Q4CHUNK1(3)
	VPADDD Y1, Y0, Y0
	HSUM4(Y0, X0, X1)
	MINSUM(260(DI), Y2, X2, X3)
	VPHADDD X2, X0, X0
	VPHADDD X0, X0, X0
	VCVTDQ2PS X0, X0
	VMOVD 0(SI), X1
	VCVTPH2PS X1, X1
	VBROADCASTSS 0(DI), X2
	VMULPS X2, X1, X1
	VMULPS X0, X1, X1
	VADDSS X1, X14, X14
	VMOVSHDUP X1, X1
	VSUBSS X1, X14, X14
	ADDQ $144, SI
	ADDQ $292, DI
	DECQ CX
	JNZ  q4k1loop

	VMOVSS X14, ret+24(FP)
	VZEROUPPER
	RET

// Q4TOK adds the two products of the unpacked chunk (Y7, Y8 codes; Y9,
// Y10 scales) with the Q8_K block at base into acc. Clobbers Y11, Y12.
#define Q4TOK(c, base, acc) \
	VPMADDUBSW (4+64*c)(base), Y7, Y11; \
	VPMADDUBSW (36+64*c)(base), Y8, Y12; \
	VPMADDWD Y9, Y11, Y11; \
	VPMADDWD Y10, Y12, Y12; \
	VPADDD Y11, acc, acc; \
	VPADDD Y12, acc, acc

// Q4CHUNK4 unpacks chunk c of the Q4_K block at SI once and adds its
// products with the four Q8_K blocks at DI, R8, R9, R10 into Y0-Y3.
#define Q4CHUNK4(c) \
	VMOVDQU (16+32*c)(SI), Y7; \
	VPSRLW $4, Y7, Y8; \
	VPAND Y15, Y7, Y7; \
	VPAND Y15, Y8, Y8; \
	VPSHUFB kqShufW<>+(64*c)(SB), Y5, Y9; \
	VPSHUFB kqShufW<>+(64*c+32)(SB), Y5, Y10; \
	Q4TOK(c, DI, Y0); \
	Q4TOK(c, R8, Y1); \
	Q4TOK(c, R9, Y2); \
	Q4TOK(c, R10, Y3)



// func q4kDot4AVX2(w, a *byte, aStride, nb int, out *[4]float32)
TEXT ·q4kDot4AVX2(SB), NOSPLIT, $0-40
	MOVQ w+0(FP), SI
	MOVQ a+8(FP), DI
	MOVQ aStride+16(FP), R8
	MOVQ nb+24(FP), CX
	LEAQ (DI)(R8*2), R9
	LEAQ (R9)(R8*1), R10
	ADDQ DI, R8
	MOVL $0x0f0f0f0f, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	VXORPS X14, X14, X14

q4k4loop:
	K4SCALES(4)
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	Q4CHUNK4(0)
	Q4CHUNK4(1)
	Q4CHUNK4(2)
	Q4CHUNK4(3)
	KQSUMI4
	MINSUM(260(DI), Y7, X7, X8)
	MINSUM(260(R8), Y9, X9, X8)
	MINSUM(260(R9), Y11, X11, X8)
	MINSUM(260(R10), Y12, X12, X8)
	VPHADDD X9, X7, X7
	VPHADDD X12, X11, X11
	VPHADDD X11, X7, X7
	VCVTDQ2PS X7, X7
	DA4
	VPBROADCASTW 0(SI), X2
	VCVTPH2PS X2, X2
	VMULPS X1, X2, X2
	VMULPS X0, X2, X2
	VADDPS X2, X14, X14
	VPBROADCASTW 2(SI), X3
	VCVTPH2PS X3, X3
	VMULPS X1, X3, X3
	VMULPS X7, X3, X3
	VSUBPS X3, X14, X14
	ADDQ $144, SI
	ADDQ $292, DI
	ADDQ $292, R8
	ADDQ $292, R9
	ADDQ $292, R10
	DECQ CX
	JNZ  q4k4loop

	MOVQ out+32(FP), AX
	VMOVUPS X14, (AX)
	VZEROUPPER
	RET
