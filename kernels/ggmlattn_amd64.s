//go:build amd64 && !purego

#include "textflag.h"

// Constants of expGGMLSubAVX512 (ggml_v_expf's, AVX-512).
DATA expggmlK<>+0(SB)/4, $0x4b400000  // 0x1.8p23
DATA expggmlK<>+4(SB)/4, $0x3fb8aa3b  // 0x1.715476p+0
DATA expggmlK<>+8(SB)/4, $0x3f317200  // 0x1.62e4p-1
DATA expggmlK<>+12(SB)/4, $0x35bfbe8e // 0x1.7f7d1cp-20
DATA expggmlK<>+16(SB)/4, $0x7fffffff // |·| mask
DATA expggmlK<>+20(SB)/4, $0x43400000 // 192
DATA expggmlK<>+24(SB)/4, $0x3c072010 // 0x1.0e4020p-7
DATA expggmlK<>+28(SB)/4, $0x3d2b9f17 // 0x1.573e2ep-5
DATA expggmlK<>+32(SB)/4, $0x3e2aaf33 // 0x1.555e66p-3
DATA expggmlK<>+36(SB)/4, $0x3efffedb // 0x1.fffdb6p-2
DATA expggmlK<>+40(SB)/4, $0x3f7ffff6 // 0x1.ffffecp-1
DATA expggmlK<>+44(SB)/4, $0x3f800000 // 1
GLOBL expggmlK<>(SB), RODATA|NOPTR, $48

// func expGGMLSubAVX512(x *float32, n int, sub float32) int
//
// x[i] = ExpGGML(x[i] − sub) sixteen at a time with ggml_v_expf's own
// AVX-512 instructions, for up to n values (a multiple of 16); it stops
// before a group with |n| > 192 (or NaN: the comparison is false, so NaN
// goes through as ggml lets it) and returns how many values it did.
TEXT ·expGGMLSubAVX512(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VBROADCASTSS sub+16(FP), Z31
	VBROADCASTSS expggmlK<>+0(SB), Z16
	VBROADCASTSS expggmlK<>+4(SB), Z17
	VBROADCASTSS expggmlK<>+8(SB), Z18
	VBROADCASTSS expggmlK<>+12(SB), Z19
	VBROADCASTSS expggmlK<>+16(SB), Z20
	VBROADCASTSS expggmlK<>+20(SB), Z21
	VBROADCASTSS expggmlK<>+24(SB), Z22
	VBROADCASTSS expggmlK<>+28(SB), Z23
	VBROADCASTSS expggmlK<>+32(SB), Z24
	VBROADCASTSS expggmlK<>+36(SB), Z25
	VBROADCASTSS expggmlK<>+40(SB), Z26
	VBROADCASTSS expggmlK<>+44(SB), Z27
	XORQ AX, AX
	TESTQ CX, CX
	JZ    expdone

exploop:
	VMOVUPS (SI)(AX*4), Z0
	VSUBPS  Z31, Z0, Z0          // x − sub
	VMOVAPS Z16, Z1
	VFMADD231PS Z17, Z0, Z1      // z = x·log2e + r
	VSUBPS  Z16, Z1, Z2          // n = z − r
	VANDPS  Z20, Z2, Z4
	VCMPPS  $0x1e, Z21, Z4, K1   // |n| > 192
	KORTESTW K1, K1
	JNZ     expdone
	VMOVAPS Z0, Z3
	VFNMADD231PS Z18, Z2, Z3     // x − n·ln2hi
	VFNMADD231PS Z19, Z2, Z3     // b = … − n·ln2lo
	VMULPS  Z3, Z3, Z5           // u = b·b
	VMOVAPS Z23, Z6
	VFMADD231PS Z22, Z3, Z6      // c1·b + c2
	VMOVAPS Z25, Z7
	VFMADD231PS Z24, Z3, Z7      // c3·b + c4
	VFMADD231PS Z5, Z6, Z7       // (c1·b + c2)·u + (c3·b + c4)
	VMOVAPS Z27, Z8
	VFMADD231PS Z26, Z3, Z8      // c5·b + 1
	VFMADD231PS Z5, Z7, Z8       // j
	VSCALEFPS Z2, Z8, Z9         // j·2^n
	VMOVUPS Z9, (SI)(AX*4)
	ADDQ $16, AX
	CMPQ AX, CX
	JB   exploop

expdone:
	MOVQ AX, ret+24(FP)
	VZEROUPPER
	RET
