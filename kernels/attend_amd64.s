//go:build amd64 && !purego

#include "textflag.h"

// func attendF16AVX2(acc, v *byte, vStride int, scores *float32, cnt int, scale float32, n8 int, st *[2]float32, k *expfTables)
//
// AttendF16's loop (see attend.go): per score, the comparison with the
// running maximum, one Expf (the same float64 operations in the same
// order, each rounded: offsets of k are expfTables' constants 0…56 and
// its 2^(j/32) table from 64), the float16 rescale of acc (VCVTPH2PS,
// VMULPS, VCVTPS2PH as ScaleF32 and ActF16 do it) and MadF16's update.
// Expf's x > 88 branch is never taken here: its argument is m−s with
// s > m, or s−m with s ≤ m.
// DI acc, SI V row, DX vStride, BX scores, CX count, R8 groups of eight,
// R9 st, R10 k; X0 max, X1 sum, X2 scale, X9 1.0.
TEXT ·attendF16AVX2(SB), NOSPLIT, $0-72
	MOVQ acc+0(FP), DI
	MOVQ v+8(FP), SI
	MOVQ vStride+16(FP), DX
	MOVQ scores+24(FP), BX
	MOVQ cnt+32(FP), CX
	VMOVSS scale+40(FP), X2
	MOVQ n8+48(FP), R8
	MOVQ st+56(FP), R9
	MOVQ k+64(FP), R10
	VMOVSS (R9), X0
	VMOVSS 4(R9), X1
	MOVL $0x3f800000, AX
	VMOVD AX, X9

row:
	VMOVSS (BX), X3
	VMULSS X2, X3, X3
	VUCOMISS X0, X3
	JA     greater
	VSUBSS X0, X3, X4
	XORQ   R12, R12
	JMP    expf

greater:
	VSUBSS  X3, X0, X4
	VMOVAPS X3, X0
	MOVQ    $1, R12

expf:
	VUCOMISS X4, X4
	JP       expdone
	VCVTSS2SD X4, X4, X10
	VUCOMISD 40(R10), X10
	JAE      inrange
	VXORPS   X4, X4, X4
	JMP      expdone

inrange:
	VMULSD    (R10), X10, X11
	VXORPD    X12, X12, X12
	VUCOMISD  X12, X11
	JB        negk
	VADDSD    48(R10), X11, X11
	VCVTTSD2SIQ X11, AX
	JMP       havek

negk:
	VMOVSD    48(R10), X12
	VSUBSD    X11, X12, X12
	VCVTTSD2SIQ X12, AX
	NEGQ      AX

havek:
	VCVTSI2SDQ AX, X12, X12
	VMULSD    8(R10), X12, X13
	VSUBSD    X13, X10, X13
	VMULSD    16(R10), X12, X14
	VSUBSD    X14, X13, X13
	VMULSD    X13, X13, X14
	VADDSD    56(R10), X13, X15
	VMULSD    24(R10), X13, X11
	VADDSD    48(R10), X11, X11
	VMULSD    X14, X11, X11
	VADDSD    X11, X15, X15
	VMULSD    X14, X14, X11
	VMULSD    32(R10), X11, X11
	VADDSD    X11, X15, X15
	MOVQ      AX, R11
	ANDQ      $31, R11
	VMULSD    64(R10)(R11*8), X15, X15
	SARQ      $5, AX
	ADDQ      $1023, AX
	SHLQ      $52, AX
	VMOVQ     AX, X11
	VMULSD    X11, X15, X15
	VCVTSD2SS X15, X15, X4

expdone:
	TESTQ R12, R12
	JZ    notgreater
	VBROADCASTSS X4, Y5
	MOVQ  R8, R11
	MOVQ  DI, R13

rescale:
	VCVTPH2PS (R13), Y6
	VMULPS    Y5, Y6, Y6
	VCVTPS2PH $0, Y6, (R13)
	ADDQ      $16, R13
	DECQ      R11
	JNZ       rescale
	VMULSS    X4, X1, X1
	VADDSS    X9, X1, X1
	VMOVAPS   X9, X4
	JMP       mad

notgreater:
	VADDSS X4, X1, X1

mad:
	VBROADCASTSS X4, Y7
	MOVQ R8, R11
	MOVQ DI, R13
	MOVQ SI, R12

madloop:
	VCVTPH2PS   (R12), Y8
	VCVTPH2PS   (R13), Y14
	VFMADD231PS Y7, Y8, Y14
	VCVTPS2PH   $0, Y14, (R13)
	ADDQ        $16, R12
	ADDQ        $16, R13
	DECQ        R11
	JNZ         madloop
	ADDQ DX, SI
	ADDQ $4, BX
	DECQ CX
	JNZ  row
	VMOVSS X0, (R9)
	VMOVSS X1, 4(R9)
	VZEROUPPER
	RET
