package main

import "fmt"

// Offsets in one super-block of a 16-row interleaved Q4_K panel (see
// kernels/mul_kq16.go): d and dmin as float32 per row, the 6-bit scales
// as one byte per row and sub-block, the mins as an int16 pair (m, m) per
// row and sub-block, then the codes in 32 units: unit 8c+q holds, for
// each row r, the four packed bytes qs[32c+4q…32c+4q+3] of its block at
// 4r (low nibbles: values 64c+4q…, sub-block 2c; high nibbles: values
// 64c+32+4q…, sub-block 2c+1).
const (
	kq16D      = 0
	kq16Dmin   = 64
	kq16Scales = 128
	kq16Mins   = 256
	kq16Codes  = 768
	kq16Block  = 2816
	q8kBlock   = 292 // bytes of one Q8_K block: d, 256 values, 16 bsums
)

// kq16 writes the Q4_K tile on a 16-row interleaved panel,
// func(nb int, w, a *byte, aStride int, out *float32, ldo int), for T
// tokens (1..4): every int32 lane is one weight row, so the sums need no
// horizontal reduction. Per unit and token, VPDPBUSD with the
// activations' four bytes broadcast adds the low and the high nibbles'
// products into two temporaries; every four units (16 values a side:
// |sum| ≤ 16·15·127, so a lane's low word holds it) VPDPWSSD multiplies
// them by their sub-blocks' scales (the high word meets a zero) into sumi;
// the mins meet the bsums by VPDPWSSD of (m, m) with a broadcast bsum pair
// into summ; per super-block the float32 fold is kqCombine's, lane by
// lane, so the outputs equal the other kernels' bit for bit.
// Registers: facc Z0.., sumi Z4.., summ Z8.., low temporaries Z12..,
// high ones Z24..; Z16 packed codes, Z17/Z18 low/high nibbles, Z19/Z28
// scales, Z20 mins, Z21 0x0F bytes, Z29/Z30 d/dmin, Z22/Z23 fold
// temporaries. SI walks the panel, DI R8 R9 R10 the tokens' Q8_K rows.
func kq16(T int) {
	name, tok := tile16Head("q4kTile16", T)
	p("MOVL $0x0f0f0f0f, AX")
	p("VPBROADCASTD AX, Z21")
	label(name + "_loop")
	for t := 0; t < T; t++ {
		p("VPXORD Z%d, Z%d, Z%d", 4+t, 4+t, 4+t)
		p("VPXORD Z%d, Z%d, Z%d", 8+t, 8+t, 8+t)
	}
	for c := 0; c < 4; c++ { // 64-value chunks: sub-blocks 2c (low) and 2c+1 (high)
		p("VPMOVZXBD %d(SI), Z19", kq16Scales+16*2*c)
		p("VPMOVZXBD %d(SI), Z28", kq16Scales+16*(2*c+1))
		for j := 2 * c; j <= 2*c+1; j++ {
			p("VMOVDQU32 %d(SI), Z20", kq16Mins+64*j)
			for t := 0; t < T; t++ {
				p("VPDPWSSD.BCST %d(%s), Z20, Z%d", 260+4*j, tok[t], 8+t)
			}
		}
		for h := 0; h < 2; h++ { // 16 values a side
			for t := 0; t < T; t++ {
				p("VPXORD Z%d, Z%d, Z%d", 12+t, 12+t, 12+t)
				p("VPXORD Z%d, Z%d, Z%d", 24+t, 24+t, 24+t)
			}
			for q := 4 * h; q < 4*h+4; q++ {
				u := 8*c + q
				p("VMOVDQU32 %d(SI), Z16", kq16Codes+64*u)
				p("VPANDD Z21, Z16, Z17")
				p("VPSRLW $4, Z16, Z18")
				p("VPANDD Z21, Z18, Z18")
				for t := 0; t < T; t++ {
					p("VPDPBUSD.BCST %d(%s), Z17, Z%d", 4+64*c+4*q, tok[t], 12+t)
					p("VPDPBUSD.BCST %d(%s), Z18, Z%d", 36+64*c+4*q, tok[t], 24+t)
				}
			}
			for t := 0; t < T; t++ {
				p("VPDPWSSD Z19, Z%d, Z%d", 12+t, 4+t)
				p("VPDPWSSD Z28, Z%d, Z%d", 24+t, 4+t)
			}
		}
	}
	p("VMOVUPS %d(SI), Z29", kq16D)
	p("VMOVUPS %d(SI), Z30", kq16Dmin)
	for t := 0; t < T; t++ {
		p("VMULPS.BCST (%s), Z29, Z22", tok[t])
		p("VCVTDQ2PS Z%d, Z23", 4+t)
		p("VMULPS Z23, Z22, Z22")
		p("VADDPS Z22, Z%d, Z%d", t, t)
		p("VMULPS.BCST (%s), Z30, Z22", tok[t])
		p("VCVTDQ2PS Z%d, Z23", 8+t)
		p("VMULPS Z23, Z22, Z22")
		p("VSUBPS Z22, Z%d, Z%d", t, t)
	}
	tile16Tail(name, T, kq16Block, tok)
}

// kq16Pack writes packQ4K16Codes(nb int, w *byte, wStride int, dst
// *byte): d, dmin (VCVTPH2PS) and the code units of nb super-blocks of a
// 16-row Q4_K panel (the Go packer writes scales and mins). A row's 128
// packed bytes are 32 dwords, each unit's share, so two VPSCATTERDD
// (indices 64·i, q6kPackIdx) put them in place.
func kq16Pack() {
	name := "packQ4K16Codes"
	fmt.Fprintf(&out, "\n// func %s(nb int, w *byte, wStride int, dst *byte)\n", name)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-32\n", name)
	p("MOVQ nb+0(FP), CX")
	p("MOVQ w+8(FP), SI")
	p("MOVQ wStride+16(FP), R11")
	p("MOVQ dst+24(FP), DI")
	p("VMOVDQU64 q6kPackIdx<>(SB), Z24")
	label(name + "_block")
	p("MOVQ SI, R8")
	p("MOVQ DI, R10")
	p("LEAQ %d(DI), R9", kq16Codes)
	p("MOVQ $16, DX")
	label(name + "_row")
	p("MOVL (R8), AX")
	p("VMOVD AX, X8")
	p("VCVTPH2PS X8, X8")
	p("VMOVSS X8, %d(R10)", kq16D)
	p("VEXTRACTPS $1, X8, %d(R10)", kq16Dmin)
	p("VMOVDQU64 16(R8), Z0")
	p("VMOVDQU64 80(R8), Z1")
	p("KXNORW K1, K1, K1")
	p("VPSCATTERDD Z0, K1, (R9)(Z24*1)")
	p("KXNORW K2, K2, K2")
	p("VPSCATTERDD Z1, K2, 1024(R9)(Z24*1)")
	p("ADDQ R11, R8")
	p("ADDQ $4, R9")
	p("ADDQ $4, R10")
	p("DECQ DX")
	p("JNZ %s_row", name)
	p("ADDQ $144, SI")
	p("ADDQ $%d, DI", kq16Block)
	p("DECQ CX")
	p("JNZ %s_block", name)
	p("VZEROUPPER")
	p("RET")
}
