//go:build amd64 && !purego

#include "textflag.h"

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

// HSUM4 reduces the int32 lanes of ya to four lanes in xa. Clobbers xt.
#define HSUM4(ya, xa, xt) \
	VEXTRACTI128 $1, ya, xt; \
	VPADDD xt, xa, xa

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
