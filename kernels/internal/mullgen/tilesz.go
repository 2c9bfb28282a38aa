package main

import "fmt"

// q8Z writes the AVX-512 VNNI tile on 512-bit registers,
// func(nb int, w, a *byte, out *float32, ldo int), for R rows (1..6) and T
// tokens (1..4). It reads a pair panel (written by the decode<type>Pair
// decoders: per block 32 codes of row 2p, 32 of row 2p+1, 8 copies of
// each one's scale): each register holds two rows' blocks side by side, and every 256-bit half goes through
// the same operations as a 256-bit tile (exact lane sums by VPDPBUSD
// from −128·Σa, convert, times ws·as, fused add into the half's 8 lanes),
// so the results are those of the AVX2 tiles and the one-token kernels bit
// for bit. Registers: acc Z0..Z11, tmp Z12,
// scale Z13, u_p Z16.., dw_p Z19.., a_t Z22.., nc_t Z26.., Z30 = 0,
// Z31 = 0x80 bytes. DX walks the pair panel (128 bytes a block), AX the
// activation panel (36).
func q8Z(R, T int) {
	P := (R + 1) / 2
	name := fmt.Sprintf("q8TileZ_%dx%d", R, T)
	q8Args(name)
	p("MOVQ CX, BX")
	p("SHLQ $7, BX")
	p("IMUL3Q $36, CX, DX")
	ptrs(P, T)
	p("XORQ AX, AX")
	p("XORQ DX, DX")
	for i := 0; i < P*T; i++ {
		p("VPXORD Z%d, Z%d, Z%d", i, i, i)
	}
	p("VPXORD Z30, Z30, Z30")
	p("VPBROADCASTD mullX80<>(SB), Z31")
	label(name + "_loop")
	for q := 0; q < P; q++ {
		p("VMOVDQU32 (%s)(DX*1), Z%d", rowPtr[q], 16+q)
		p("VPXORD Z31, Z%d, Z%d", 16+q, 16+q)
		p("VMOVUPS 64(%s)(DX*1), Z%d", rowPtr[q], 19+q)
	}
	for t := 0; t < T; t++ {
		p("VBROADCASTI64X4 (%s)(AX*1), Z%d", tokPtr[t], 22+t)
		p("VPXORD Z%d, Z%d, Z%d", 26+t, 26+t, 26+t)
		p("VPDPBUSD Z%d, Z31, Z%d", 22+t, 26+t)
		p("VPSUBD Z%d, Z30, Z%d", 26+t, 26+t)
	}
	for t := 0; t < T; t++ {
		for q := 0; q < P; q++ {
			p("VMOVDQA32 Z%d, Z12", 26+t)
			p("VPDPBUSD Z%d, Z%d, Z12", 22+t, 16+q)
			p("VCVTDQ2PS Z12, Z12")
			p("VMULPS.BCST 32(%s)(AX*1), Z%d, Z13", tokPtr[t], 19+q)
			p("VFMADD231PS Z12, Z13, Z%d", t*P+q)
		}
	}
	p("ADDQ $128, DX")
	p("ADDQ $36, AX")
	p("DECQ CX")
	p("JNZ %s_loop", name)
	storeLoop(T, func(t int) {
		for q := 0; q < P; q++ {
			acc := t*P + q
			if 2*q+1 < R {
				p("VEXTRACTF64X4 $1, Z%d, Y14", acc)
				hsumStore(14, 15, fmt.Sprintf("%d(AX)", 4*(2*q+1)))
			}
			hsumStore(acc, 15, fmt.Sprintf("%d(AX)", 4*2*q))
		}
	})
}
