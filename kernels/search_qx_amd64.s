//go:build amd64 && !purego

#include "textflag.h"

// Offsets of the qx8Args fields (see search_qx8.go).
#define OFF_X 0
#define OFF_W 512
#define OFF_WX 1024
#define OFF_L 1536
#define OFF_SCALE 2048
#define OFF_SMALL 2080
#define OFF_NUM 2112
#define OFF_NEGNMAX 2184
#define OFF_NMAX 2188

DATA qxMagic<>+0(SB)/4, $0x4b400000 // 12582912.0 = 1.5·2^23
GLOBL qxMagic<>(SB), RODATA|NOPTR, $4
DATA qxMant<>+0(SB)/4, $0x007fffff
GLOBL qxMant<>(SB), RODATA|NOPTR, $4
DATA qxHalf<>+0(SB)/4, $0x00400000
GLOBL qxHalf<>(SB), RODATA|NOPTR, $4
DATA qxAbs<>+0(SB)/4, $0x7fffffff
GLOBL qxAbs<>(SB), RODATA|NOPTR, $4
DATA qxEps<>+0(SB)/4, $0x26901d7d // 1e-15f (GROUP_MAX_EPS)
GLOBL qxEps<>(SB), RODATA|NOPTR, $4

// NEAREST turns the products p in r into int32 codes
// clamp(nearest_int(p), -nmax, nmax-1). Needs Y15 = magic, Y14 = 0x7fffff,
// Y13 = 0x400000, Y12 = -nmax (int32), Y11 = nmax-1 (int32).
#define NEAREST(r) \
	VADDPS  Y15, r, r; \
	VPAND   Y14, r, r; \
	VPSUBD  Y13, r, r; \
	VPMAXSD Y12, r, r; \
	VPMINSD Y11, r, r

// ELEM adds element at byte offset off to Σw·x·l (Y5) and Σw·l·l (Y4) for
// the inverse scale in Y6.
#define ELEM(off) \
	VMULPS  (OFF_X+off)(AX), Y6, Y0; \
	NEAREST(Y0); \
	VCVTDQ2PS Y0, Y0; \
	VMULPS  (OFF_WX+off)(AX), Y0, Y1; \
	VADDPS  Y1, Y5, Y5; \
	VMULPS  (OFF_W+off)(AX), Y0, Y2; \
	VMULPS  Y0, Y2, Y2; \
	VADDPS  Y2, Y4, Y4

// SUMS computes sumlx (Y5) and suml2 (Y4) in element order from +0.
#define SUMS \
	VXORPS Y5, Y5, Y5; \
	VXORPS Y4, Y4, Y4; \
	ELEM(0); ELEM(32); ELEM(64); ELEM(96); \
	ELEM(128); ELEM(160); ELEM(192); ELEM(224); \
	ELEM(256); ELEM(288); ELEM(320); ELEM(352); \
	ELEM(384); ELEM(416); ELEM(448); ELEM(480)

// func qxSearch8AVX2(a *qx8Args)
//
// Registers: AX = a, SI = byte offset of row i, DX = candidate index,
// Y10 = max, Y9 = best, Y8 = scale, Y7 = best iscale, Y6 = iscale,
// Y11..Y15 constants.
TEXT ·qxSearch8AVX2(SB), NOSPLIT, $0-8
	MOVQ a+0(FP), AX
	VBROADCASTSS qxMagic<>(SB), Y15
	VPBROADCASTD qxMant<>(SB), Y14
	VPBROADCASTD qxHalf<>(SB), Y13
	VPBROADCASTD OFF_NMAX(AX), Y11
	VPXOR   Y12, Y12, Y12
	VPSUBD  Y11, Y12, Y12        // -nmax
	VPCMPEQD Y0, Y0, Y0
	VPADDD  Y0, Y11, Y11         // nmax - 1
	VBROADCASTSS qxAbs<>(SB), Y3

	// max (signed value of the largest |x|), amax, and w·x.
	VXORPS Y10, Y10, Y10         // max
	VXORPS Y9, Y9, Y9            // amax
	XORQ SI, SI

stats:
	VMOVUPS OFF_X(AX)(SI*1), Y0
	VANDPS  Y3, Y0, Y1           // |x|
	VCMPPS  $0x11, Y1, Y9, Y2    // amax < |x| (LT_OQ)
	VBLENDVPS Y2, Y1, Y9, Y9
	VBLENDVPS Y2, Y0, Y10, Y10
	VMULPS  OFF_W(AX)(SI*1), Y0, Y1
	VMOVUPS Y1, OFF_WX(AX)(SI*1)
	ADDQ $32, SI
	CMPQ SI, $512
	JNE  stats

	VBROADCASTSS qxEps<>(SB), Y0
	VCMPPS  $0x11, Y0, Y9, Y0    // amax < eps
	VMOVUPS Y0, OFF_SMALL(AX)

	// First candidate: iscale = -nmax / max.
	VBROADCASTSS OFF_NEGNMAX(AX), Y6
	VDIVPS  Y10, Y6, Y6
	SUMS
	VDIVPS  Y4, Y5, Y8           // sumlx / suml2
	VXORPS  Y3, Y3, Y3
	VCMPPS  $4, Y3, Y4, Y0       // suml2 != 0 (NEQ_UQ)
	VANDPS  Y0, Y8, Y8           // scale, 0 where suml2 == 0
	VMULPS  Y5, Y8, Y9           // best = scale * sumlx
	VMOVUPS Y6, Y7               // best iscale

	XORQ DX, DX

cand:
	VBROADCASTSS OFF_NUM(AX)(DX*4), Y6
	VDIVPS  Y10, Y6, Y6          // iscale = -(nmax + 0.1·is) / max
	SUMS
	VXORPS  Y3, Y3, Y3
	VCMPPS  $0x11, Y4, Y3, Y0    // 0 < suml2 (LT_OQ)
	VMULPS  Y4, Y9, Y1           // best * suml2
	VMULPS  Y5, Y5, Y2           // sumlx * sumlx
	VCMPPS  $0x11, Y2, Y1, Y1    // best*suml2 < sumlx*sumlx
	VANDPS  Y0, Y1, Y1
	VDIVPS  Y4, Y5, Y2           // sumlx / suml2
	VMULPS  Y5, Y2, Y3           // its best
	VBLENDVPS Y1, Y2, Y8, Y8
	VBLENDVPS Y1, Y3, Y9, Y9
	VBLENDVPS Y1, Y6, Y7, Y7
	INCQ DX
	CMPQ DX, $18
	JLT  cand

	// Codes from the best iscale; lanes with amax < eps get L = 0, scale 0.
	VMOVUPS OFF_SMALL(AX), Y3
	VANDNPS Y8, Y3, Y8
	VMOVUPS Y8, OFF_SCALE(AX)
	XORQ SI, SI

codes:
	VMULPS  OFF_X(AX)(SI*1), Y7, Y0
	NEAREST(Y0)
	VPSUBD  Y12, Y0, Y0          // + nmax
	VANDNPS Y0, Y3, Y0
	VMOVUPS Y0, OFF_L(AX)(SI*1)
	ADDQ $32, SI
	CMPQ SI, $512
	JNE  codes

	VZEROUPPER
	RET
