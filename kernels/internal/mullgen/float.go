package main

import "fmt"

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
	floatTile(fmt.Sprintf("fTile%s_%dx%d", f.kind, R, T), "n8", "Y", 0, R*T, 15, f.step, f.load, R, T, func() { stores(R, T) })
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
	floatTile(name, "n16", "Z", 8, 0, 7, f.step, f.load, R, T, func() {
		storeLoop(T, func(t int) {
			for r := 0; r < R; r++ {
				acc := 8 + t*R + r
				p("VEXTRACTF64X4 $1, Z%d, Y1", acc)
				p("VADDPS Y1, Y%d, Y0", acc)
				hsumStore(0, 1, fmt.Sprintf("%d(AX)", 4*r))
			}
		})
	})
}

// floatTile writes the body shared by the float tiles: vector registers
// named reg (Y or Z), accumulators from accBase, weight rows from wBase,
// the token's values in aReg, step bytes per iteration; store ends it.
func floatTile(name, counter, reg string, accBase, wBase, aReg, step int, load func(src string, r int), R, T int, store func()) {
	header(name, fmt.Sprintf("(%s int, w *byte, wStride int, a *byte, aStride int, out *float32, ldo int)", counter), 0, 56)
	p("MOVQ %s+0(FP), CX", counter)
	p("MOVQ w+8(FP), SI")
	p("MOVQ wStride+16(FP), BX")
	p("MOVQ a+24(FP), DI")
	p("MOVQ aStride+32(FP), DX")
	p("MOVQ out+40(FP), R8")
	p("MOVQ ldo+48(FP), R9")
	p("SHLQ $2, R9")
	ptrs(R, T)
	prefetchSetup(T)
	p("XORQ AX, AX")
	zero := "VXORPS" // VEX: the AVX2 tiles must not use EVEX forms
	if reg == "Z" {
		zero = "VPXORD"
	}
	for i := 0; i < R*T; i++ {
		a := accBase + i
		p("%s %s%d, %s%d, %s%d", zero, reg, a, reg, a, reg, a)
	}
	label(name + "_loop")
	for r := 0; r < R; r++ {
		load(fmt.Sprintf("(%s)(AX*1)", rowPtr[r]), wBase+r)
	}
	for t := 0; t < T; t++ {
		load(fmt.Sprintf("(%s)(AX*1)", tokPtr[t]), aReg)
		for r := 0; r < R; r++ {
			p("VFMADD231PS %s%d, %s%d, %s%d", reg, wBase+r, reg, aReg, reg, accBase+t*R+r)
		}
	}
	prefetchNext(T, step)
	p("ADDQ $%d, AX", step)
	p("DECQ CX")
	p("JNZ %s_loop", name)
	store()
}

// prefetchSetup points R13 at the 4 weight rows after a one-token tile's
// (the next call's) and sets R14 = 3·wStride; prefetchNext prefetches them
// step bytes at a time while the tile streams its own rows. Streaming
// one-token products are memory-bound; this cut the Q8_0 kernel's time in
// generation by about a quarter.
func prefetchSetup(T int) {
	if T == 1 {
		p("LEAQ (SI)(BX*4), R13")
		p("LEAQ (BX)(BX*2), R14")
	}
}

func prefetchNext(T, step int) {
	if T == 1 {
		p("PREFETCHT0 (R13)")
		p("PREFETCHT0 (R13)(BX*1)")
		p("PREFETCHT0 (R13)(BX*2)")
		p("PREFETCHT0 (R13)(R14*1)")
		p("ADDQ $%d, R13", step)
	}
}
