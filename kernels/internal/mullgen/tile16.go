package main

import "fmt"

// tile16Head starts a 16-row interleaved K-quant tile
// func(nb int, w, a *byte, aStride int, out *float32, ldo int) for T
// tokens: CX the super-block count, SI the panel, the tokens' Q8_K rows in
// the registers it returns, the float accumulators Z0… cleared. It
// returns the function's name and those registers.
func tile16Head(fn string, T int) (string, []string) {
	name := fmt.Sprintf("%s_%d", fn, T)
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
	return name, tok[:T]
}

// tile16Tail ends a tile16Head tile: the panel and the tokens move one
// super-block on (block bytes of panel), the loop closes, and the
// accumulators Z0… go to out, ldo floats apart.
func tile16Tail(name string, T, block int, tok []string) {
	p("ADDQ $%d, SI", block)
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
