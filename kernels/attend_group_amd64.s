//go:build amd64 && !purego

#include "textflag.h"

// Integer constants of attendF16x4AVX512: 31 and 1023 as int32 lanes.
DATA attendK<>+0(SB)/8, $0x0000001f0000001f
DATA attendK<>+8(SB)/8, $0x0000001f0000001f
DATA attendK<>+16(SB)/8, $0x000003ff000003ff
DATA attendK<>+24(SB)/8, $0x000003ff000003ff
GLOBL attendK<>(SB), RODATA|NOPTR, $32

// func attendF16x4AVX512(acc *byte, hb int, v *byte, vStride int, scores *float32, sStride, cnt int, scale float32, st *[272]float32, k *expfTables)
//
// AttendF16 (attend.go) for four heads sharing V rows. Per position: the
// four raw scores (sStride bytes apart) times scale; per head, whether it
// exceeds the running maximum; the four exponentials as one vector with
// Expf's float64 steps (as swiglu_amd64.s: no fused operations, k rounded
// half away from zero, 2^((k&31)/32) gathered from the table at k+64;
// arguments below −110 give 0 and NaN stays NaN; an argument above 88
// cannot occur: it is max−s with s > max or s−max with s ≤ max); the
// sums s·rescale + weight in float32; then per head the float16 rescale
// when its maximum moved and the float16 update acc += weight·v, sixteen
// values per step (VCVTPH2PS, VMULPS or VFMADD231PS, VCVTPS2PH as
// ScaleF32/ActF16 and MadF16 do it).
// DI acc, R8 hb, SI V row, DX vStride, BX scores, R9 sStride, CX count,
// R11 Expf's tables, R12 st; X8 maxima, X9 sums, X10 scale, X11 1.0;
// Y12 32/ln2, Y13 ln2/32 high, Y14 low, Y15 1/6.
TEXT ·attendF16x4AVX512(SB), NOSPLIT, $0-80
	MOVQ acc+0(FP), DI
	MOVQ hb+8(FP), R8
	MOVQ v+16(FP), SI
	MOVQ vStride+24(FP), DX
	MOVQ scores+32(FP), BX
	MOVQ sStride+40(FP), R9
	MOVQ cnt+48(FP), CX
	VBROADCASTSS scale+56(FP), X10
	MOVQ st+64(FP), R12
	MOVQ k+72(FP), R11
	VMOVUPS 0(R12), X8
	VMOVUPS 16(R12), X9
	MOVL $0x3f800000, AX
	VMOVD AX, X11
	VBROADCASTSS X11, X11
	VBROADCASTSD 0(R11), Y12
	VBROADCASTSD 8(R11), Y13
	VBROADCASTSD 16(R11), Y14
	VBROADCASTSD 24(R11), Y15

cell:
	// sv = raw·scale; X1: sv > max; X2: the exponentials' arguments
	LEAQ      (BX)(R9*2), R13
	VMOVSS    (BX), X0
	VINSERTPS $0x10, (BX)(R9*1), X0, X0
	VINSERTPS $0x20, (R13), X0, X0
	VINSERTPS $0x30, (R13)(R9*1), X0, X0
	VMULPS    X10, X0, X0
	VCMPPS    $0x1e, X8, X0, X1
	VSUBPS    X0, X8, X2
	VSUBPS    X8, X0, X3
	VBLENDVPS X1, X2, X3, X2
	VBLENDVPS X1, X0, X8, X8

	// Expf of the four arguments: x in Y2 (float64)
	VCVTPS2PD    X2, Y2
	VMULPD       Y12, Y2, Y3
	VBROADCASTSD 48(R11), Y7
	VADDPD       Y7, Y3, Y4
	VCVTTPD2DQY  Y4, X4
	VSUBPD       Y3, Y7, Y5
	VCVTTPD2DQY  Y5, X5
	VPXOR        X6, X6, X6
	VPSUBD       X5, X6, X5
	VCVTDQ2PD    X4, Y4
	VCVTDQ2PD    X5, Y5
	VXORPD       Y6, Y6, Y6
	VCMPPD       $0x1d, Y6, Y3, Y6
	VBLENDVPD    Y6, Y4, Y5, Y6
	VMULPD       Y13, Y6, Y3
	VSUBPD       Y3, Y2, Y3
	VMULPD       Y14, Y6, Y4
	VSUBPD       Y4, Y3, Y3
	VMULPD       Y3, Y3, Y4
	VBROADCASTSD 56(R11), Y5
	VADDPD       Y5, Y3, Y5
	VMULPD       Y15, Y3, Y3
	VADDPD       Y7, Y3, Y3
	VMULPD       Y3, Y4, Y3
	VADDPD       Y3, Y5, Y5
	VMULPD       Y4, Y4, Y3
	VBROADCASTSD 32(R11), Y7
	VMULPD       Y7, Y3, Y3
	VADDPD       Y3, Y5, Y5
	VCVTTPD2DQY  Y6, X3
	VPAND        attendK<>+0(SB), X3, X4
	VPCMPEQD     Y7, Y7, Y7
	VGATHERDPD   Y7, 64(R11)(X4*8), Y6
	VPSRAD       $5, X3, X3
	VPADDD       attendK<>+16(SB), X3, X3
	VPMOVZXDQ    X3, Y3
	VPSLLQ       $52, Y3, Y3
	VMULPD       Y6, Y5, Y5
	VMULPD       Y3, Y5, Y5
	VBROADCASTSD 40(R11), Y7
	VCMPPD       $0x1d, Y7, Y2, Y3
	VBLENDVPD    Y3, Y5, Y2, Y5
	VCMPPD       $0x11, Y7, Y2, Y3
	VXORPD       Y7, Y7, Y7
	VBLENDVPD    Y3, Y7, Y5, Y5
	VCVTPD2PSY   Y5, X4

	// rescale (e where the maximum moved, else 1), weight (1 or e), sums
	VBLENDVPS X1, X4, X11, X5
	VBLENDVPS X1, X11, X4, X6
	VMULPS    X5, X9, X9
	VADDPS    X6, X9, X9
	VMOVUPS   X5, 32(R12)
	VMOVUPS   X6, 48(R12)
	VMOVMSKPS X1, AX

	// the V row in float32 at 64(R12), shared by the four heads
	XORQ R13, R13
vconv:
	VCVTPH2PS (SI)(R13*1), Z22
	VMOVUPS   Z22, 64(R12)(R13*2)
	ADDQ $32, R13
	CMPQ R13, R8
	JB   vconv

#define HEAD(i, scl, mad, next) \
	TESTL $(1<<i), AX \
	JZ    mad \
	VBROADCASTSS (32+4*i)(R12), Z20 \
	XORQ  R13, R13 \
scl: \
	VCVTPH2PS (R10)(R13*1), Z21 \
	VMULPS    Z20, Z21, Z21 \
	VCVTPS2PH $0, Z21, (R10)(R13*1) \
	ADDQ $32, R13 \
	CMPQ R13, R8 \
	JB   scl \
mad: \
	VBROADCASTSS (48+4*i)(R12), Z20 \
	XORQ R13, R13 \
next: \
	VCVTPH2PS   (R10)(R13*1), Z21 \
	VFMADD231PS 64(R12)(R13*2), Z20, Z21 \
	VCVTPS2PH   $0, Z21, (R10)(R13*1) \
	ADDQ $32, R13 \
	CMPQ R13, R8 \
	JB   next \
	ADDQ R8, R10

	MOVQ DI, R10
	HEAD(0, scl0, mad0, next0)
	HEAD(1, scl1, mad1, next1)
	HEAD(2, scl2, mad2, next2)
	HEAD(3, scl3, mad3, next3)

	ADDQ DX, SI
	ADDQ $4, BX
	DECQ CX
	JNZ  cell
	VMOVUPS X8, 0(R12)
	VMOVUPS X9, 16(R12)
	VZEROUPPER
	RET
