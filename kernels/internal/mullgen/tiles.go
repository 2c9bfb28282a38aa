package main

import "fmt"

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

// header starts the TEXT block of a function with the Go signature sig
// (for the comment), a local frame and args bytes of arguments.
func header(name, sig string, frame, args int) {
	fmt.Fprintf(&out, "\n// func %s%s\n", name, sig)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $%d-%d\n", name, frame, args)
}

// storeLoop points AX at each token's output row in turn (R8 = out, R9 =
// ldo in bytes) and calls each(t) to store that token's results.
func storeLoop(T int, each func(t int)) {
	p("MOVQ R8, AX")
	for t := 0; t < T; t++ {
		if t > 0 {
			p("ADDQ R9, AX")
		}
		each(t)
	}
	p("VZEROUPPER")
	p("RET")
}

// stores writes all R×T accumulators (Y0.., index t·R+r) to out.
func stores(R, T int) {
	storeLoop(T, func(t int) {
		for r := 0; r < R; r++ {
			hsumStore(t*R+r, R*T, fmt.Sprintf("%d(AX)", 4*r))
		}
	})
}

// q8Args loads the arguments of func(nb int, w, a *byte, out *float32,
// ldo int): CX = nb, SI = w, DI = a, R8 = out, R9 = ldo in bytes.
func q8Args(name string) {
	header(name, "(nb int, w, a *byte, out *float32, ldo int)", 0, 40)
	p("MOVQ nb+0(FP), CX")
	p("MOVQ w+8(FP), SI")
	p("MOVQ a+16(FP), DI")
	p("MOVQ out+24(FP), R8")
	p("MOVQ ldo+32(FP), R9")
	p("SHLQ $2, R9")
}

// q8Prologue loads the arguments of
// func(nb int, w, a *byte, out *float32, ldo int): CX = nb, SI = w,
// DI = a, R8 = out, R9 = ldo in bytes, BX = DX = panel row stride, AX = 0.
func q8Prologue(name string, R, T int) {
	q8Args(name)
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
