//go:build amd64 && !purego

#include "textflag.h"
#include "mulk_amd64.h"

// Microkernels of Q4_K and Q5_K × Q8_K (AVX2, AVX512-VNNI, AVX-VNNI).
// Each super-block's integer sums are exact (VPMADDUBSW of the unsigned codes with the int8
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


// K4SCALES constants: the bytes holding each scale/min's low bits, their
// masks, and the bytes holding the high bits of scales/mins 4-7.
DATA k4IdxA<>+0(SB)/8, $0x0b0a090803020100
DATA k4IdxA<>+8(SB)/8, $0x0b0a090807060504
GLOBL k4IdxA<>(SB), RODATA|NOPTR, $16
DATA k4LowA<>+0(SB)/8, $0x0f0f0f0f3f3f3f3f
DATA k4LowA<>+8(SB)/8, $0x000000003f3f3f3f
GLOBL k4LowA<>(SB), RODATA|NOPTR, $16
DATA k4HighA<>+0(SB)/8, $0x0000000000000000
DATA k4HighA<>+8(SB)/8, $0x0f0f0f0f00000000
GLOBL k4HighA<>(SB), RODATA|NOPTR, $16
DATA k4IdxB<>+0(SB)/8, $0x0302010080808080
DATA k4IdxB<>+8(SB)/8, $0x0706050480808080
GLOBL k4IdxB<>(SB), RODATA|NOPTR, $16
DATA k4Bits45<>+0(SB)/8, $0x3030303030303030
DATA k4Bits45<>+8(SB)/8, $0x3030303030303030
GLOBL k4Bits45<>(SB), RODATA|NOPTR, $16

// K4SCALES unpacks the 12 scale bytes at off(SI) (kqGetScaleMinK4) into Y5
// (the eight 6-bit scales as int16, in both 128-bit lanes) and Y4 (the
// eight mins as int16, each twice: one per 16-value bsum), all in SIMD:
// low bits sc_j = b_j&63, sc_j+4 = b_j+8&15, m_j = b_j+4&63,
// m_j+4 = b_j+8>>4, high bits of the last four from b_j>>6 and b_j+4>>6.
// Reads 16 bytes from off(SI). Clobbers X6, X7.
#define K4SCALES(off) \
	VMOVDQU off(SI), X6; \
	VPSHUFB k4IdxA<>(SB), X6, X7; \
	VPAND k4LowA<>(SB), X7, X4; \
	VPSRLW $4, X7, X7; \
	VPAND k4HighA<>(SB), X7, X7; \
	VPOR X7, X4, X4; \
	VPSHUFB k4IdxB<>(SB), X6, X7; \
	VPSRLW $2, X7, X7; \
	VPAND k4Bits45<>(SB), X7, X7; \
	VPOR X7, X4, X6; \
	VPMOVZXBW X6, Y5; \
	VPERMQ $0x44, Y5, Y5; \
	VPUNPCKHBW X6, X6, X7; \
	VPMOVZXBW X7, Y4

// MINSUM leaves in yd the eight int32 partial sums of mins·bsums of the
// Q8_K block at base (needs Y4 = mins).
#define MINSUM(base, yd) \
	VPMADDWD 260(base), Y4, yd

// Q4UNPACK puts the 64 codes of chunk c of the Q4_K block at SI into Y7
// (first 32) and Y8, and their scales into Y9, Y10 (needs Y5 scales, Y15
// = 0x0F bytes).
#define Q4UNPACK(c) \
	VMOVDQU (16+32*(c))(SI), Y7; \
	VPSRLW $4, Y7, Y8; \
	VPAND Y15, Y7, Y7; \
	VPAND Y15, Y8, Y8; \
	VPSHUFB kqShufW<>+(64*(c))(SB), Y5, Y9; \
	VPSHUFB kqShufW<>+(64*(c)+32)(SB), Y5, Y10

// Q5UNPACK is Q4UNPACK for Q5_K: the fifth bits come from Y6 (qh, shifted
// right by 2 after each chunk; needs Y13 = 0x10 bytes). Clobbers Y11.
#define Q5UNPACK(c) \
	VMOVDQU (48+32*(c))(SI), Y7; \
	VPSRLW $4, Y7, Y8; \
	VPAND Y15, Y7, Y7; \
	VPAND Y15, Y8, Y8; \
	VPSLLW $4, Y6, Y11; \
	VPAND Y13, Y11, Y11; \
	VPOR Y11, Y7, Y7; \
	VPSLLW $3, Y6, Y11; \
	VPAND Y13, Y11, Y11; \
	VPOR Y11, Y8, Y8; \
	VPSRLW $2, Y6, Y6; \
	VPSHUFB kqShufW<>+(64*(c))(SB), Y5, Y9; \
	VPSHUFB kqShufW<>+(64*(c)+32)(SB), Y5, Y10

// Q4TOK adds the two products of the unpacked chunk (Y7, Y8 codes; Y9,
// Y10 scales) with the Q8_K block at base into acc. Clobbers Y11, Y12.
#define Q4TOK(c, base, acc) \
	VPMADDUBSW (4+64*(c))(base), Y7, Y11; \
	VPMADDUBSW (36+64*(c))(base), Y8, Y12; \
	VPMADDWD Y9, Y11, Y11; \
	VPMADDWD Y10, Y12, Y12; \
	VPADDD Y11, acc, acc; \
	VPADDD Y12, acc, acc

#define CHUNK1(unpack, c) \
	unpack(c); \
	Q4TOK(c, DI, Y0)

#define CHUNK4(unpack, c) \
	unpack(c); \
	Q4TOK(c, DI, Y0); \
	Q4TOK(c, R8, Y1); \
	Q4TOK(c, R9, Y2); \
	Q4TOK(c, R10, Y3)

// FOLD1 folds the block's sums (Y0 codes, Y4·bsums mins) into X14 as
// kqCombine does. Clobbers Y0-Y3.
#define FOLD1 \
	MINSUM(DI, Y2); \
	VPHADDD Y2, Y0, Y0; \
	HSUM4(Y0, X0, X1); \
	VPHADDD X0, X0, X0; \
	VCVTDQ2PS X0, X0; \
	VMOVD 0(SI), X1; \
	VCVTPH2PS X1, X1; \
	VBROADCASTSS 0(DI), X2; \
	VMULPS X2, X1, X1; \
	VMULPS X0, X1, X1; \
	VADDSS X1, X14, X14; \
	VMOVSHDUP X1, X1; \
	VSUBSS X1, X14, X14

// FOLD4 is FOLD1 for the four tokens of Y0-Y3. Clobbers Y0-Y3, Y7-Y10.
#define FOLD4 \
	KQSUMI4; \
	MINSUM(DI, Y7); \
	MINSUM(R8, Y8); \
	MINSUM(R9, Y9); \
	MINSUM(R10, Y10); \
	TRANS4(Y7, Y8, Y9, Y10, X7, X8); \
	VCVTDQ2PS X7, X7; \
	DA4; \
	VPBROADCASTW 0(SI), X2; \
	VCVTPH2PS X2, X2; \
	VMULPS X1, X2, X2; \
	VMULPS X0, X2, X2; \
	VADDPS X2, X14, X14; \
	VPBROADCASTW 2(SI), X3; \
	VCVTPH2PS X3, X3; \
	VMULPS X1, X3, X3; \
	VMULPS X7, X3, X3; \
	VSUBPS X3, X14, X14

// Q5MASK sets Y13 to 0x10 in every byte. Clobbers AX.
#define Q5MASK \
	MOVL $0x10101010, AX; \
	VMOVD AX, X13; \
	VPBROADCASTD X13, Y13

// The function bodies, assembled twice: with VPMADDWD+VPADDD (AVX2) and
// with VPDPWSSD (AVX512-VNNI on 256-bit registers).
#define Q4KDOT1BODY \
	ARGS1; \
	NIBMASK; \
	ACC1(X14); \
q4k1loop: \
	PREFETCHT0 4096(SI); \
	K4SCALES(4); \
	VPXOR Y0, Y0, Y0; \
	CHUNK1(Q4UNPACK, 0); \
	CHUNK1(Q4UNPACK, 1); \
	CHUNK1(Q4UNPACK, 2); \
	CHUNK1(Q4UNPACK, 3); \
	FOLD1; \
	NEXT1(144, q4k1loop); \
	RET1(X14)

#define Q4KDOT4BODY \
	ARGS4; \
	NIBMASK; \
	ACC4(X14); \
q4k4loop: \
	K4SCALES(4); \
	ZERO4; \
	CHUNK4(Q4UNPACK, 0); \
	CHUNK4(Q4UNPACK, 1); \
	CHUNK4(Q4UNPACK, 2); \
	CHUNK4(Q4UNPACK, 3); \
	FOLD4; \
	LOOP4(144, q4k4loop); \
	RET4(X14)

#define Q5KDOT1BODY \
	ARGS1; \
	NIBMASK; \
	Q5MASK; \
	ACC1(X14); \
q5k1loop: \
	PREFETCHT0 4096(SI); \
	K4SCALES(4); \
	VMOVDQU 16(SI), Y6; \
	VPXOR Y0, Y0, Y0; \
	CHUNK1(Q5UNPACK, 0); \
	CHUNK1(Q5UNPACK, 1); \
	CHUNK1(Q5UNPACK, 2); \
	CHUNK1(Q5UNPACK, 3); \
	FOLD1; \
	NEXT1(176, q5k1loop); \
	RET1(X14)

#define Q5KDOT4BODY \
	ARGS4; \
	NIBMASK; \
	Q5MASK; \
	ACC4(X14); \
q5k4loop: \
	K4SCALES(4); \
	VMOVDQU 16(SI), Y6; \
	ZERO4; \
	CHUNK4(Q5UNPACK, 0); \
	CHUNK4(Q5UNPACK, 1); \
	CHUNK4(Q5UNPACK, 2); \
	CHUNK4(Q5UNPACK, 3); \
	FOLD4; \
	LOOP4(176, q5k4loop); \
	RET4(X14)

// func q4kDot1AVX2(w, a *byte, nb int, acc float32) float32
TEXT ·q4kDot1AVX2(SB), NOSPLIT, $0-36
	Q4KDOT1BODY

// func q4kDot4AVX2(w, a *byte, aStride, nb int, acc [4]float32) [4]float32
TEXT ·q4kDot4AVX2(SB), NOSPLIT, $0-64
	Q4KDOT4BODY

// func q5kDot1AVX2(w, a *byte, nb int, acc float32) float32
TEXT ·q5kDot1AVX2(SB), NOSPLIT, $0-36
	Q5KDOT1BODY

// func q5kDot4AVX2(w, a *byte, aStride, nb int, acc [4]float32) [4]float32
TEXT ·q5kDot4AVX2(SB), NOSPLIT, $0-64
	Q5KDOT4BODY

#undef Q4TOK
#define Q4TOK(c, base, acc) \
	VPMADDUBSW (4+64*(c))(base), Y7, Y11; \
	VPMADDUBSW (36+64*(c))(base), Y8, Y12; \
	VPDPWSSD Y9, Y11, acc; \
	VPDPWSSD Y10, Y12, acc

// func q4kDot1VNNI(w, a *byte, nb int, acc float32) float32
TEXT ·q4kDot1VNNI(SB), NOSPLIT, $0-36
	Q4KDOT1BODY

// func q4kDot4VNNI(w, a *byte, aStride, nb int, acc [4]float32) [4]float32
TEXT ·q4kDot4VNNI(SB), NOSPLIT, $0-64
	Q4KDOT4BODY

// func q5kDot1VNNI(w, a *byte, nb int, acc float32) float32
TEXT ·q5kDot1VNNI(SB), NOSPLIT, $0-36
	Q5KDOT1BODY

// func q5kDot4VNNI(w, a *byte, aStride, nb int, acc [4]float32) [4]float32
TEXT ·q5kDot4VNNI(SB), NOSPLIT, $0-64
	Q5KDOT4BODY

// Eight-token variants (VNNI only: tokens 4-7 accumulate in Y16-Y19,
// which only EVEX encodings reach). R13 = 4·aStride: tokens 4-7 are read
// at DI, R8, R9, R10 plus R13.

// Q4TOKX is Q4TOK for the Q8_K block at base+R13.
#define Q4TOKX(c, base, acc) \
	VPMADDUBSW (4+64*(c))(base)(R13*1), Y7, Y11; \
	VPMADDUBSW (36+64*(c))(base)(R13*1), Y8, Y12; \
	VPDPWSSD Y9, Y11, acc; \
	VPDPWSSD Y10, Y12, acc

#define CHUNK8(unpack, c) \
	CHUNK4(unpack, c); \
	Q4TOKX(c, DI, Y16); \
	Q4TOKX(c, R8, Y17); \
	Q4TOKX(c, R9, Y18); \
	Q4TOKX(c, R10, Y19)

// MINSUMX is MINSUM for the Q8_K block at base+R13.
#define MINSUMX(base, yd) \
	VPMADDWD 260(base)(R13*1), Y4, yd

// FOLD8 folds the sums of tokens 0-3 (Y0-Y3) and 4-7 (Y16-Y19) into the
// eight float32 lanes of Y14, lane by lane as kqCombine does.
// Clobbers Y0-Y3, Y5-Y10.
#define FOLD8 \
	VMOVDQA32 Y16, Y7; \
	VMOVDQA32 Y17, Y8; \
	VMOVDQA32 Y18, Y9; \
	VMOVDQA32 Y19, Y10; \
	TRANS8(Y0, Y1, Y2, Y3, Y7, Y8, Y9, Y10); \
	VCVTDQ2PS Y0, Y0; \
	MINSUM(DI, Y1); \
	MINSUM(R8, Y2); \
	MINSUM(R9, Y3); \
	MINSUM(R10, Y5); \
	MINSUMX(DI, Y6); \
	MINSUMX(R8, Y7); \
	MINSUMX(R9, Y8); \
	MINSUMX(R10, Y9); \
	TRANS8(Y1, Y2, Y3, Y5, Y6, Y7, Y8, Y9); \
	VCVTDQ2PS Y1, Y1; \
	DA8; \
	VPBROADCASTW 0(SI), X3; \
	VCVTPH2PS X3, Y3; \
	VMULPS Y2, Y3, Y3; \
	VMULPS Y0, Y3, Y3; \
	VADDPS Y3, Y14, Y14; \
	VPBROADCASTW 2(SI), X5; \
	VCVTPH2PS X5, Y5; \
	VMULPS Y2, Y5, Y5; \
	VMULPS Y1, Y5, Y5; \
	VSUBPS Y5, Y14, Y14

// The Q4_K eight-token kernel runs on 512-bit registers: a chunk's 64
// codes fill one register (the 32 packed bytes in both halves, the upper
// half's words shifted right by four under mask K1, then masked to
// nibbles), so each token needs one VPMADDUBSW and one VPDPWSSD per chunk
// instead of two of each; the scales of the chunk's two sub-blocks come
// from one 512-bit VPSHUFB of the scales (Y5) repeated in every 128-bit
// lane. The sums are exact, so folding each register's halves first gives
// the same integers (and outputs) as the 256-bit kernels.
#define Q4UNPACKZ(c) \
	VBROADCASTI64X4 (16+32*(c))(SI), Z7; \
	VPSRLW $4, Z7, K1, Z7; \
	VPANDD Z15, Z7, Z7; \
	VPSHUFB kqShufW<>+(64*(c))(SB), Z5, Z9

// Q4TOKZ adds the chunk's 64 products with the Q8_K block at base (plus
// R13 in the X form) into the 512-bit acc. Clobbers tmp.
#define Q4TOKZ(c, base, acc, tmp) \
	VPMADDUBSW (4+64*(c))(base), Z7, tmp; \
	VPDPWSSD Z9, tmp, acc

#define Q4TOKZX(c, base, acc, tmp) \
	VPMADDUBSW (4+64*(c))(base)(R13*1), Z7, tmp; \
	VPDPWSSD Z9, tmp, acc

#define CHUNK8Z(c) \
	Q4UNPACKZ(c); \
	Q4TOKZ(c, DI, Z0, Z11); \
	Q4TOKZ(c, R8, Z1, Z12); \
	Q4TOKZ(c, R9, Z2, Z20); \
	Q4TOKZ(c, R10, Z3, Z21); \
	Q4TOKZX(c, DI, Z16, Z22); \
	Q4TOKZX(c, R8, Z17, Z23); \
	Q4TOKZX(c, R9, Z18, Z24); \
	Q4TOKZX(c, R10, Z19, Z25)

// HALVES adds the upper 256 bits of z into y, its lower half. Clobbers
// Y11.
#define HALVES(z, y) \
	VEXTRACTI64X4 $1, z, Y11; \
	VPADDD Y11, y, y

// func q4kDot8VNNI(w, a *byte, aStride, nb int, acc [8]float32) [8]float32
TEXT ·q4kDot8VNNI(SB), NOSPLIT, $0-96
	ARGS8
	ACC8(Y14)
	MOVL $0x0f0f0f0f, AX
	VPBROADCASTD AX, Z15
	MOVL $0xffff0000, AX
	KMOVD AX, K1

q4k8loop:
	K4SCALES(4)
	VSHUFI64X2 $0, Z5, Z5, Z5
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	CHUNK8Z(0)
	CHUNK8Z(1)
	CHUNK8Z(2)
	CHUNK8Z(3)
	HALVES(Z0, Y0)
	HALVES(Z1, Y1)
	HALVES(Z2, Y2)
	HALVES(Z3, Y3)
	HALVES(Z16, Y16)
	HALVES(Z17, Y17)
	HALVES(Z18, Y18)
	HALVES(Z19, Y19)
	FOLD8
	LOOP4(144, q4k8loop)
	VMOVUPS Y14, ret+64(FP)
	VZEROUPPER
	RET

// func q5kDot8VNNI(w, a *byte, aStride, nb int, acc [8]float32) [8]float32
TEXT ·q5kDot8VNNI(SB), NOSPLIT, $0-96
	ARGS8
	ACC8(Y14)
	NIBMASK
	Q5MASK

q5k8loop:
	K4SCALES(4)
	VMOVDQU 16(SI), Y6
	ZERO8
	CHUNK8(Q5UNPACK, 0)
	CHUNK8(Q5UNPACK, 1)
	CHUNK8(Q5UNPACK, 2)
	CHUNK8(Q5UNPACK, 3)
	FOLD8
	LOOP4(176, q5k8loop)
	VMOVUPS Y14, ret+64(FP)
	VZEROUPPER
	RET

// The one- and four-token bodies once more with AVX-VNNI (VEX VPDPWSSD),
// for CPUs that have it without AVX512-VNNI; the sums are named by number.
#undef Q4TOK
#define Q4TOK(c, base, n) \
	VPMADDUBSW (4+64*(c))(base), Y7, Y11; \
	VPMADDUBSW (36+64*(c))(base), Y8, Y12; \
	DPW_9_11(n); \
	DPW_10_12(n)

#undef CHUNK1
#define CHUNK1(unpack, c) \
	unpack(c); \
	Q4TOK(c, DI, 0)

#undef CHUNK4
#define CHUNK4(unpack, c) \
	unpack(c); \
	Q4TOK(c, DI, 0); \
	Q4TOK(c, R8, 1); \
	Q4TOK(c, R9, 2); \
	Q4TOK(c, R10, 3)

// func q4kDot1AVXVNNI(w, a *byte, nb int, acc float32) float32
TEXT ·q4kDot1AVXVNNI(SB), NOSPLIT, $0-36
	Q4KDOT1BODY

// func q4kDot4AVXVNNI(w, a *byte, aStride, nb int, acc [4]float32) [4]float32
TEXT ·q4kDot4AVXVNNI(SB), NOSPLIT, $0-64
	Q4KDOT4BODY

// func q5kDot1AVXVNNI(w, a *byte, nb int, acc float32) float32
TEXT ·q5kDot1AVXVNNI(SB), NOSPLIT, $0-36
	Q5KDOT1BODY

// func q5kDot4AVXVNNI(w, a *byte, aStride, nb int, acc [4]float32) [4]float32
TEXT ·q5kDot4AVXVNNI(SB), NOSPLIT, $0-64
	Q5KDOT4BODY
