//go:build amd64 && !purego

#include "textflag.h"

// Constants of swigluAVX2: Expf's main range (−110 and 88 as float64),
// the float32 sign bit, 31 and 1023 as int32 and 1 as float32.
DATA swigluK<>+0(SB)/8, $-110.0
DATA swigluK<>+8(SB)/8, $-110.0
DATA swigluK<>+16(SB)/8, $-110.0
DATA swigluK<>+24(SB)/8, $-110.0
DATA swigluK<>+32(SB)/8, $88.0
DATA swigluK<>+40(SB)/8, $88.0
DATA swigluK<>+48(SB)/8, $88.0
DATA swigluK<>+56(SB)/8, $88.0
DATA swigluK<>+64(SB)/8, $0x8000000080000000
DATA swigluK<>+72(SB)/8, $0x8000000080000000
DATA swigluK<>+80(SB)/8, $0x0000001f0000001f
DATA swigluK<>+88(SB)/8, $0x0000001f0000001f
DATA swigluK<>+96(SB)/8, $0x000003ff000003ff
DATA swigluK<>+104(SB)/8, $0x000003ff000003ff
DATA swigluK<>+112(SB)/8, $0x3f8000003f800000
DATA swigluK<>+120(SB)/8, $0x3f8000003f800000
GLOBL swigluK<>(SB), RODATA|NOPTR, $128

// func swigluAVX2(gp, up *float32, n int, k *expfTables) int
//
// SwiGLU on n groups of four: x = −g as float64, Expf's steps (see
// expf.go; every float64 operation rounded on its own, no fused
// multiply-adds, k rounded half away from zero by truncating t+0.5 or
// 0.5−t, 2^(k&31/32) gathered from the table at k+64), the float32 result,
// then g/(1+e)·u in float32. It stops before a group with an argument
// outside [−110, 88] or NaN and returns the groups done.
// DI g, SI u, CX n, R11 table; Y8 32/ln2, Y9 ln2/32 high, Y10 low,
// Y11 1/6, Y12 1/24, Y13 0.5, Y14 1.0.
TEXT ·swigluAVX2(SB), NOSPLIT, $0-40
	MOVQ gp+0(FP), DI
	MOVQ up+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ k+24(FP), R10
	XORQ AX, AX
	VBROADCASTSD 0(R10), Y8
	VBROADCASTSD 8(R10), Y9
	VBROADCASTSD 16(R10), Y10
	VBROADCASTSD 24(R10), Y11
	VBROADCASTSD 32(R10), Y12
	VBROADCASTSD 48(R10), Y13
	VBROADCASTSD 56(R10), Y14
	LEAQ 64(R10), R11
	TESTQ CX, CX
	JZ    done

loop:
	VMOVUPS (DI), X0
	VXORPS  swigluK<>+64(SB), X0, X1
	VCVTPS2PD X1, Y1
	VCMPPD  $0x1d, swigluK<>+0(SB), Y1, Y2
	VCMPPD  $0x12, swigluK<>+32(SB), Y1, Y3
	VANDPD  Y3, Y2, Y2
	VMOVMSKPD Y2, BX
	CMPQ    BX, $15
	JNE     done

	// k = t ≥ 0 ? trunc(t+0.5) : −trunc(0.5−t), as float64 in Y6
	VMULPD      Y8, Y1, Y2
	VADDPD      Y13, Y2, Y3
	VCVTTPD2DQY Y3, X3
	VSUBPD      Y2, Y13, Y4
	VCVTTPD2DQY Y4, X4
	VPXOR       X5, X5, X5
	VPSUBD      X4, X5, X4
	VCVTDQ2PD   X3, Y3
	VCVTDQ2PD   X4, Y4
	VXORPD      Y5, Y5, Y5
	VCMPPD      $0x1d, Y5, Y2, Y5
	VBLENDVPD   Y5, Y3, Y4, Y6

	// r = (x − k·hi) − k·lo; p = (1+r) + r²(0.5 + r/6) + r⁴/24
	VMULPD Y9, Y6, Y3
	VSUBPD Y3, Y1, Y3
	VMULPD Y10, Y6, Y4
	VSUBPD Y4, Y3, Y3
	VMULPD Y3, Y3, Y4
	VADDPD Y14, Y3, Y5
	VMULPD Y11, Y3, Y2
	VADDPD Y13, Y2, Y2
	VMULPD Y2, Y4, Y2
	VADDPD Y2, Y5, Y5
	VMULPD Y4, Y4, Y2
	VMULPD Y12, Y2, Y2
	VADDPD Y2, Y5, Y5

	// e = float32(p · 2^((k&31)/32) · 2^(k>>5))
	VCVTTPD2DQY Y6, X2
	VPAND       swigluK<>+80(SB), X2, X3
	VPCMPEQD    Y4, Y4, Y4
	VGATHERDPD  Y4, (R11)(X3*8), Y7
	VPSRAD      $5, X2, X2
	VPADDD      swigluK<>+96(SB), X2, X2
	VPMOVZXDQ   X2, Y2
	VPSLLQ      $52, Y2, Y2
	VMULPD      Y7, Y5, Y5
	VMULPD      Y2, Y5, Y5
	VCVTPD2PSY  Y5, X5

	// g/(1+e)·u
	VADDPS swigluK<>+112(SB), X5, X5
	VDIVPS X5, X0, X5
	VMULPS (SI), X5, X5
	VMOVUPS X5, (DI)
	ADDQ $16, DI
	ADDQ $16, SI
	INCQ AX
	CMPQ AX, CX
	JB   loop

done:
	MOVQ AX, ret+32(FP)
	VZEROUPPER
	RET
