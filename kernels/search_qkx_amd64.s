//go:build amd64 && !purego

#include "textflag.h"

// Offsets of the qkx8Args fields (see search_qkx8.go).
#define OFF_X 0
#define OFF_W 1024
#define OFF_L 2048
#define OFF_AUX 3072
#define OFF_SCALE 4096
#define OFF_THEMIN 4128
#define OFF_SUMW 4160
#define OFF_SUMX 4192
#define OFF_NONDEG 4224
#define OFF_NUM 4256
#define OFF_NNUM 4416
#define OFF_NMAX 4424
#define OFF_NEND 4440
#define OFF_MAD 4448

DATA qkxMagic<>+0(SB)/4, $0x4b400000 // 12582912.0 = 1.5·2^23
GLOBL qkxMagic<>(SB), RODATA|NOPTR, $4
DATA qkxMant<>+0(SB)/4, $0x007fffff
GLOBL qkxMant<>(SB), RODATA|NOPTR, $4
DATA qkxHalf<>+0(SB)/4, $0x00400000
GLOBL qkxHalf<>(SB), RODATA|NOPTR, $4
DATA qkxOne<>+0(SB)/4, $0x3f800000 // 1.0
GLOBL qkxOne<>(SB), RODATA|NOPTR, $4
DATA qkxSign<>+0(SB)/4, $0x80000000
GLOBL qkxSign<>(SB), RODATA|NOPTR, $4
DATA qkxAbs<>+0(SB)/4, $0x7fffffff
GLOBL qkxAbs<>(SB), RODATA|NOPTR, $4

// QUANT turns the products p in r into float32 levels
// clamp(nearest_int(p), 0, nmax). Needs Y15 = magic, Y14 = 0x7fffff,
// Y13 = 0x400000, Y12 = nmax (int32), Y11 = 0.
#define QUANT(r) \
	VADDPS  Y15, r, r; \
	VPAND   Y14, r, r; \
	VPSUBD  Y13, r, r; \
	VPMAXSD Y11, r, r; \
	VPMINSD Y12, r, r; \
	VCVTDQ2PS r, r

// func qkxSearch8AVX2(a *qkx8Args)
//
// Registers: AX = a, SI = byte offset of row i, CX = end of the rows
// (32·n), DX = candidate index, Y8 = min, Y9 = best error, Y10 = max,
// Y11..Y15 constants. With a.mad set the error term is |d| instead of d².
TEXT ·qkxSearch8AVX2(SB), NOSPLIT, $0-8
	MOVQ a+0(FP), AX
	MOVQ OFF_NEND(AX), CX
	VBROADCASTSS qkxMagic<>(SB), Y15
	VPBROADCASTD qkxMant<>(SB), Y14
	VPBROADCASTD qkxHalf<>(SB), Y13
	VPBROADCASTD OFF_NMAX(AX), Y12
	VXORPS Y11, Y11, Y11

	// min, max, Σw, Σw·x in element order.
	VMOVUPS OFF_X(AX), Y8
	VMOVUPS Y8, Y9
	VMOVUPS OFF_W(AX), Y4
	VMULPS  Y8, Y4, Y5
	MOVQ $32, SI

stats:
	VMOVUPS OFF_X(AX)(SI*1), Y0
	VMOVUPS OFF_W(AX)(SI*1), Y1
	VMINPS  Y8, Y0, Y8 // x < min ? x : min
	VMAXPS  Y9, Y0, Y9 // x > max ? x : max
	VADDPS  Y1, Y4, Y4
	VMULPS  Y0, Y1, Y2
	VADDPS  Y2, Y5, Y5
	ADDQ $32, SI
	CMPQ SI, CX
	JNE  stats

	VMOVUPS Y4, OFF_SUMW(AX)
	VMOVUPS Y5, OFF_SUMX(AX)
	VMINPS  Y8, Y11, Y8      // min = 0 < min ? 0 : min
	VCMPPS  $4, Y8, Y9, Y0   // max != min (NEQ_UQ)
	VMOVUPS Y0, OFF_NONDEG(AX)
	VMOVUPS Y9, Y10          // max
	VSUBPS  Y8, Y9, Y1       // max - min
	VCVTDQ2PS Y12, Y0
	VDIVPS  Y1, Y0, Y7       // iscale = nmax / (max - min)
	VBROADCASTSS qkxOne<>(SB), Y1
	VDIVPS  Y7, Y1, Y1       // scale = 1 / iscale
	VMOVUPS Y1, OFF_SCALE(AX)

	// First codes and their error.
	VXORPS Y9, Y9, Y9
	XORQ SI, SI
	VBROADCASTSS qkxAbs<>(SB), Y3
	CMPL OFF_MAD(AX), $0
	JNE  firstMad

first:
	VMOVUPS OFF_X(AX)(SI*1), Y0
	VSUBPS  Y8, Y0, Y2
	VMULPS  Y2, Y7, Y2
	QUANT(Y2)
	VMOVUPS Y2, OFF_L(AX)(SI*1)
	VMULPS  Y2, Y1, Y2       // scale * L
	VADDPS  Y8, Y2, Y2       // + min
	VSUBPS  Y0, Y2, Y2       // - x
	VMULPS  Y2, Y2, Y2
	VMULPS  OFF_W(AX)(SI*1), Y2, Y2
	VADDPS  Y2, Y9, Y9
	ADDQ $32, SI
	CMPQ SI, CX
	JNE  first
	JMP  firstDone

firstMad:
	VMOVUPS OFF_X(AX)(SI*1), Y0
	VSUBPS  Y8, Y0, Y2
	VMULPS  Y2, Y7, Y2
	QUANT(Y2)
	VMOVUPS Y2, OFF_L(AX)(SI*1)
	VMULPS  Y2, Y1, Y2       // scale * L
	VADDPS  Y8, Y2, Y2       // + min
	VSUBPS  Y0, Y2, Y2       // - x
	VANDPS  Y3, Y2, Y2       // |d|
	VMULPS  OFF_W(AX)(SI*1), Y2, Y2
	VADDPS  Y2, Y9, Y9
	ADDQ $32, SI
	CMPQ SI, CX
	JNE  firstMad

firstDone:
	XORQ DX, DX
	CMPQ DX, OFF_NNUM(AX)
	JGE  finish

cand:
	VSUBPS  Y8, Y10, Y0      // max - min, with the current min
	VBROADCASTSS OFF_NUM(AX)(DX*4), Y7
	VDIVPS  Y0, Y7, Y7       // iscale = num[is] / (max - min)
	VXORPS  Y4, Y4, Y4       // Σw·l
	VXORPS  Y5, Y5, Y5       // Σw·l·l
	VXORPS  Y6, Y6, Y6       // Σw·l·x
	XORQ SI, SI

sums:
	VMOVUPS OFF_X(AX)(SI*1), Y0
	VSUBPS  Y8, Y0, Y1
	VMULPS  Y1, Y7, Y1
	QUANT(Y1)
	VMOVUPS Y1, OFF_AUX(AX)(SI*1)
	VMULPS  OFF_W(AX)(SI*1), Y1, Y2 // w*l
	VADDPS  Y2, Y4, Y4
	VMULPS  Y1, Y2, Y3               // w*l*l
	VADDPS  Y3, Y5, Y5
	VMULPS  Y0, Y2, Y3               // w*l*x
	VADDPS  Y3, Y6, Y6
	ADDQ $32, SI
	CMPQ SI, CX
	JNE  sums

	VMOVUPS OFF_SUMW(AX), Y0
	VMOVUPS OFF_SUMX(AX), Y1
	VMULPS  Y5, Y0, Y2       // sumW*sl2
	VMULPS  Y4, Y4, Y3       // sl*sl
	VSUBPS  Y3, Y2, Y2       // D
	VMULPS  Y6, Y0, Y3       // sumW*sxl
	VMULPS  Y4, Y1, Y0       // sumX*sl
	VSUBPS  Y0, Y3, Y3
	VDIVPS  Y2, Y3, Y3       // this_scale
	VMULPS  Y1, Y5, Y0       // sl2*sumX
	VMULPS  Y6, Y4, Y1       // sl*sxl
	VSUBPS  Y1, Y0, Y0
	VDIVPS  Y2, Y0, Y0       // this_min
	VDIVPS  Y5, Y6, Y1       // sxl / sl2
	VCMPPS  $0x1e, Y11, Y0, Y4 // this_min > 0 (GT_OQ)
	VBLENDVPS Y4, Y11, Y0, Y0  // this_min = 0 there
	VBLENDVPS Y4, Y1, Y3, Y3   // this_scale = sxl/sl2 there
	VCMPPS  $0x1e, Y11, Y2, Y2 // D > 0
	VANDPS  OFF_NONDEG(AX), Y2, Y2
	VMOVMSKPS Y2, BX
	TESTL BX, BX
	JZ   next

	VXORPS Y5, Y5, Y5        // mad
	XORQ SI, SI
	CMPL OFF_MAD(AX), $0
	JNE  errsMadInit

errs:
	VMOVUPS OFF_AUX(AX)(SI*1), Y1
	VMULPS  Y1, Y3, Y1       // this_scale * l
	VADDPS  Y0, Y1, Y1       // + this_min
	VSUBPS  OFF_X(AX)(SI*1), Y1, Y1 // - x
	VMULPS  Y1, Y1, Y1
	VMULPS  OFF_W(AX)(SI*1), Y1, Y1
	VADDPS  Y1, Y5, Y5
	ADDQ $32, SI
	CMPQ SI, CX
	JNE  errs
	JMP  errsDone

errsMadInit:
	VBROADCASTSS qkxAbs<>(SB), Y4

errsMad:
	VMOVUPS OFF_AUX(AX)(SI*1), Y1
	VMULPS  Y1, Y3, Y1       // this_scale * l
	VADDPS  Y0, Y1, Y1       // + this_min
	VSUBPS  OFF_X(AX)(SI*1), Y1, Y1 // - x
	VANDPS  Y4, Y1, Y1       // |d|
	VMULPS  OFF_W(AX)(SI*1), Y1, Y1
	VADDPS  Y1, Y5, Y5
	ADDQ $32, SI
	CMPQ SI, CX
	JNE  errsMad

errsDone:
	VCMPPS  $0x11, Y9, Y5, Y1 // mad < best (LT_OQ)
	VANDPS  Y2, Y1, Y1
	VMOVMSKPS Y1, BX
	TESTL BX, BX
	JZ   next
	VBLENDVPS Y1, Y5, Y9, Y9
	VBLENDVPS Y1, Y0, Y8, Y8
	VMOVUPS OFF_SCALE(AX), Y2
	VBLENDVPS Y1, Y3, Y2, Y2
	VMOVUPS Y2, OFF_SCALE(AX)
	XORQ SI, SI

take:
	VMOVUPS OFF_L(AX)(SI*1), Y2
	VBLENDVPS Y1, OFF_AUX(AX)(SI*1), Y2, Y2
	VMOVUPS Y2, OFF_L(AX)(SI*1)
	ADDQ $32, SI
	CMPQ SI, CX
	JNE  take

next:
	INCQ DX
	CMPQ DX, OFF_NNUM(AX)
	JLT  cand

finish:
	// Degenerate lanes (max == min): scale 0 and L 0.
	VMOVUPS OFF_NONDEG(AX), Y2
	VMOVMSKPS Y2, BX
	CMPL BX, $0xff
	JEQ  done
	VMOVUPS OFF_SCALE(AX), Y0
	VANDPS  Y2, Y0, Y0
	VMOVUPS Y0, OFF_SCALE(AX)
	XORQ SI, SI

zero:
	VMOVUPS OFF_L(AX)(SI*1), Y0
	VANDPS  Y2, Y0, Y0
	VMOVUPS Y0, OFF_L(AX)(SI*1)
	ADDQ $32, SI
	CMPQ SI, CX
	JNE  zero

done:
	VBROADCASTSS qkxSign<>(SB), Y0
	VXORPS  Y0, Y8, Y8       // the_min = -min
	VMOVUPS Y8, OFF_THEMIN(AX)
	VZEROUPPER
	RET
