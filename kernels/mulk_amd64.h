// Macros shared by the K-quant matrix microkernels (mulk_*_amd64.s).

// HSUM4 reduces the int32 lanes of ya to four lanes in xa. Clobbers xt.
#define HSUM4(ya, xa, xt) \
	VEXTRACTI128 $1, ya, xt; \
	VPADDD xt, xa, xa

// TRANS4 reduces the eight int32 lanes of each of ya, yb, yc, yd to one
// sum each, in the four lanes of xa (exact; clobbers yb, yc, yd, xt).
#define TRANS4(ya, yb, yc, yd, xa, xt) \
	VPHADDD yb, ya, ya; \
	VPHADDD yd, yc, yc; \
	VPHADDD yc, ya, ya; \
	VEXTRACTI128 $1, ya, xt; \
	VPADDD xt, xa, xa

// KQSUMI4 reduces the per-token sums Y0-Y3 to the four float32 lanes of
// X0 (exact int32 sums, then converted). Clobbers Y1-Y3, X7.
#define KQSUMI4 \
	TRANS4(Y0, Y1, Y2, Y3, X0, X7); \
	VCVTDQ2PS X0, X0

// DA4 gathers the four Q8_K scales into X1.
#define DA4 \
	VMOVSS 0(DI), X1; \
	VINSERTPS $0x10, 0(R8), X1, X1; \
	VINSERTPS $0x20, 0(R9), X1, X1; \
	VINSERTPS $0x30, 0(R10), X1, X1

// BCAST sets every int32 lane of y (and x) to val. Clobbers AX.
#define BCAST(val, x, y) \
	MOVL val, AX; \
	VMOVD AX, x; \
	VPBROADCASTD x, y

// NIBMASK sets Y15 to 0x0F in every byte. Clobbers AX.
#define NIBMASK \
	MOVL $0x0f0f0f0f, AX; \
	VMOVD AX, X15; \
	VPBROADCASTD X15, Y15

// ARGS4 loads the arguments (w, a *byte, aStride, nb int, acc) of a
// four-token microkernel: SI weights, DI R8 R9 R10 the four Q8_K rows, CX
// the block count.
#define ARGS4 \
	MOVQ w+0(FP), SI; \
	MOVQ a+8(FP), DI; \
	MOVQ aStride+16(FP), R8; \
	MOVQ nb+24(FP), CX; \
	LEAQ (DI)(R8*2), R9; \
	LEAQ (R9)(R8*1), R10; \
	ADDQ DI, R8

// NEXT4 steps SI by one weight block of wb bytes and the four Q8_K rows
// by one block.
#define NEXT4(wb) \
	ADDQ $wb, SI; \
	ADDQ $292, DI; \
	ADDQ $292, R8; \
	ADDQ $292, R9; \
	ADDQ $292, R10

// HSUM1 reduces the int32 lanes of ya to lane 0 of xa, converted to
// float32. Clobbers xt.
#define HSUM1(ya, xa, xt) \
	HSUM4(ya, xa, xt); \
	VPHADDD xa, xa, xa; \
	VPHADDD xa, xa, xa; \
	VCVTDQ2PS xa, xa

// TRANS8 reduces the eight int32 lanes of each of a…h to one sum each,
// in the eight lanes of a in that order (exact; clobbers b-h).
#define TRANS8(a, b, c, d, e, f, g, h) \
	VPHADDD b, a, a; \
	VPHADDD d, c, c; \
	VPHADDD f, e, e; \
	VPHADDD h, g, g; \
	VPHADDD c, a, a; \
	VPHADDD g, e, e; \
	VPERM2I128 $0x20, e, a, b; \
	VPERM2I128 $0x31, e, a, a; \
	VPADDD b, a, a

// DA8 gathers the eight Q8_K scales of the blocks at DI, R8, R9, R10 and
// the same plus R13 into Y2. Clobbers X3.
#define DA8 \
	VMOVSS 0(DI), X2; \
	VINSERTPS $0x10, 0(R8), X2, X2; \
	VINSERTPS $0x20, 0(R9), X2, X2; \
	VINSERTPS $0x30, 0(R10), X2, X2; \
	VMOVSS 0(DI)(R13*1), X3; \
	VINSERTPS $0x10, 0(R8)(R13*1), X3, X3; \
	VINSERTPS $0x20, 0(R9)(R13*1), X3, X3; \
	VINSERTPS $0x30, 0(R10)(R13*1), X3, X3; \
	VINSERTF128 $1, X3, Y2, Y2

// ARGS8 is ARGS4 for an eight-token kernel; tokens 4-7 are read at DI,
// R8, R9, R10 plus R13 = 4·aStride.
#define ARGS8 \
	ARGS4; \
	MOVQ aStride+16(FP), R13; \
	SHLQ $2, R13

// ARGS1 loads the arguments (w, a *byte, nb int) of a one-token kernel:
// SI weights, DI the Q8_K row, CX the block count.
// The one-token loops (ARGS1) start each super-block with PREFETCHT0
// 4096(SI): generation streams every weight once from DRAM, and fetching
// about four rows ahead hides the latency the hardware prefetcher leaves
// (measured: +35 % tokens/s on a 1B Q4_K_M model, 2 threads).
#define ARGS1 \
	MOVQ w+0(FP), SI; \
	MOVQ a+8(FP), DI; \
	MOVQ nb+16(FP), CX

// NEXT1 steps to the next weight block (wb bytes) and Q8_K block, and
// loops to label while blocks remain.
#define NEXT1(wb, label) \
	ADDQ $wb, SI; \
	ADDQ $292, DI; \
	DECQ CX; \
	JNZ  label

// LOOP4 is NEXT1 for the four-token (and eight-token) kernels.
#define LOOP4(wb, label) \
	NEXT4(wb); \
	DECQ CX; \
	JNZ  label

// ACC1, ACC4 and ACC8 load the running sums the kernel continues from:
// its acc argument (a float32, [4]float32 or [8]float32).
#define ACC1(x) \
	VMOVSS acc+24(FP), x

#define ACC4(x) \
	VMOVUPS acc+32(FP), x

#define ACC8(y) \
	VMOVUPS acc+32(FP), y

// RET1 returns the float32 in lane 0 of acc (a one-token kernel).
#define RET1(acc) \
	VMOVSS acc, ret+32(FP); \
	VZEROUPPER; \
	RET

// RET4 returns the four float32 lanes of acc.
#define RET4(acc) \
	VMOVUPS acc, ret+48(FP); \
	VZEROUPPER; \
	RET

// ZERO4 and ZERO8 clear the int32 sums of four tokens (Y0-Y3) and eight
// (and Y16-Y19).
#define ZERO4 \
	VPXOR Y0, Y0, Y0; \
	VPXOR Y1, Y1, Y1; \
	VPXOR Y2, Y2, Y2; \
	VPXOR Y3, Y3, Y3

#define ZERO8 \
	ZERO4; \
	VPXORD Y16, Y16, Y16; \
	VPXORD Y17, Y17, Y17; \
	VPXORD Y18, Y18, Y18; \
	VPXORD Y19, Y19, Y19

// AVX-VNNI (VEX-encoded VPDPWSSD, which the Go assembler does not know)
// for the sums Y0-Y3 (n = 0…3): DPW_a_b(n) is VPDPWSSD Ya, Yb, Yn, i.e.
// Yn += Σ pairs of int16 Yb·Ya. Encoding C4 RXB.0F38 W.vvvv.L.66 52 /r.
#define DPW_9_11(n) \
	BYTE $0xC4; BYTE $0xC2; BYTE $0x25; BYTE $0x52; BYTE $(0xC0|((n)<<3)|1)

#define DPW_10_12(n) \
	BYTE $0xC4; BYTE $0xC2; BYTE $0x1D; BYTE $0x52; BYTE $(0xC0|((n)<<3)|2)

#define DPW_6_7(n) \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x45; BYTE $0x52; BYTE $(0xC0|((n)<<3)|6)
