//go:build amd64 && !purego

#include "textflag.h"

DATA mullBF16Round<>+0(SB)/4, $0x7fff
GLOBL mullBF16Round<>(SB), RODATA|NOPTR, $4
DATA mullDOne<>+0(SB)/4, $1
GLOBL mullDOne<>(SB), RODATA|NOPTR, $4

// func actF16F16C(dst *byte, src *float32, n int) int
//
// Converts src[0:n&^7] to fp16 with VCVTPS2PH (round to nearest even),
// 8 values at a time, stopping before the first group holding a NaN (whose
// fp16 form F32ToF16 fixes as 0x7e00|sign); returns the count converted.
TEXT ·actF16F16C(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	XORQ AX, AX

f16loop:
	CMPQ      AX, CX
	JAE       f16done
	VMOVUPS   (SI), Y0
	VCMPPS    $3, Y0, Y0, Y1
	VMOVMSKPS Y1, BX
	TESTL     BX, BX
	JNZ       f16done
	VCVTPS2PH $0, Y0, (DI)
	ADDQ      $32, SI
	ADDQ      $16, DI
	INCQ      AX
	JMP       f16loop

f16done:
	SHLQ $3, AX
	MOVQ AX, ret+24(FP)
	VZEROUPPER
	RET

// func actBF16AVX2(dst *byte, src *float32, n int) int
//
// Converts src[0:n&^7] to bf16 as F32ToBF16 does for non-NaN values,
// (b + 0x7fff + (b>>16 & 1)) >> 16, stopping before the first group of 8
// holding a NaN; returns the count converted.
TEXT ·actBF16AVX2(SB), NOSPLIT, $0-32
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	SHRQ         $3, CX
	XORQ         AX, AX
	VPBROADCASTD mullBF16Round<>(SB), Y3
	VPBROADCASTD mullDOne<>(SB), Y4

bf16loop:
	CMPQ         AX, CX
	JAE          bf16done
	VMOVUPS      (SI), Y0
	VCMPPS       $3, Y0, Y0, Y1
	VMOVMSKPS    Y1, BX
	TESTL        BX, BX
	JNZ          bf16done
	VPSRLD       $16, Y0, Y1
	VPAND        Y4, Y1, Y1
	VPADDD       Y3, Y1, Y1
	VPADDD       Y0, Y1, Y1
	VPSRLD       $16, Y1, Y1
	VEXTRACTI128 $1, Y1, X2
	VPACKUSDW    X2, X1, X1
	VMOVDQU      X1, (DI)
	ADDQ         $32, SI
	ADDQ         $16, DI
	INCQ         AX
	JMP          bf16loop

bf16done:
	SHLQ $3, AX
	MOVQ AX, ret+24(FP)
	VZEROUPPER
	RET

// func minDots4x8(nb int, m, sT *float32, toks int, res *[32]float32)
//
// res[8i+j] = Σ_b m[i·nb+b]·sT[b·toks+j] for rows i < 4 and tokens j < 8,
// each product rounded and added in block order (no FMA), as minDot.
TEXT ·minDots4x8(SB), NOSPLIT, $0-40
	MOVQ   nb+0(FP), CX
	MOVQ   m+8(FP), SI
	MOVQ   sT+16(FP), DI
	MOVQ   toks+24(FP), DX
	SHLQ   $2, DX
	MOVQ   res+32(FP), R8
	MOVQ   CX, BX
	SHLQ   $2, BX
	LEAQ   (SI)(BX*2), R10
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

mdloop:
	VMOVUPS      (DI), Y4
	VBROADCASTSS (SI), Y5
	VMULPS       Y4, Y5, Y5
	VADDPS       Y5, Y0, Y0
	VBROADCASTSS (SI)(BX*1), Y5
	VMULPS       Y4, Y5, Y5
	VADDPS       Y5, Y1, Y1
	VBROADCASTSS (R10), Y5
	VMULPS       Y4, Y5, Y5
	VADDPS       Y5, Y2, Y2
	VBROADCASTSS (R10)(BX*1), Y5
	VMULPS       Y4, Y5, Y5
	VADDPS       Y5, Y3, Y3
	ADDQ         $4, SI
	ADDQ         $4, R10
	ADDQ         DX, DI
	DECQ         CX
	JNZ          mdloop
	VMOVUPS      Y0, (R8)
	VMOVUPS      Y1, 32(R8)
	VMOVUPS      Y2, 64(R8)
	VMOVUPS      Y3, 96(R8)
	VZEROUPPER
	RET
