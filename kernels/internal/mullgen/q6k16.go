package main

import "fmt"

// Offsets in one super-block of a 16-row interleaved Q6_K panel (see
// kernels/mul_q6k16.go): d as float32 per row, the signed sub-block
// scales in pairs (sc[2j], sc[2j+1]) as int16 per row, then the 6-bit
// codes unpacked to bytes in 64 units: unit u holds, for each row r, the
// codes of values 4u…4u+3 of its block at 4r.
const (
	q6k16D     = 0
	q6k16Pairs = 64
	q6k16Codes = 576
	q6k16Block = 4672
)

// q6k16 writes the Q6_K tile on a 16-row interleaved panel,
// func(nb int, w, a *byte, aStride int, out *float32, ldo int), for T
// tokens (1..4): every int32 lane is one weight row. Per sub-block and
// token, VPDPBUSD with the activations' four bytes broadcast sums the
// codes' products (|sum| ≤ 16·63·128, so int32 lanes), VPMULLD weights
// that by the sub-block's signed scale (a half of the pair, sign-extended)
// into sumi; VPDPWSSD of the scale pairs with a broadcast bsum pair sums
// Σ sc·bsum into summ, and sumi −= 32·summ is the offset. The integer sum
// is exact (wrapping as the Go twin's int32 does), and per super-block the
// float32 fold is kqCombine's, lane by lane, so the outputs equal the
// other kernels' bit for bit.
// Registers: facc Z0.., sumi Z4.., summ Z8.., temporaries Z12.. and
// Z24.. (even and odd sub-blocks); Z16 codes, Z19/Z28 scales, Z20 scale
// pairs, Z29 d, Z22/Z23 fold temporaries. SI walks the panel, DI R8 R9 R10 the tokens'
// Q8_K rows.
func q6k16(T int) {
	name, tok := tile16Head("q6kTile16", T)
	label(name + "_loop")
	for t := 0; t < T; t++ {
		p("VPXORD Z%d, Z%d, Z%d", 4+t, 4+t, 4+t)
	}
	for t := 0; t < T; t++ {
		p("VPXORD Z%d, Z%d, Z%d", 8+t, 8+t, 8+t)
	}
	for j := 0; j < 8; j++ {
		p("VMOVDQU32 %d(SI), Z20", q6k16Pairs+64*j)
		for t := 0; t < T; t++ {
			p("VPDPWSSD.BCST %d(%s), Z20, Z%d", 260+4*j, tok[t], 8+t)
		}
		p("VPSLLD $16, Z20, Z19")
		p("VPSRAD $16, Z19, Z19")
		p("VPSRAD $16, Z20, Z28")
		for s := 2 * j; s <= 2*j+1; s++ {
			tmp, sc := 12, 19
			if s%2 == 1 {
				tmp, sc = 24, 28
			}
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
	}
	for t := 0; t < T; t++ {
		p("VPSLLD $5, Z%d, Z%d", 8+t, 8+t)
		p("VPSUBD Z%d, Z%d, Z%d", 8+t, 4+t, 4+t)
	}
	p("VMOVUPS %d(SI), Z29", q6k16D)
	for t := 0; t < T; t++ {
		p("VMULPS.BCST (%s), Z29, Z22", tok[t])
		p("VCVTDQ2PS Z%d, Z23", 4+t)
		p("VMULPS Z23, Z22, Z22")
		p("VADDPS Z22, Z%d, Z%d", t, t)
	}
	tile16Tail(name, T, q6k16Block, tok)
}

// q6k16Pack writes packQ6K16Codes(nb int, w *byte, wStride int, dst
// *byte): nb super-blocks of a 16-row Q6_K panel. Per row, d goes by
// VCVTPH2PS and the scales, widened to words, by an eight-lane
// VPSCATTERDD of their pairs; per and half block, the 64 low
// nibbles of ql are values 128n…128n+63 in order and the high ones the
// next 64; qh, broadcast to both 256-bit halves, gives each its two high
// bits by a per-half word shift (VPSRLVW by 0/2 and 4/6); each dword
// (four values) then goes to its unit by VPSCATTERDD, 64 bytes apart.
func q6k16Pack() {
	words := func(name string, off int, f func(i int) int) {
		for i := 0; i < 64; i += 8 {
			var v uint64
			for j := 3; j >= 0; j-- {
				v = v<<16 | uint64(f((i+2*j)/2))
			}
			fmt.Fprintf(&out, "DATA %s<>+%d(SB)/8, $0x%016x\n", name, off+i, v)
		}
	}
	words("q6kPackCnt", 0, func(w int) int { return 2 * (w / 16) })
	words("q6kPackCnt", 64, func(w int) int { return 4 + 2*(w/16) })
	out.WriteString("GLOBL q6kPackCnt<>(SB), RODATA|NOPTR, $128\n")
	for i := 0; i < 16; i += 2 {
		fmt.Fprintf(&out, "DATA q6kPackIdx<>+%d(SB)/8, $0x%016x\n", 4*i, uint64(64*(i+1))<<32|uint64(64*i))
	}
	out.WriteString("GLOBL q6kPackIdx<>(SB), RODATA|NOPTR, $64\n")
	name := "packQ6K16Codes"
	fmt.Fprintf(&out, "\n// func %s(nb int, w *byte, wStride int, dst *byte)\n", name)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-32\n", name)
	p("MOVQ nb+0(FP), CX")
	p("MOVQ w+8(FP), SI")
	p("MOVQ wStride+16(FP), R11")
	p("MOVQ dst+24(FP), DI")
	p("MOVL $0x0f0f0f0f, AX")
	p("VPBROADCASTD AX, Z20")
	p("MOVL $0x30303030, AX")
	p("VPBROADCASTD AX, Z21")
	p("VMOVDQU64 q6kPackCnt<>+0(SB), Z22")
	p("VMOVDQU64 q6kPackCnt<>+64(SB), Z23")
	p("VMOVDQU64 q6kPackIdx<>(SB), Z24")
	label(name + "_block")
	p("MOVQ SI, R8")
	p("MOVQ DI, R10")
	p("LEAQ %d(DI), R9", q6k16Codes)
	p("MOVQ $16, DX")
	label(name + "_row")
	p("MOVWLZX 208(R8), AX")
	p("VMOVD AX, X8")
	p("VCVTPH2PS X8, X8")
	p("VMOVSS X8, %d(R10)", q6k16D)
	p("VPMOVSXBW 192(R8), Y9")
	p("MOVL $0xff, AX")
	p("KMOVW AX, K3")
	p("VPSCATTERDD Y9, K3, %d(R10)(Y24*1)", q6k16Pairs)
	p("VMOVDQU64 (R8), Z0")
	p("VMOVDQU64 64(R8), Z1")
	p("VBROADCASTI64X4 128(R8), Z2")
	p("VBROADCASTI64X4 160(R8), Z3")
	for n := 0; n < 2; n++ {
		p("VPANDD Z20, Z%d, Z4", n)
		p("VPSRLVW Z22, Z%d, Z5", 2+n)
		p("VPSLLW $4, Z5, Z5")
		p("VPANDD Z21, Z5, Z5")
		p("VPORD Z5, Z4, Z4")
		p("KXNORW K1, K1, K1")
		p("VPSCATTERDD Z4, K1, %d(R9)(Z24*1)", 2048*n)
		p("VPSRLW $4, Z%d, Z6", n)
		p("VPANDD Z20, Z6, Z6")
		p("VPSRLVW Z23, Z%d, Z7", 2+n)
		p("VPSLLW $4, Z7, Z7")
		p("VPANDD Z21, Z7, Z7")
		p("VPORD Z7, Z6, Z6")
		p("KXNORW K2, K2, K2")
		p("VPSCATTERDD Z6, K2, %d(R9)(Z24*1)", 2048*n+1024)
	}
	p("ADDQ R11, R8")
	p("ADDQ $4, R9")
	p("ADDQ $4, R10")
	p("DECQ DX")
	p("JNZ %s_row", name)
	p("ADDQ $210, SI")
	p("ADDQ $%d, DI", q6k16Block)
	p("DECQ CX")
	p("JNZ %s_block", name)
	p("VZEROUPPER")
	p("RET")
}
