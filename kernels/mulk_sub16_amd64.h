// Shared by the kernels of the types with 16-value sub-blocks (Q6_K,
// Q3_K, Q2_K): int8 scales in X12, codes in Y5.

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

#define Q6TOKX(off, base, acc) \
	VPMADDUBSW (off)(base)(R13*1), Y5, Y7; \
	VPDPWSSD Y6, Y7, acc

// Q6TOK_VNNI and Q6TOK_VEX are Q6TOK with VPDPWSSD (EVEX, any sum
// register; VEX, sum Y0-Y3 named by number).
#define Q6TOK_VNNI(off, base, acc) \
	VPMADDUBSW (off)(base), Y5, Y7; \
	VPDPWSSD Y6, Y7, acc

#define Q6TOK_VEX(off, base, n) \
	VPMADDUBSW (off)(base), Y5, Y7; \
	DPW_6_7(n)
