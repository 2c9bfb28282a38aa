//go:build ignore

// mull_gen writes mull_amd64.s, the assembly tiles of the integer-panel and
// float matrix products (see mul_legacy.go and mul_legacy_float.go). Run
// `go generate ./kernels` after changing it.
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
)

var out bytes.Buffer

func p(format string, args ...any) { fmt.Fprintf(&out, "\t"+format+"\n", args...) }
func label(l string)               { fmt.Fprintf(&out, "%s:\n", l) }

// Row and token pointer registers; rows 1..3 and tokens 1..3 are derived
// from the base pointers and strides.
var rowPtr = [4]string{"SI", "R10", "R11", "R12"}
var tokPtr = [4]string{"DI", "R13", "R14", "BX"}

// ptrs sets the row and token pointers from SI/DI and the strides in BX
// (rows) and DX (tokens).
func ptrs(R, T int) {
	for r := 1; r < R; r++ {
		p("LEAQ (%s)(BX*1), %s", rowPtr[r-1], rowPtr[r])
	}
	for t := 1; t < T; t++ {
		p("LEAQ (%s)(DX*1), %s", tokPtr[t-1], tokPtr[t])
	}
}

// hsumStore reduces accumulator Y<acc> with Y<tmp> as scratch and stores
// the float at off(R8)... where R8 points at the token's output row.
func hsumStore(acc, tmp int, dst string) {
	p("VEXTRACTF128 $1, Y%d, X%d", acc, tmp)
	p("VADDPS X%d, X%d, X%d", tmp, acc, acc)
	p("VMOVHLPS X%d, X%d, X%d", acc, acc, tmp)
	p("VADDPS X%d, X%d, X%d", tmp, acc, acc)
	p("VMOVSHDUP X%d, X%d", acc, tmp)
	p("VADDSS X%d, X%d, X%d", tmp, acc, acc)
	p("VMOVSS X%d, %s", acc, dst)
}

// stores writes all R×T accumulators (Y0.., index t·R+r) to out.
func stores(R, T int) {
	p("MOVQ R8, AX")
	tmp := R * T
	for t := 0; t < T; t++ {
		if t > 0 {
			p("ADDQ R9, AX")
		}
		for r := 0; r < R; r++ {
			hsumStore(t*R+r, tmp, fmt.Sprintf("%d(AX)", 4*r))
		}
	}
	p("VZEROUPPER")
	p("RET")
}

// q8Prologue loads the arguments of
// func(nb int, w, a *byte, out *float32, ldo int): CX = nb, SI = w,
// DI = a, R8 = out, R9 = ldo in bytes, BX = DX = panel row stride, AX = 0.
func q8Prologue(name string, R, T int) {
	fmt.Fprintf(&out, "\n// func %s(nb int, w, a *byte, out *float32, ldo int)\n", name)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-40\n", name)
	p("MOVQ nb+0(FP), CX")
	p("MOVQ w+8(FP), SI")
	p("MOVQ a+16(FP), DI")
	p("MOVQ out+24(FP), R8")
	p("MOVQ ldo+32(FP), R9")
	p("SHLQ $2, R9")
	p("IMUL3Q $36, CX, BX")
	p("MOVQ BX, DX")
	ptrs(R, T)
	p("XORQ AX, AX")
	for i := 0; i < R*T; i++ {
		p("VXORPS Y%d, Y%d, Y%d", i, i, i)
	}
}

// q8AVX2 writes the AVX2 integer tile: ggml's sign trick (|w| × sign(a, w)
// with VPMADDUBSW, pairs summed with VPMADDWD), scale ws·as in scalar.
// Registers: acc Y0..; w_r, |w_r| after them; a, tmp, s at Y13..Y15.
func q8AVX2(R, T int) {
	name := fmt.Sprintf("q8TileAVX2_%dx%d", R, T)
	q8Prologue(name, R, T)
	w := func(r int) int { return R*T + 2*r }
	ab := func(r int) int { return R*T + 2*r + 1 }
	const ya, yt, ys = 13, 14, 15
	label(name + "_loop")
	for r := 0; r < R; r++ {
		p("VMOVDQU (%s)(AX*1), Y%d", rowPtr[r], w(r))
		p("VPSIGNB Y%d, Y%d, Y%d", w(r), w(r), ab(r))
	}
	for t := 0; t < T; t++ {
		p("VMOVDQU (%s)(AX*1), Y%d", tokPtr[t], ya)
		for r := 0; r < R; r++ {
			p("VPSIGNB Y%d, Y%d, Y%d", w(r), ya, yt)
			p("VPMADDUBSW Y%d, Y%d, Y%d", yt, ab(r), yt)
			p("VPMADDWD mullOnes16<>(SB), Y%d, Y%d", yt, yt)
			p("VCVTDQ2PS Y%d, Y%d", yt, yt)
			p("VMOVSS 32(%s)(AX*1), X%d", rowPtr[r], ys)
			p("VMULSS 32(%s)(AX*1), X%d, X%d", tokPtr[t], ys, ys)
			p("VBROADCASTSS X%d, Y%d", ys, ys)
			p("VFMADD231PS Y%d, Y%d, Y%d", yt, ys, t*R+r)
		}
	}
	p("ADDQ $36, AX")
	p("DECQ CX")
	p("JNZ %s_loop", name)
	stores(R, T)
}

// q8VNNI writes the AVX-512 VNNI integer tile on 256-bit registers: the
// weights offset to unsigned (w+128) meet the activations in VPDPBUSD,
// starting from −128·Σa per lane (computed once per token and block); the
// scale ws·as comes from a broadcast multiply. Registers: acc Y0..Y11,
// tmp Y12, s Y13, u_r Y16.., dw_r Y20.., a_t Y24.., nc_t Y28, Y29, Y14,
// Y15; Y30 = 0, Y31 = 0x80 bytes.
func q8VNNI(R, T int) {
	name := fmt.Sprintf("q8TileVNNI_%dx%d", R, T)
	q8Prologue(name, R, T)
	nc := [4]int{28, 29, 14, 15}
	p("VPXORD Y30, Y30, Y30")
	p("VPBROADCASTD mullX80<>(SB), Y31")
	label(name + "_loop")
	for r := 0; r < R; r++ {
		p("VMOVDQU32 (%s)(AX*1), Y%d", rowPtr[r], 16+r)
		p("VPXORD Y31, Y%d, Y%d", 16+r, 16+r)
		p("VBROADCASTSS 32(%s)(AX*1), Y%d", rowPtr[r], 20+r)
	}
	for t := 0; t < T; t++ {
		p("VMOVDQU32 (%s)(AX*1), Y%d", tokPtr[t], 24+t)
		p("VPXORD Y%d, Y%d, Y%d", nc[t], nc[t], nc[t])
		p("VPDPBUSD Y%d, Y31, Y%d", 24+t, nc[t])
		p("VPSUBD Y%d, Y30, Y%d", nc[t], nc[t])
	}
	for t := 0; t < T; t++ {
		for r := 0; r < R; r++ {
			p("VMOVDQA32 Y%d, Y12", nc[t])
			p("VPDPBUSD Y%d, Y%d, Y12", 24+t, 16+r)
			p("VCVTDQ2PS Y12, Y12")
			p("VMULPS.BCST 32(%s)(AX*1), Y%d, Y13", tokPtr[t], 20+r)
			p("VFMADD231PS Y12, Y13, Y%d", t*R+r)
		}
	}
	p("ADDQ $36, AX")
	p("DECQ CX")
	p("JNZ %s_loop", name)
	stores(R, T)
}

// float loaders: weight and activation rows share the encoding.
var fLoads = []struct {
	kind string
	step int
	load func(src string, y int)
}{
	{"F32", 32, func(src string, y int) { p("VMOVUPS %s, Y%d", src, y) }},
	{"F16", 16, func(src string, y int) { p("VCVTPH2PS %s, Y%d", src, y) }},
	{"BF16", 16, func(src string, y int) {
		p("VPMOVZXWD %s, Y%d", src, y)
		p("VPSLLD $16, Y%d, Y%d", y, y)
	}},
}

// fTile writes a float tile
// func(n8 int, w *byte, wStride int, a *byte, aStride int, out *float32, ldo int):
// acc Y0.., w_r after them, the token's values in Y15.
func fTile(k int, R, T int) {
	f := fLoads[k]
	name := fmt.Sprintf("fTile%s_%dx%d", f.kind, R, T)
	fmt.Fprintf(&out, "\n// func %s(n8 int, w *byte, wStride int, a *byte, aStride int, out *float32, ldo int)\n", name)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-56\n", name)
	p("MOVQ n8+0(FP), CX")
	p("MOVQ w+8(FP), SI")
	p("MOVQ wStride+16(FP), BX")
	p("MOVQ a+24(FP), DI")
	p("MOVQ aStride+32(FP), DX")
	p("MOVQ out+40(FP), R8")
	p("MOVQ ldo+48(FP), R9")
	p("SHLQ $2, R9")
	ptrs(R, T)
	p("XORQ AX, AX")
	for i := 0; i < R*T; i++ {
		p("VXORPS Y%d, Y%d, Y%d", i, i, i)
	}
	label(name + "_loop")
	for r := 0; r < R; r++ {
		f.load(fmt.Sprintf("(%s)(AX*1)", rowPtr[r]), R*T+r)
	}
	for t := 0; t < T; t++ {
		f.load(fmt.Sprintf("(%s)(AX*1)", tokPtr[t]), 15)
		for r := 0; r < R; r++ {
			p("VFMADD231PS Y%d, Y15, Y%d", R*T+r, t*R+r)
		}
	}
	p("ADDQ $%d, AX", f.step)
	p("DECQ CX")
	p("JNZ %s_loop", name)
	stores(R, T)
}

// fLoads512 are fLoads on 512-bit registers (16 values).
var fLoads512 = []struct {
	step int
	load func(src string, z int)
}{
	{64, func(src string, z int) { p("VMOVUPS %s, Z%d", src, z) }},
	{32, func(src string, z int) { p("VCVTPH2PS %s, Z%d", src, z) }},
	{32, func(src string, z int) {
		p("VPMOVZXWD %s, Z%d", src, z)
		p("VPSLLD $16, Z%d, Z%d", z, z)
	}},
}

// fTile512 writes the AVX-512 float tile fTile512<kind>_RxT, the same
// contract with 16 values per step: acc Z8.., w_r Z0.., the token's
// values Z7; each accumulator's halves are added (lane i + lane i+8) and
// then reduced as the 256-bit tiles do.
func fTile512(k int, R, T int) {
	f := fLoads512[k]
	name := fmt.Sprintf("fTile512%s_%dx%d", fLoads[k].kind, R, T)
	fmt.Fprintf(&out, "\n// func %s(n16 int, w *byte, wStride int, a *byte, aStride int, out *float32, ldo int)\n", name)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-56\n", name)
	p("MOVQ n16+0(FP), CX")
	p("MOVQ w+8(FP), SI")
	p("MOVQ wStride+16(FP), BX")
	p("MOVQ a+24(FP), DI")
	p("MOVQ aStride+32(FP), DX")
	p("MOVQ out+40(FP), R8")
	p("MOVQ ldo+48(FP), R9")
	p("SHLQ $2, R9")
	ptrs(R, T)
	p("XORQ AX, AX")
	for i := 0; i < R*T; i++ {
		p("VPXORD Z%d, Z%d, Z%d", 8+i, 8+i, 8+i)
	}
	label(name + "_loop")
	for r := 0; r < R; r++ {
		f.load(fmt.Sprintf("(%s)(AX*1)", rowPtr[r]), r)
	}
	for t := 0; t < T; t++ {
		f.load(fmt.Sprintf("(%s)(AX*1)", tokPtr[t]), 7)
		for r := 0; r < R; r++ {
			p("VFMADD231PS Z%d, Z7, Z%d", r, 8+t*R+r)
		}
	}
	p("ADDQ $%d, AX", f.step)
	p("DECQ CX")
	p("JNZ %s_loop", name)
	p("MOVQ R8, AX")
	for t := 0; t < T; t++ {
		if t > 0 {
			p("ADDQ R9, AX")
		}
		for r := 0; r < R; r++ {
			acc := 8 + t*R + r
			p("VEXTRACTF64X4 $1, Z%d, Y1", acc)
			p("VADDPS Y1, Y%d, Y0", acc)
			hsumStore(0, 1, fmt.Sprintf("%d(AX)", 4*r))
		}
	}
	p("VZEROUPPER")
	p("RET")
}

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
// TQ1_0 sub-block ib: trit n of byte q is ((q·3ⁿ mod 256)·3) >> 8, on
// 16-bit lanes. Sub-blocks 0..4 are trit ib of qs[0:32]; 5 and 6 trits
// 0,1 and 2,3 of qs[32:48]; 7 trit 4 of qs[32:48], then trits 0..3 of
// qh[0:4] (needs Y13 = 0x00ff words, Y14 = 3 words).
func tq1Load(row string, ib int, vnni bool) {
	lo, hi := fmt.Sprintf("mullP3_%d", min(ib, 4)), fmt.Sprintf("mullP3_%d", min(ib, 4))
	switch ib {
	case 5:
		lo, hi = "mullP3_0", "mullP3_1"
	case 6:
		lo, hi = "mullP3_2", "mullP3_3"
	case 7:
		lo, hi = "mullP3_4", "mullP3Q"
	}
	switch {
	case ib < 5:
		p("VPMOVZXBW (%s)(AX*1), Y9", row)
		p("VPMOVZXBW 16(%s)(AX*1), Y10", row)
	case ib < 7:
		p("VPMOVZXBW 32(%s)(AX*1), Y9", row)
		p("VPMOVZXBW 32(%s)(AX*1), Y10", row)
	default:
		p("VPMOVZXBW 32(%s)(AX*1), Y9", row)
		p("VPBROADCASTD 48(%s)(AX*1), X10", row)
		p("VPMOVZXBW X10, Y10")
	}
	p("VPMULLW %s<>(SB), Y9, Y9", lo)
	p("VPMULLW %s<>(SB), Y10, Y10", hi)
	p("VPAND Y13, Y9, Y9")
	p("VPAND Y13, Y10, Y10")
	p("VPMULLW Y14, Y9, Y9")
	p("VPMULLW Y14, Y10, Y10")
	p("VPSRLW $8, Y9, Y9")
	p("VPSRLW $8, Y10, Y10")
	p("VPACKUSWB Y10, Y9, Y8")
	p("VPERMQ $0xd8, Y8, Y8")
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
		p("VMOVDQU mullW255<>(SB), Y13")
		p("VMOVDQU mullW3<>(SB), Y14")
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
func decoder(k int) {
	d := directTypes[k]
	name := fmt.Sprintf("decode%sAVX2", d.name)
	fmt.Fprintf(&out, "\n// func %s(nb int, src, dst *byte, mins *float32)\n", name)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $%d-32\n", name, frame(d))
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
		p("VMOVDQU Y8, %d(DI)", 36*ib)
		d.scale("SI", ib)
		p("VMOVSS X7, %d(DI)", 36*ib+32)
	}
	if d.min {
		p("VPBROADCASTW 2(SI)(AX*1), X9")
		p("VCVTPH2PS X9, X9")
		p("VMOVSS X9, (R13)")
		p("ADDQ $4, R13")
	}
	p("ADDQ $%d, AX", d.bytes)
	p("ADDQ $%d, DI", 36*d.sub)
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

// Tile shapes each family provides (every r ≤ R, t ≤ T of its largest).
func q8AVX2Fits(R, T int) bool { return R*T+2*R+3 <= 16 }
func q8VNNIFits(R, T int) bool { return R*T <= 12 && T <= 4 }
func fFits(R, T int) bool      { return R*T+R+1 <= 16 }
func f512Fits(R, T int) bool   { return R <= 4 && T <= 4 }

func main() {
	out.WriteString("// Code generated by mull_gen.go; DO NOT EDIT.\n\n//go:build amd64 && !purego\n\n#include \"textflag.h\"\n\n")
	out.WriteString("DATA mullOnes16<>+0(SB)/8, $0x0001000100010001\nDATA mullOnes16<>+8(SB)/8, $0x0001000100010001\n")
	out.WriteString("DATA mullOnes16<>+16(SB)/8, $0x0001000100010001\nDATA mullOnes16<>+24(SB)/8, $0x0001000100010001\n")
	out.WriteString("GLOBL mullOnes16<>(SB), RODATA|NOPTR, $32\n")
	out.WriteString("DATA mullX80<>+0(SB)/4, $0x80808080\nGLOBL mullX80<>(SB), RODATA|NOPTR, $4\n")
	data32 := func(name string, b func(i int) byte) {
		for i := 0; i < 32; i += 8 {
			var v uint64
			for j := 7; j >= 0; j-- {
				v = v<<8 | uint64(b(i+j))
			}
			fmt.Fprintf(&out, "DATA %s<>+%d(SB)/8, $0x%016x\n", name, i, v)
		}
		fmt.Fprintf(&out, "GLOBL %s<>(SB), RODATA|NOPTR, $32\n", name)
	}
	iq4 := []int{-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113}
	data32("mullNib", func(int) byte { return 0x0f })
	data32("mullB8", func(int) byte { return 8 })
	data32("mullB16", func(int) byte { return 16 })
	data32("mullB128", func(int) byte { return 128 })
	data32("mullB1", func(int) byte { return 1 })
	dwords := func(name string, v func(i int) uint32) {
		data32(name, func(i int) byte { return byte(v(i/4) >> (8 * (i % 4))) })
	}
	dwords("mullShiftL", func(i int) uint32 { return uint32(4 * i) })
	dwords("mullShiftH", func(i int) uint32 { return uint32(2 * i) })
	dwords("mullD15", func(int) uint32 { return 15 })
	dwords("mullD3", func(int) uint32 { return 3 })
	dwords("mullD32", func(int) uint32 { return 32 })
	words := func(name string, v func(i int) uint16) {
		data32(name, func(i int) byte { return byte(v(i/2) >> (8 * (i % 2))) })
	}
	words("mullW255", func(int) uint16 { return 255 })
	words("mullW3", func(int) uint16 { return 3 })
	for n, m := range []uint16{1, 3, 9, 27, 81} {
		words(fmt.Sprintf("mullP3_%d", n), func(int) uint16 { return m })
	}
	words("mullP3Q", func(i int) uint16 { return []uint16{1, 3, 9, 27}[i/4] })
	data32("mullB3", func(int) byte { return 3 })
	data32("mullIQ4S", func(i int) byte { return byte(int8(iq4[i%16])) })
	data32("mullIQ4U", func(i int) byte { return byte(iq4[i%16] + 128) })
	data32("mullQ5Bits", func(i int) byte { return 1 << (i % 8) })
	data32("mullQ5Shuf", func(i int) byte { return byte(i / 8 % 4) })
	var decl bytes.Buffer
	decl.WriteString("// Code generated by mull_gen.go; DO NOT EDIT.\n\n//go:build amd64 && !purego\n\npackage kernels\n\n")
	for R := 1; R <= 4; R++ {
		for T := 1; T <= 4; T++ {
			if q8AVX2Fits(R, T) {
				q8AVX2(R, T)
				fmt.Fprintf(&decl, "//go:noescape\nfunc q8TileAVX2_%dx%d(nb int, w, a *byte, out *float32, ldo int)\n\n", R, T)
			}
			if q8VNNIFits(R, T) {
				q8VNNI(R, T)
				fmt.Fprintf(&decl, "//go:noescape\nfunc q8TileVNNI_%dx%d(nb int, w, a *byte, out *float32, ldo int)\n\n", R, T)
			}
			if fFits(R, T) {
				for k := range fLoads {
					fTile(k, R, T)
					fmt.Fprintf(&decl, "//go:noescape\nfunc fTile%s_%dx%d(n8 int, w *byte, wStride int, a *byte, aStride int, out *float32, ldo int)\n\n", fLoads[k].kind, R, T)
				}
			}
		}
	}
	actUnpackers()
	decl.WriteString("//go:noescape\nfunc unpackActQ8_1AVX2(nb int, src, dst *byte, sums *float32)\n\n")
	decl.WriteString("//go:noescape\nfunc unpackActQ8_KAVX2(nb int, src, dst *byte, sums *float32)\n\n")
	decl.WriteString("// asmDecoderFuncs are the AVX2 panel decoders by weight type name.\nvar asmDecoderFuncs = map[string]func(nb int, src, dst *byte, mins *float32){\n")
	for k, d := range directTypes {
		decoder(k)
		fmt.Fprintf(&decl, "%q: decode%sAVX2,\n", d.name, d.name)
	}
	decl.WriteString("}\n\n")
	for _, d := range directTypes {
		fmt.Fprintf(&decl, "//go:noescape\nfunc decode%sAVX2(nb int, src, dst *byte, mins *float32)\n\n", d.name)
	}
	for k, d := range directTypes {
		for _, vnni := range []bool{false, true} {
			fam := map[bool]string{false: "AVX2", true: "VNNI"}[vnni]
			fmt.Fprintf(&decl, "// direct%s%s are the fused one-token %s kernels for 1..4 rows.\nvar direct%s%s = [4]func(nb int, w *byte, wStride int, a *byte, sums, out *float32){", d.name, fam, d.name, d.name, fam)
			for R := 1; R <= 4; R++ {
				direct(k, R, vnni)
				fmt.Fprintf(&decl, "direct%s%s_%d, ", d.name, fam, R)
			}
			decl.WriteString("}\n\n")
			for R := 1; R <= 4; R++ {
				fmt.Fprintf(&decl, "//go:noescape\nfunc direct%s%s_%d(nb int, w *byte, wStride int, a *byte, sums, out *float32)\n\n", d.name, fam, R)
			}
		}
	}
	// tables
	decl.WriteString("// q8TablesAVX2 and q8TablesVNNI index the integer tiles by [rows−1][toks−1].\n")
	for _, fam := range []struct {
		name string
		fits func(R, T int) bool
	}{{"AVX2", q8AVX2Fits}, {"VNNI", q8VNNIFits}} {
		fmt.Fprintf(&decl, "var q8Tables%s = [4][4]func(nb int, w, a *byte, out *float32, ldo int){\n", fam.name)
		for R := 1; R <= 4; R++ {
			decl.WriteString("\t{")
			for T := 1; T <= 4; T++ {
				if fam.fits(R, T) {
					fmt.Fprintf(&decl, "q8Tile%s_%dx%d, ", fam.name, R, T)
				} else {
					decl.WriteString("nil, ")
				}
			}
			decl.WriteString("},\n")
		}
		decl.WriteString("}\n\n")
	}
	decl.WriteString("// fTables index the float tiles by [kind][rows−1][toks−1].\n")
	decl.WriteString("var fTables = [3][4][4]func(n8 int, w *byte, wStride int, a *byte, aStride int, out *float32, ldo int){\n")
	for k := range fLoads {
		decl.WriteString("\t{\n")
		for R := 1; R <= 4; R++ {
			decl.WriteString("\t\t{")
			for T := 1; T <= 4; T++ {
				if fFits(R, T) {
					fmt.Fprintf(&decl, "fTile%s_%dx%d, ", fLoads[k].kind, R, T)
				} else {
					decl.WriteString("nil, ")
				}
			}
			decl.WriteString("},\n")
		}
		decl.WriteString("\t},\n")
	}
	decl.WriteString("}\n\n")
	decl.WriteString("// fTables512 index the AVX-512 float tiles by [kind][rows−1][toks−1].\n")
	decl.WriteString("var fTables512 = [3][4][4]func(n16 int, w *byte, wStride int, a *byte, aStride int, out *float32, ldo int){\n")
	for k := range fLoads {
		decl.WriteString("\t{\n")
		for R := 1; R <= 4; R++ {
			decl.WriteString("\t\t{")
			for T := 1; T <= 4; T++ {
				if f512Fits(R, T) {
					fTile512(k, R, T)
					fmt.Fprintf(&decl, "fTile512%s_%dx%d, ", fLoads[k].kind, R, T)
				} else {
					decl.WriteString("nil, ")
				}
			}
			decl.WriteString("},\n")
		}
		decl.WriteString("\t},\n")
	}
	decl.WriteString("}\n\n")
	for k := range fLoads {
		for R := 1; R <= 4; R++ {
			for T := 1; T <= 4; T++ {
				if f512Fits(R, T) {
					fmt.Fprintf(&decl, "//go:noescape\nfunc fTile512%s_%dx%d(n16 int, w *byte, wStride int, a *byte, aStride int, out *float32, ldo int)\n\n", fLoads[k].kind, R, T)
				}
			}
		}
	}
	if err := os.WriteFile("mull_amd64.s", out.Bytes(), 0o644); err != nil {
		panic(err)
	}
	src, err := format.Source(decl.Bytes())
	if err != nil {
		panic(err)
	}
	if err := os.WriteFile("mull_decl_amd64.go", src, 0o644); err != nil {
		panic(err)
	}
}
