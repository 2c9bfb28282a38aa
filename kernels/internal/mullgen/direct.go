package main

import "fmt"

// direct writes a fused R-row, one-token kernel
// func(nb int, w *byte, wStride int, a *byte, sums, out *float32) for a
// weight type: per 32-value sub-block it forms the same lane sums and scale
// product as the panel tiles (and, for Q4_1/Q5_1, the same Σ m·s), so its
// results are bit-identical to theirs. Registers: acc Y0..Y3, a Y4,
// −o·Σa (or the Σ m·s lanes) Y5, sum Y6, scale Y7, w Y8, scratch Y9, Y10,
// as Y11, offset bytes (or s) Y12, type constants Y13..Y15; R13 walks sums.
func direct(k int, R int, vnni bool) {
	d := directTypes[k]
	fam := "AVX2"
	if vnni {
		fam = "VNNI"
	}
	name := fmt.Sprintf("direct%s%s_%d", d.name, fam, R)
	fmt.Fprintf(&out, "\n// func %s(nb int, w *byte, wStride int, a *byte, sums, out *float32)\n", name)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $%d-48\n", name, frame(d))
	p("MOVQ nb+0(FP), CX")
	p("MOVQ w+8(FP), SI")
	p("MOVQ wStride+16(FP), BX")
	p("MOVQ a+24(FP), DI")
	p("MOVQ sums+32(FP), R13")
	p("MOVQ out+40(FP), R8")
	if d.sub == 8 {
		p("SHRQ $3, CX")
	}
	ptrs(R, 1)
	// R9 walks the 4 rows after these (the next call's), R14 = 3·wStride:
	// they are prefetched while these stream in (see prefetchSetup).
	p("LEAQ (SI)(BX*4), R9")
	p("LEAQ (BX)(BX*2), R14")
	p("XORQ AX, AX")
	p("XORQ DX, DX")
	for i := 0; i < R; i++ {
		p("VXORPS Y%d, Y%d, Y%d", i, i, i)
	}
	if d.off != "" {
		p("VMOVDQU %s<>(SB), Y12", d.off)
	}
	if d.min {
		p("VXORPS Y5, Y5, Y5")
	}
	d.setup(vnni)
	label(name + "_loop")
	if d.min { // lanes r of X5 += m_r·s
		p("VPXOR X10, X10, X10")
		for r := 0; r < R; r++ {
			p("VPINSRW $%d, 2(%s)(AX*1), X10, X10", r, rowPtr[r])
		}
		p("VCVTPH2PS X10, X10")
		p("VBROADCASTSS (R13), X12")
		p("VMULPS X12, X10, X10")
		p("VADDPS X10, X5, X5")
	}
	if d.pre != nil {
		for r := 0; r < R; r++ {
			d.pre(rowPtr[r], r)
		}
	}
	for ib := 0; ib < d.sub; ib++ {
		p("VMOVDQU %d(DI)(DX*1), Y4", 36*ib)
		p("VBROADCASTSS %d(DI)(DX*1), Y11", 36*ib+32)
		if vnni && d.off != "" {
			p("VPXOR Y5, Y5, Y5")
			p("VPDPBUSD Y4, Y12, Y5")
			p("VPXOR Y10, Y10, Y10")
			p("VPSUBD Y5, Y10, Y5")
		}
		for r := 0; r < R; r++ {
			d.load(rowPtr[r], ib, vnni)
			switch {
			case vnni && d.off != "":
				p("VMOVDQA Y5, Y6")
				p("VPDPBUSD Y4, Y8, Y6")
			case vnni:
				p("VPXOR Y6, Y6, Y6")
				p("VPDPBUSD Y4, Y8, Y6")
			default:
				p("VPSIGNB Y8, Y8, Y9")
				p("VPSIGNB Y8, Y4, Y10")
				p("VPMADDUBSW Y10, Y9, Y6")
				p("VPMADDWD mullOnes16<>(SB), Y6, Y6")
			}
			p("VCVTDQ2PS Y6, Y6")
			d.scale(rowPtr[r], ib)
			p("VMULPS Y11, Y7, Y7")
			p("VFMADD231PS Y6, Y7, Y%d", r)
		}
	}
	p("PREFETCHT0 (R9)")
	p("PREFETCHT0 (R9)(BX*1)")
	p("PREFETCHT0 (R9)(BX*2)")
	p("PREFETCHT0 (R9)(R14*1)")
	p("ADDQ $%d, R9", d.bytes)
	p("ADDQ $%d, AX", d.bytes)
	p("ADDQ $%d, DX", 36*d.sub)
	if d.min {
		p("ADDQ $4, R13")
	}
	p("DECQ CX")
	p("JNZ %s_loop", name)
	if !d.min {
		stores(R, 1)
		return
	}
	for r := 0; r < R; r++ { // out[r] = hsum(acc_r) + lane r of X5
		p("VEXTRACTF128 $1, Y%d, X9", r)
		p("VADDPS X9, X%d, X%d", r, r)
		p("VMOVHLPS X%d, X%d, X9", r, r)
		p("VADDPS X9, X%d, X%d", r, r)
		p("VMOVSHDUP X%d, X9", r)
		p("VADDSS X9, X%d, X%d", r, r)
		p("VPSHUFD $%d, X5, X9", r)
		p("VADDSS X9, X%d, X%d", r, r)
		p("VMOVSS X%d, %d(R8)", r, 4*r)
	}
	p("VZEROUPPER")
	p("RET")
}

// frame is the local stack a kernel of type d needs (pre's scales).
func frame(d directType) int {
	if d.pre != nil {
		return 128
	}
	return 0
}

// decoder writes decode<name>AVX2(nb int, src, dst *byte, mins *float32),
// the AVX2 twin of the Go panel decoder of a type: the signed values and
// float32 scale of each 32-value sub-block, and the Q4_1/Q5_1 mins.
//
// With pair set it writes decode<name>Pair instead, which fills one half of
// the 512-bit tiles' pair panel (see pairPanel): 128 bytes a block, codes
// at 0, the scale 8 times at 64, dst pointing at the row's half (+0 or
// +32).
func decoder(k int, pair bool) {
	d := directTypes[k]
	name := fmt.Sprintf("decode%sAVX2", d.name)
	blk := 36
	if pair {
		name, blk = fmt.Sprintf("decode%sPair", d.name), 128
	}
	header(name, "(nb int, src, dst *byte, mins *float32)", frame(d), 32)
	p("MOVQ nb+0(FP), CX")
	p("MOVQ src+8(FP), SI")
	p("MOVQ dst+16(FP), DI")
	p("MOVQ mins+24(FP), R13")
	if d.sub == 8 {
		p("SHRQ $3, CX")
	}
	p("XORQ AX, AX")
	if d.off != "" {
		p("VMOVDQU %s<>(SB), Y12", d.off)
	}
	d.setup(false)
	label(name + "_loop")
	if d.pre != nil {
		d.pre("SI", 0)
	}
	for ib := 0; ib < d.sub; ib++ {
		d.load("SI", ib, false)
		p("VMOVDQU Y8, %d(DI)", blk*ib)
		d.scale("SI", ib)
		if pair {
			p("VMOVUPS Y7, %d(DI)", blk*ib+64)
		} else {
			p("VMOVSS X7, %d(DI)", blk*ib+32)
		}
	}
	if d.min {
		p("VPBROADCASTW 2(SI)(AX*1), X9")
		p("VCVTPH2PS X9, X9")
		p("VMOVSS X9, (R13)")
		p("ADDQ $4, R13")
	}
	p("ADDQ $%d, AX", d.bytes)
	p("ADDQ $%d, DI", blk*d.sub)
	p("DECQ CX")
	p("JNZ %s_loop", name)
	p("VZEROUPPER")
	p("RET")
}

// actUnpackers writes the AVX2 activation unpackers
// func(nb int, src, dst *byte, sums *float32) for Q8_1 (codes at 4, fp16
// d at 0, fp16 s at 2 to sums) and Q8_K (256 codes at 4 sharing the
// float32 d at 0); Q8_0 uses the Q8_0 weight decoder.
func actUnpackers() {
	out.WriteString("\n// func unpackActQ8_1AVX2(nb int, src, dst *byte, sums *float32)\n")
	out.WriteString("TEXT ·unpackActQ8_1AVX2(SB), NOSPLIT, $0-32\n")
	p("MOVQ nb+0(FP), CX")
	p("MOVQ src+8(FP), SI")
	p("MOVQ dst+16(FP), DI")
	p("MOVQ sums+24(FP), R13")
	label("unpackActQ8_1AVX2_loop")
	p("VMOVDQU 4(SI), Y0")
	p("VMOVDQU Y0, (DI)")
	p("VPBROADCASTW (SI), X1")
	p("VCVTPH2PS X1, X1")
	p("VMOVSS X1, 32(DI)")
	p("VPBROADCASTW 2(SI), X1")
	p("VCVTPH2PS X1, X1")
	p("VMOVSS X1, (R13)")
	p("ADDQ $36, SI")
	p("ADDQ $36, DI")
	p("ADDQ $4, R13")
	p("DECQ CX")
	p("JNZ unpackActQ8_1AVX2_loop")
	p("VZEROUPPER")
	p("RET")
	out.WriteString("\n// func unpackActQ8_KAVX2(nb int, src, dst *byte, sums *float32)\n")
	out.WriteString("TEXT ·unpackActQ8_KAVX2(SB), NOSPLIT, $0-32\n")
	p("MOVQ nb+0(FP), CX")
	p("MOVQ src+8(FP), SI")
	p("MOVQ dst+16(FP), DI")
	p("SHRQ $3, CX")
	label("unpackActQ8_KAVX2_loop")
	p("MOVL (SI), AX")
	for ib := 0; ib < 8; ib++ {
		p("VMOVDQU %d(SI), Y0", 4+32*ib)
		p("VMOVDQU Y0, %d(DI)", 36*ib)
		p("MOVL AX, %d(DI)", 36*ib+32)
	}
	p("ADDQ $292, SI")
	p("ADDQ $288, DI")
	p("DECQ CX")
	p("JNZ unpackActQ8_KAVX2_loop")
	p("VZEROUPPER")
	p("RET")
}
