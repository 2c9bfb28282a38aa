package main

import "fmt"

// Offsets in one super-block of a 16-row interleaved Q6_K panel (see
// kernels/mul_q6k16.go): d as float32 per row, the 16 signed sub-block
// scales as one byte per row and sub-block, the offset pairs
// (−32·sc[2j], −32·sc[2j+1]) as int16 per row, then the 6-bit codes
// unpacked to bytes in 64 units: unit u holds, for each row r, the codes
// of values 4u…4u+3 of its block at 4r.
const (
	q6k16D      = 0
	q6k16Scales = 64
	q6k16Pairs  = 320
	q6k16Codes  = 832
	q6k16Block  = 4928
)

// q6k16 writes the Q6_K tile on a 16-row interleaved panel,
// func(nb int, w, a *byte, aStride int, out *float32, ldo int), for T
// tokens (1..4): every int32 lane is one weight row. Per sub-block and
// token, VPDPBUSD with the activations' four bytes broadcast sums the
// codes' products (|sum| ≤ 16·63·128, so int32 lanes), VPMULLD weights
// that by the sub-block's signed scale into sumi; the −32 offset enters
// sumi by VPDPWSSD of the (−32·sc, −32·sc) pairs with a broadcast bsum
// pair. The integer sum is exact (wrapping as the Go twin's int32 does),
// and per super-block the float32 fold is kqCombine's, lane by lane, so
// the outputs equal the other kernels' bit for bit.
// Registers: facc Z0.., sumi Z4.., temporaries Z12.. and Z24.. (even and
// odd sub-blocks); Z16 codes, Z19/Z28 scales, Z20 offset pairs, Z29 d,
// Z22/Z23 fold temporaries. SI walks the panel, DI R8 R9 R10 the tokens'
// Q8_K rows.
func q6k16(T int) {
	name := fmt.Sprintf("q6kTile16_%d", T)
	fmt.Fprintf(&out, "\n// func %s(nb int, w, a *byte, aStride int, out *float32, ldo int)\n", name)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-48\n", name)
	p("MOVQ nb+0(FP), CX")
	p("MOVQ w+8(FP), SI")
	p("MOVQ a+16(FP), DI")
	p("MOVQ aStride+24(FP), R11")
	tok := []string{"DI", "R8", "R9", "R10"}
	for t := 1; t < T; t++ {
		p("LEAQ (%s)(R11*1), %s", tok[t-1], tok[t])
	}
	for t := 0; t < T; t++ {
		p("VPXORD Z%d, Z%d, Z%d", t, t, t)
	}
	label(name + "_loop")
	for t := 0; t < T; t++ {
		p("VPXORD Z%d, Z%d, Z%d", 4+t, 4+t, 4+t)
	}
	for j := 0; j < 8; j++ {
		p("VMOVDQU32 %d(SI), Z20", q6k16Pairs+64*j)
		for t := 0; t < T; t++ {
			p("VPDPWSSD.BCST %d(%s), Z20, Z%d", 260+4*j, tok[t], 4+t)
		}
	}
	for s := 0; s < 16; s++ {
		tmp, sc := 12, 19
		if s%2 == 1 {
			tmp, sc = 24, 28
		}
		p("VPMOVSXBD %d(SI), Z%d", q6k16Scales+16*s, sc)
		for t := 0; t < T; t++ {
			p("VPXORD Z%d, Z%d, Z%d", tmp+t, tmp+t, tmp+t)
		}
		for q := 0; q < 4; q++ {
			u := 4*s + q
			p("VMOVDQU32 %d(SI), Z16", q6k16Codes+64*u)
			for t := 0; t < T; t++ {
				p("VPDPBUSD.BCST %d(%s), Z16, Z%d", 4+4*u, tok[t], tmp+t)
			}
		}
		for t := 0; t < T; t++ {
			p("VPMULLD Z%d, Z%d, Z%d", sc, tmp+t, tmp+t)
			p("VPADDD Z%d, Z%d, Z%d", tmp+t, 4+t, 4+t)
		}
	}
	p("VMOVUPS %d(SI), Z29", q6k16D)
	for t := 0; t < T; t++ {
		p("VMULPS.BCST (%s), Z29, Z22", tok[t])
		p("VCVTDQ2PS Z%d, Z23", 4+t)
		p("VMULPS Z23, Z22, Z22")
		p("VADDPS Z22, Z%d, Z%d", t, t)
	}
	p("ADDQ $%d, SI", q6k16Block)
	for t := 0; t < T; t++ {
		p("ADDQ $%d, %s", q8kBlock, tok[t])
	}
	p("DECQ CX")
	p("JNZ %s_loop", name)
	p("MOVQ out+32(FP), AX")
	p("MOVQ ldo+40(FP), BX")
	p("SHLQ $2, BX")
	for t := 0; t < T; t++ {
		if t > 0 {
			p("ADDQ BX, AX")
		}
		p("VMOVUPS Z%d, (AX)", t)
	}
	p("VZEROUPPER")
	p("RET")
}
