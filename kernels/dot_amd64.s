//go:build amd64 && !purego

#include "textflag.h"

// HSUM reduces the eight lanes of Y into the low lane of X (T is a
// scratch XMM register): (lo128 + hi128), then pairwise within 128 bits.
#define HSUM(Y, X, T) \
	VEXTRACTF128 $1, Y, T; \
	VADDPS       T, X, X; \
	VMOVHLPS     X, X, T; \
	VADDPS       T, X, X; \
	VMOVSHDUP    X, T; \
	VADDSS       T, X, X

// func dotF32AVX2(a, b *float32, n int) float32
//
// Σ a[i]·b[i] over n (a positive multiple of 8) elements with four
// independent FMA accumulators; the summation order depends only on n.
TEXT ·dotF32AVX2(SB), NOSPLIT, $0-28
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

dotloop32:
	CMPQ CX, $32
	JLT  dotloop8
	VMOVUPS     0(SI), Y4
	VMOVUPS     32(SI), Y5
	VMOVUPS     64(SI), Y6
	VMOVUPS     96(SI), Y7
	VFMADD231PS 0(DI), Y4, Y0
	VFMADD231PS 32(DI), Y5, Y1
	VFMADD231PS 64(DI), Y6, Y2
	VFMADD231PS 96(DI), Y7, Y3
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  dotloop32

dotloop8:
	CMPQ CX, $8
	JLT  dotdone
	VMOVUPS     0(SI), Y4
	VFMADD231PS 0(DI), Y4, Y0
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  dotloop8

dotdone:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	HSUM(Y0, X0, X1)
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET

// func dotF32x4AVX2(w, x0, x1, x2, x3 *float32, n int) (s0, s1, s2, s3 float32)
//
// The dot products of w with x0…x3 over n (a positive multiple of 8)
// elements. Two accumulators per vector (16 elements a step) hide the FMA
// latency; a final 8-element step uses the first set only.
TEXT ·dotF32x4AVX2(SB), NOSPLIT, $0-64
	MOVQ w+0(FP), SI
	MOVQ x0+8(FP), R8
	MOVQ x1+16(FP), R9
	MOVQ x2+24(FP), R10
	MOVQ x3+32(FP), R11
	MOVQ n+40(FP), CX
	XORQ AX, AX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

x4loop16:
	CMPQ CX, $16
	JLT  x4loop8
	VMOVUPS     0(SI)(AX*1), Y8
	VMOVUPS     32(SI)(AX*1), Y9
	VFMADD231PS 0(R8)(AX*1), Y8, Y0
	VFMADD231PS 0(R9)(AX*1), Y8, Y1
	VFMADD231PS 0(R10)(AX*1), Y8, Y2
	VFMADD231PS 0(R11)(AX*1), Y8, Y3
	VFMADD231PS 32(R8)(AX*1), Y9, Y4
	VFMADD231PS 32(R9)(AX*1), Y9, Y5
	VFMADD231PS 32(R10)(AX*1), Y9, Y6
	VFMADD231PS 32(R11)(AX*1), Y9, Y7
	ADDQ $64, AX
	SUBQ $16, CX
	JMP  x4loop16

x4loop8:
	CMPQ CX, $8
	JLT  x4done
	VMOVUPS     0(SI)(AX*1), Y8
	VFMADD231PS 0(R8)(AX*1), Y8, Y0
	VFMADD231PS 0(R9)(AX*1), Y8, Y1
	VFMADD231PS 0(R10)(AX*1), Y8, Y2
	VFMADD231PS 0(R11)(AX*1), Y8, Y3

x4done:
	VADDPS Y4, Y0, Y0
	VADDPS Y5, Y1, Y1
	VADDPS Y6, Y2, Y2
	VADDPS Y7, Y3, Y3
	HSUM(Y0, X0, X8)
	HSUM(Y1, X1, X8)
	HSUM(Y2, X2, X8)
	HSUM(Y3, X3, X8)
	VZEROUPPER
	MOVSS X0, s0+48(FP)
	MOVSS X1, s1+52(FP)
	MOVSS X2, s2+56(FP)
	MOVSS X3, s3+60(FP)
	RET

// func axpyF32AVX2(a float32, x, y *float32, n int)
//
// y[i] = fma(a, x[i], y[i]) for i < n (a positive multiple of 8).
TEXT ·axpyF32AVX2(SB), NOSPLIT, $0-32
	VBROADCASTSS a+0(FP), Y15
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ n+24(FP), CX

axpyloop32:
	CMPQ CX, $32
	JLT  axpyloop8
	VMOVUPS     0(DI), Y0
	VMOVUPS     32(DI), Y1
	VMOVUPS     64(DI), Y2
	VMOVUPS     96(DI), Y3
	VFMADD231PS 0(SI), Y15, Y0
	VFMADD231PS 32(SI), Y15, Y1
	VFMADD231PS 64(SI), Y15, Y2
	VFMADD231PS 96(SI), Y15, Y3
	VMOVUPS     Y0, 0(DI)
	VMOVUPS     Y1, 32(DI)
	VMOVUPS     Y2, 64(DI)
	VMOVUPS     Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  axpyloop32

axpyloop8:
	CMPQ CX, $8
	JLT  axpydone
	VMOVUPS     0(DI), Y0
	VFMADD231PS 0(SI), Y15, Y0
	VMOVUPS     Y0, 0(DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  axpyloop8

axpydone:
	VZEROUPPER
	RET

// func scaleF32AVX2(x *float32, n int, s float32)
//
// x[i] *= s for i < n (a positive multiple of 8); exact, like the Go loop.
TEXT ·scaleF32AVX2(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX
	VBROADCASTSS s+16(FP), Y15

scaleloop32:
	CMPQ CX, $32
	JLT  scaleloop8
	VMULPS  0(DI), Y15, Y0
	VMULPS  32(DI), Y15, Y1
	VMULPS  64(DI), Y15, Y2
	VMULPS  96(DI), Y15, Y3
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  scaleloop32

scaleloop8:
	CMPQ CX, $8
	JLT  scaledone
	VMULPS  0(DI), Y15, Y0
	VMOVUPS Y0, 0(DI)
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  scaleloop8

scaledone:
	VZEROUPPER
	RET

// func dotLanes64AVX2(x, y *float32, n int) float32
//
// DotGGML's 64-lane part over n (a positive multiple of 64) values: lane l
// (in Y0…Y7, eight lanes each) is the chain of fused multiply-adds of
// x[i+l]·y[i+l] in order; the lanes are then folded by halving exactly as
// foldLanes does (v[i] += v[i+h] for h = 32, 16, 8, 4, 2, 1).
TEXT ·dotLanes64AVX2(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

loop:
	VMOVUPS     0(SI), Y8
	VMOVUPS     32(SI), Y9
	VMOVUPS     64(SI), Y10
	VMOVUPS     96(SI), Y11
	VFMADD231PS 0(DI), Y8, Y0
	VFMADD231PS 32(DI), Y9, Y1
	VFMADD231PS 64(DI), Y10, Y2
	VFMADD231PS 96(DI), Y11, Y3
	VMOVUPS     128(SI), Y8
	VMOVUPS     160(SI), Y9
	VMOVUPS     192(SI), Y10
	VMOVUPS     224(SI), Y11
	VFMADD231PS 128(DI), Y8, Y4
	VFMADD231PS 160(DI), Y9, Y5
	VFMADD231PS 192(DI), Y10, Y6
	VFMADD231PS 224(DI), Y11, Y7
	ADDQ $256, SI
	ADDQ $256, DI
	SUBQ $64, CX
	JNZ  loop

	// h = 32, 16, 8: whole registers
	VADDPS Y4, Y0, Y0
	VADDPS Y5, Y1, Y1
	VADDPS Y6, Y2, Y2
	VADDPS Y7, Y3, Y3
	VADDPS Y2, Y0, Y0
	VADDPS Y3, Y1, Y1
	VADDPS Y1, Y0, Y0
	// h = 4, 2, 1
	HSUM(Y0, X0, X1)
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET
