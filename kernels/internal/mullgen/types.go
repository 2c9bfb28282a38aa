package main

// directType is a weight type with fused one-token kernels that read the
// encoded blocks themselves.
type directType struct {
	name  string
	bytes int                                 // bytes per encoded block
	sub   int                                 // 32-value sub-blocks per encoded block (1 or 8)
	off   string                              // DATA symbol of the offset o (u = w + o; AVX2 subtracts it), "" for o = 0
	min   bool                                // Q4_1/Q5_1: add Σ m·s
	setup func(vnni bool)                     // constants in Y13..Y15
	load  func(row string, ib int, vnni bool) // sub-block ib's values to Y8 (w, or u with vnni)
	scale func(row string, ib int)            // sub-block ib's weight scale, broadcast, to Y7
	pre   func(row string, r int)             // per block and row r: the 8 sub-block scales to 32·r(SP)
}

// fp16Pre stores the block's fp16 scale at off as the eight sub-block
// scales at 32·r(SP).
func fp16Pre(off int) func(row string, r int) {
	return func(row string, r int) {
		p("VPBROADCASTW %d(%s)(AX*1), X9", off, row)
		p("VCVTPH2PS X9, Y9")
		p("VMOVUPS Y9, %d(SP)", 32*r)
	}
}

// tq1Load leaves in Y8 the trits (0..2, minus one on the AVX2 path) of
// TQ1_0 sub-block ib: trit n of byte q is ((q·3ⁿ mod 256)·3) >> 8.
// Sub-blocks 0..4 are trit ib of qs[0:32]; 5 and 6 trits 0,1 and 2,3 of
// qs[32:48]; 7 trit 4 of qs[32:48], then trits 0..3 of qh[0:4]. The
// multiples of 3ⁿ are formed bytewise (x·3 = x+x+x, x·9 = (x<<3 & 0xf8) + x)
// and (p·3) >> 8 as ggml does, from two rounding averages:
// y = p −sat 1, ((y + (y+1)/2 + 1)/2) >> 6. Sub-block 7 multiplies on
// 16-bit lanes. Needs Y12 = 0x01 bytes, Y13 = 0xf8 bytes, Y14 = 0x03
// bytes, Y15 = 0.
func tq1Load(row string, ib int, vnni bool) {
	times3 := func(x int) { // Yx ← Yx·3 (Y10 scratch)
		p("VPADDB Y%d, Y%d, Y10", x, x)
		p("VPADDB Y10, Y%d, Y%d", x, x)
	}
	times9 := func(x int) { // Yx ← Yx·9 (Y10 scratch)
		p("VPSLLW $3, Y%d, Y10", x)
		p("VPAND Y13, Y10, Y10")
		p("VPADDB Y10, Y%d, Y%d", x, x)
	}
	switch {
	case ib < 5:
		p("VMOVDQU (%s)(AX*1), Y9", row)
		switch ib {
		case 1:
			times3(9)
		case 2:
			times9(9)
		case 3:
			times9(9)
			times3(9)
		case 4:
			times9(9)
			times9(9)
		}
	case ib < 7: // low half ·9^(ib−5), high half ·3·9^(ib−5)
		p("VBROADCASTI128 32(%s)(AX*1), Y9", row)
		if ib == 6 {
			times9(9)
		}
		p("VPADDB Y9, Y9, Y10")
		p("VPADDB Y9, Y10, Y10")
		p("VPBLENDD $0xf0, Y10, Y9, Y9")
	default:
		p("VPMOVZXBW 32(%s)(AX*1), Y9", row)
		p("VPBROADCASTD 48(%s)(AX*1), X10", row)
		p("VPMOVZXBW X10, Y10")
		p("VPMULLW mullP3_4<>(SB), Y9, Y9")
		p("VPMULLW mullP3Q<>(SB), Y10, Y10")
		p("VPAND mullW255<>(SB), Y9, Y9")
		p("VPAND mullW255<>(SB), Y10, Y10")
		p("VPACKUSWB Y10, Y9, Y9")
		p("VPERMQ $0xd8, Y9, Y9")
	}
	p("VPSUBUSB Y12, Y9, Y9")
	p("VPAVGB Y15, Y9, Y10")
	p("VPAVGB Y10, Y9, Y9")
	p("VPSRLW $6, Y9, Y9")
	p("VPAND Y14, Y9, Y8")
	signedIfAVX2(vnni)
}

// rowIndex is the row number of a row pointer register.
func rowIndex(row string) int {
	for i, r := range rowPtr {
		if r == row {
			return i
		}
	}
	panic(row)
}

// stackScale broadcasts sub-block ib's scale, stored by pre, into Y7.
func stackScale(row string, ib int) { p("VBROADCASTSS %d(SP), Y7", 32*rowIndex(row)+4*ib) }

// iq4xsScales stores an IQ4_XS block's eight sub-block scales
// d·(ls−32) at 32·r(SP): ls = 4 bits of scales_l | 2 bits of scales_h << 4.
func iq4xsScales(row string, r int) {
	p("VPBROADCASTD 4(%s)(AX*1), Y9", row)
	p("VPSRLVD mullShiftL<>(SB), Y9, Y9")
	p("VPAND mullD15<>(SB), Y9, Y9")
	p("VPBROADCASTD 2(%s)(AX*1), Y10", row)
	p("VPSRLVD mullShiftH<>(SB), Y10, Y10")
	p("VPAND mullD3<>(SB), Y10, Y10")
	p("VPSLLD $4, Y10, Y10")
	p("VPOR Y10, Y9, Y9")
	p("VPSUBD mullD32<>(SB), Y9, Y9")
	p("VCVTDQ2PS Y9, Y9")
	p("VPBROADCASTW (%s)(AX*1), X10", row)
	p("VCVTPH2PS X10, Y10")
	p("VMULPS Y9, Y10, Y9")
	p("VMOVUPS Y9, %d(SP)", 32*r)
}

// fp16Scale broadcasts the fp16 at off(row)(AX*1) as float32 into Y7.
func fp16Scale(off int) func(row string, ib int) {
	return func(row string, ib int) {
		p("VPBROADCASTW %d(%s)(AX*1), X7", off, row)
		p("VCVTPH2PS X7, Y7")
	}
}

// q5Bits ORs the fifth bits (the 32-bit mask at off(row)(AX*1)) into the
// nibbles in Y8 (needs Y14 = bit masks, Y15 = byte spread).
func q5Bits(row string, off int) {
	p("VPBROADCASTD %d(%s)(AX*1), Y9", off, row)
	p("VPSHUFB Y15, Y9, Y9")
	p("VPAND Y14, Y9, Y9")
	p("VPCMPEQB Y14, Y9, Y9")
	p("VPAND mullB16<>(SB), Y9, Y9")
	p("VPOR Y9, Y8, Y8")
}

func nibSetup(vnni bool) { p("VMOVDQU mullNib<>(SB), Y13") }
func q5Setup(vnni bool) {
	p("VMOVDQU mullNib<>(SB), Y13")
	p("VMOVDQU mullQ5Bits<>(SB), Y14")
	p("VMOVDQU mullQ5Shuf<>(SB), Y15")
}
func iq4Setup(vnni bool) {
	p("VMOVDQU mullNib<>(SB), Y13")
	if vnni {
		p("VMOVDQU mullIQ4U<>(SB), Y14")
	} else {
		p("VMOVDQU mullIQ4S<>(SB), Y14")
	}
}

// signedIfAVX2 turns u = w + o back into w on the AVX2 path.
func signedIfAVX2(vnni bool) {
	if !vnni {
		p("VPSUBB Y12, Y8, Y8")
	}
}

var directTypes = []directType{
	{"Q8_0", 34, 1, "mullB128", false, func(bool) {}, func(row string, ib int, vnni bool) {
		p("VMOVDQU 2(%s)(AX*1), Y8", row)
		if vnni {
			p("VPXOR Y12, Y8, Y8")
		}
	}, fp16Scale(0), nil},
	{"Q4_0", 18, 1, "mullB8", false, nibSetup, func(row string, ib int, vnni bool) {
		nibbles(row, 2)
		signedIfAVX2(vnni)
	}, fp16Scale(0), nil},
	{"IQ4_NL", 18, 1, "mullB128", false, iq4Setup, func(row string, ib int, vnni bool) {
		nibbles(row, 2)
		p("VPSHUFB Y8, Y14, Y8")
	}, fp16Scale(0), nil},
	{"Q5_0", 22, 1, "mullB16", false, q5Setup, func(row string, ib int, vnni bool) {
		nibbles(row, 6)
		q5Bits(row, 2)
		signedIfAVX2(vnni)
	}, fp16Scale(0), nil},
	{"Q4_1", 20, 1, "", true, nibSetup, func(row string, ib int, vnni bool) {
		nibbles(row, 4)
	}, fp16Scale(0), nil},
	{"Q5_1", 24, 1, "", true, q5Setup, func(row string, ib int, vnni bool) {
		nibbles(row, 8)
		q5Bits(row, 4)
	}, fp16Scale(0), nil},
	{"IQ4_XS", 136, 8, "mullB128", false, iq4Setup, func(row string, ib int, vnni bool) {
		nibbles(row, 8+16*ib)
		p("VPSHUFB Y8, Y14, Y8")
	}, stackScale, iq4xsScales},
	{"TQ2_0", 66, 8, "mullB1", false, func(bool) { p("VMOVDQU mullB3<>(SB), Y13") }, func(row string, ib int, vnni bool) {
		h, n := ib/4, ib%4
		p("VMOVDQU %d(%s)(AX*1), Y8", 32*h, row)
		if n > 0 {
			p("VPSRLW $%d, Y8, Y8", 2*n)
		}
		p("VPAND Y13, Y8, Y8")
		signedIfAVX2(vnni)
	}, stackScale, fp16Pre(64)},
	{"TQ1_0", 54, 8, "mullB1", false, func(bool) {
		p("VMOVDQU mullBF8<>(SB), Y13")
		p("VMOVDQU mullB3<>(SB), Y14")
		p("VPXOR Y15, Y15, Y15")
	}, tq1Load, stackScale, fp16Pre(52)},
}

// nibbles leaves in Y8 the 32 nibbles of the 16 bytes at off(row)(AX*1),
// low nibbles first (needs Y13 = 0x0f bytes).
func nibbles(row string, off int) {
	p("VMOVDQU %d(%s)(AX*1), X8", off, row)
	p("VPSRLW $4, X8, X9")
	p("VINSERTI128 $1, X9, Y8, Y8")
	p("VPAND Y13, Y8, Y8")
}
