//go:build amd64 && !purego

#include "textflag.h"

// func madF16F16C(y, x *byte, a float32, n int)
//
// y[i] = fp16(fma(x[i], a, y[i])) for the n (a positive multiple of 8)
// float16 values at y and x.
TEXT ·madF16F16C(SB), NOSPLIT, $0-32
	MOVQ         y+0(FP), DI
	MOVQ         x+8(FP), SI
	VBROADCASTSS a+16(FP), Y0
	MOVQ         n+24(FP), CX

madloop:
	VCVTPH2PS   (SI), Y1
	VCVTPH2PS   (DI), Y2
	VFMADD231PS Y0, Y1, Y2
	VCVTPS2PH   $0, Y2, (DI)
	ADDQ        $16, SI
	ADDQ        $16, DI
	SUBQ        $8, CX
	JNZ         madloop
	VZEROUPPER
	RET
