//go:build amd64 && !purego

#include "textflag.h"

// Offsets of the iq4x8Args fields (see search_iq4x8.go).
#define OFF_X 0
#define OFF_W 1024
#define OFF_SCALE 2048

DATA iq4Abs<>+0(SB)/4, $0x7fffffff
GLOBL iq4Abs<>(SB), RODATA|NOPTR, $4
DATA iq4Eps<>+0(SB)/4, $0x26901d7d // 1e-15f (GROUP_MAX_EPS)
GLOBL iq4Eps<>(SB), RODATA|NOPTR, $4
DATA iq4One<>+0(SB)/4, $0x3f800000 // 1.0f
GLOBL iq4One<>(SB), RODATA|NOPTR, $4

// func iq4Search8AVX2(a *iq4x8Args, mid *[15][8]float32, num *[15]float32, vals *[16]float32)
//
// Registers: AX = a, BX = mid, CX = num, DI = vals, SI = byte offset of
// row i, DX = candidate index (−1 for the first pass), Y10 = max,
// Y9 = best, Y8 = d, Y6 = inverse scale, Y5 = sumqx, Y4 = sumq2,
// Y14 = lanes with amax < eps, Y15 = 0.
TEXT ·iq4Search8AVX2(SB), NOSPLIT, $0-32
	MOVQ a+0(FP), AX
	MOVQ mid+8(FP), BX
	MOVQ num+16(FP), CX
	MOVQ vals+24(FP), DI
	VXORPS Y15, Y15, Y15
	VBROADCASTSS iq4Abs<>(SB), Y12

	// max (signed value of the largest |x|) and amax, as absMaxSigned.
	VXORPS Y10, Y10, Y10         // max
	VXORPS Y9, Y9, Y9            // amax
	XORQ SI, SI

stats:
	VMOVUPS OFF_X(AX)(SI*1), Y0
	VANDPS  Y12, Y0, Y1          // |x|
	VCMPPS  $0x11, Y1, Y9, Y2    // amax < |x| (LT_OQ)
	VBLENDVPS Y2, Y1, Y9, Y9
	VBLENDVPS Y2, Y0, Y10, Y10
	ADDQ $32, SI
	CMPQ SI, $1024
	JNE  stats

	VBROADCASTSS iq4Eps<>(SB), Y0
	VCMPPS  $0x11, Y0, Y9, Y14   // amax < eps

	// First pass: d = -max / vals[0], inverse scale 1/d.
	VPCMPEQD Y0, Y0, Y0
	VPSLLD  $31, Y0, Y0          // sign bit
	VXORPS  Y0, Y10, Y1          // -max
	VBROADCASTSS (DI), Y0
	VDIVPS  Y0, Y1, Y8           // d
	VBROADCASTSS iq4One<>(SB), Y0
	VDIVPS  Y8, Y0, Y6           // 1/d
	MOVQ $-1, DX

cand:
	VXORPS Y5, Y5, Y5
	VXORPS Y4, Y4, Y4
	XORQ SI, SI

elems:
	VMULPS  OFF_X(AX)(SI*1), Y6, Y0 // p = id*x
	// Y1 = −index: minus the number of midpoints p is not below.
	VCMPPS  $0x15, 0(BX), Y0, Y1 // !(p < mid) (NLT_UQ)
	VCMPPS  $0x15, 32(BX), Y0, Y2
	VPADDD  Y2, Y1, Y1
	VCMPPS  $0x15, 64(BX), Y0, Y2
	VPADDD  Y2, Y1, Y1
	VCMPPS  $0x15, 96(BX), Y0, Y2
	VPADDD  Y2, Y1, Y1
	VCMPPS  $0x15, 128(BX), Y0, Y2
	VPADDD  Y2, Y1, Y1
	VCMPPS  $0x15, 160(BX), Y0, Y2
	VPADDD  Y2, Y1, Y1
	VCMPPS  $0x15, 192(BX), Y0, Y2
	VPADDD  Y2, Y1, Y1
	VCMPPS  $0x15, 224(BX), Y0, Y7 // mid 7: idx >= 8
	VPADDD  Y7, Y1, Y1
	VCMPPS  $0x15, 256(BX), Y0, Y2
	VPADDD  Y2, Y1, Y1
	VCMPPS  $0x15, 288(BX), Y0, Y2
	VPADDD  Y2, Y1, Y1
	VCMPPS  $0x15, 320(BX), Y0, Y2
	VPADDD  Y2, Y1, Y1
	VCMPPS  $0x15, 352(BX), Y0, Y2
	VPADDD  Y2, Y1, Y1
	VCMPPS  $0x15, 384(BX), Y0, Y2
	VPADDD  Y2, Y1, Y1
	VCMPPS  $0x15, 416(BX), Y0, Y2
	VPADDD  Y2, Y1, Y1
	VCMPPS  $0x15, 448(BX), Y0, Y2
	VPADDD  Y2, Y1, Y1
	VPSUBD  Y1, Y15, Y1          // index
	VPERMPS (DI), Y1, Y2         // vals[index & 7]
	VPERMPS 32(DI), Y1, Y3       // vals[8 + index & 7]
	VBLENDVPS Y7, Y3, Y2, Y3     // q
	VMULPS  OFF_W(AX)(SI*1), Y3, Y2 // wq = w*q
	VMULPS  OFF_X(AX)(SI*1), Y2, Y11
	VADDPS  Y11, Y5, Y5          // sumqx += wq*x
	VMULPS  Y3, Y2, Y2
	VADDPS  Y2, Y4, Y4           // sumq2 += wq*q
	ADDQ $32, SI
	CMPQ SI, $1024
	JNE  elems

	TESTQ DX, DX
	JNS  accept
	VDIVPS  Y4, Y5, Y8           // d = sumqx/sumq2
	VMULPS  Y5, Y8, Y9           // best = d*sumqx
	JMP  next

accept:
	VCMPPS  $0x11, Y4, Y15, Y0   // 0 < sumq2 (LT_OQ)
	VMULPS  Y4, Y9, Y1           // best * sumq2
	VMULPS  Y5, Y5, Y2           // sumqx * sumqx
	VCMPPS  $0x11, Y2, Y1, Y1    // best*sumq2 < sumqx*sumqx
	VANDPS  Y0, Y1, Y1
	VDIVPS  Y4, Y5, Y2           // sumqx / sumq2
	VMULPS  Y5, Y2, Y3           // its best
	VBLENDVPS Y1, Y2, Y8, Y8
	VBLENDVPS Y1, Y3, Y9, Y9

next:
	INCQ DX
	CMPQ DX, $15
	JGE  done
	VBROADCASTSS (CX)(DX*4), Y6
	VDIVPS  Y10, Y6, Y6          // id = num / max
	JMP  cand

done:
	VANDNPS Y8, Y14, Y8          // 0 where amax < eps
	VMOVUPS Y8, OFF_SCALE(AX)
	VZEROUPPER
	RET
