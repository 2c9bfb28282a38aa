package main

import "fmt"

// The 16-row interleaved Q8_0 path (see kernels/mul_q8x16.go). A panel
// block (q8x16Block bytes) holds the 16 rows' scales as float32, then for
// each group i of four values 64 bytes: row r's four codes plus 128 (as
// unsigned bytes) at 4r. An activation block (q8x16Act bytes) holds the
// 32 int8 values, the scale as float32 and, per group, −128·Σ of its
// four values as int32.
const (
	q8x16Block = 576
	q8x16Act   = 68
)

// q8x16 writes the Q8_0 tile on a 16-row panel,
// func(nb int, w, a *byte, out *float32, ldo int), for T tokens (1, 2)
// whose activation blocks follow each other (nb·68 bytes a token). Every
// int32 lane is one row: per group, the sum starts at the activations'
// −128·Σa and VPDPBUSD adds (w+128)·a with the four values broadcast,
// giving the exact Σ w·a of the lane the 256-bit tiles form; it is
// converted and fused-multiply-added with ws·as into that group's
// accumulator, and the eight accumulators are summed as hsumStore does,
// so the outputs equal the other Q8_0 kernels' bit for bit.
// Registers: acc Z(8t+i), codes Z16-Z23, ws Z24, ws·as Z25+t, temporaries
// Z27-Z31.
func q8x16(T int) {
	name := fmt.Sprintf("q8Tile16_%d", T)
	q8Args(name)
	p("IMUL3Q $%d, CX, DX", q8x16Act)
	if T > 1 {
		p("LEAQ (DI)(DX*1), R10")
	}
	tok := []string{"DI", "R10"}
	for i := 0; i < 8*T; i++ {
		p("VPXORD Z%d, Z%d, Z%d", i, i, i)
	}
	label(name + "_loop")
	p("VMOVUPS (SI), Z24")
	for i := 0; i < 8; i++ {
		p("VMOVDQU32 %d(SI), Z%d", 64+64*i, 16+i)
	}
	for t := 0; t < T; t++ {
		p("VMULPS.BCST 32(%s), Z24, Z%d", tok[t], 25+t)
	}
	tmp := 0
	for i := 0; i < 8; i++ {
		for t := 0; t < T; t++ {
			z := 27 + tmp%5
			tmp++
			p("VPBROADCASTD %d(%s), Z%d", 36+4*i, tok[t], z)
			p("VPDPBUSD.BCST %d(%s), Z%d, Z%d", 4*i, tok[t], 16+i, z)
			p("VCVTDQ2PS Z%d, Z%d", z, z)
			p("VFMADD231PS Z%d, Z%d, Z%d", z, 25+t, 8*t+i)
		}
	}
	p("ADDQ $%d, SI", q8x16Block)
	for t := 0; t < T; t++ {
		p("ADDQ $%d, %s", q8x16Act, tok[t])
	}
	p("DECQ CX")
	p("JNZ %s_loop", name)
	for t := 0; t < T; t++ {
		a := 8 * t
		p("VADDPS Z%d, Z%d, Z%d", a+4, a, a)
		p("VADDPS Z%d, Z%d, Z%d", a+6, a+2, a+2)
		p("VADDPS Z%d, Z%d, Z%d", a+5, a+1, a+1)
		p("VADDPS Z%d, Z%d, Z%d", a+7, a+3, a+3)
		p("VADDPS Z%d, Z%d, Z%d", a+2, a, a)
		p("VADDPS Z%d, Z%d, Z%d", a+3, a+1, a+1)
		p("VADDPS Z%d, Z%d, Z%d", a+1, a, a)
		if t > 0 {
			p("ADDQ R9, R8")
		}
		p("VMOVUPS Z%d, (R8)", a)
	}
	p("VZEROUPPER")
	p("RET")
}

// q8x16Pack writes packQ8_0x16(nb int, src *byte, wStride int, dst *byte):
// the 16 Q8_0 rows at src (wStride bytes apart) as nb panel blocks, each
// group of every row fetched by one 16-lane gather.
func q8x16Pack() {
	header("packQ8_0x16", "(nb int, src *byte, wStride int, dst *byte)", 0, 32)
	p("MOVQ nb+0(FP), CX")
	p("MOVQ src+8(FP), SI")
	p("MOVQ wStride+16(FP), AX")
	p("MOVQ dst+24(FP), DI")
	p("VPBROADCASTD AX, Z1")
	p("VPMULLD mullIota16<>(SB), Z1, Z1")
	p("VPBROADCASTD mullX80<>(SB), Z31")
	label("packQ8_0x16_loop")
	p("KXNORW K0, K0, K1")
	p("VPGATHERDD (SI)(Z1*1), K1, Z2")
	p("VPMOVDW Z2, Y2")
	p("VCVTPH2PS Y2, Z2")
	p("VMOVUPS Z2, (DI)")
	for i := 0; i < 8; i++ {
		p("KXNORW K0, K0, K1")
		p("VPGATHERDD %d(SI)(Z1*1), K1, Z%d", 2+4*i, 3+i)
	}
	for i := 0; i < 8; i++ {
		p("VPXORD Z31, Z%d, Z%d", 3+i, 3+i)
		p("VMOVDQU32 Z%d, %d(DI)", 3+i, 64+64*i)
	}
	p("ADDQ $34, SI")
	p("ADDQ $%d, DI", q8x16Block)
	p("DECQ CX")
	p("JNZ packQ8_0x16_loop")
	p("VZEROUPPER")
	p("RET")
}

// q8x16Act writes unpackActQ8_0x16(nb int, src, dst *byte): nb Q8_0
// activation blocks as q8x16 activation blocks.
func q8x16ActUnpack() {
	header("unpackActQ8_0x16", "(nb int, src, dst *byte)", 0, 24)
	p("MOVQ nb+0(FP), CX")
	p("MOVQ src+8(FP), SI")
	p("MOVQ dst+16(FP), DI")
	p("VPBROADCASTD mullX80<>(SB), Y15")
	p("VPXOR Y14, Y14, Y14")
	label("unpackActQ8_0x16_loop")
	p("VMOVDQU 2(SI), Y0")
	p("VMOVDQU Y0, (DI)")
	p("VPXORD Y1, Y1, Y1")
	p("VPDPBUSD Y0, Y15, Y1")
	p("VPSUBD Y1, Y14, Y1")
	p("VMOVDQU Y1, 36(DI)")
	p("MOVWLZX (SI), AX")
	p("VMOVD AX, X2")
	p("VCVTPH2PS X2, X2")
	p("VMOVSS X2, 32(DI)")
	p("ADDQ $34, SI")
	p("ADDQ $%d, DI", q8x16Act)
	p("DECQ CX")
	p("JNZ unpackActQ8_0x16_loop")
	p("VZEROUPPER")
	p("RET")
}
