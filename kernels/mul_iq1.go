package kernels

import "encoding/binary"

// Matrix-product kernels of the 1-bit lattice types, on the panel engine
// of mul_legacy.go. ggml dequantizes a value as dl·(g + δ) with grid value
// g ∈ {−1, 0, 1}, delta δ = ±1/8 and sub-block scale dl = d·(2s+1). The
// panels hold the exact integer 8g ± 1 (±1, ±7, ±9) with scale dl/8, a
// power-of-two division, so value × scale is exactly the dequantized
// weight and the delta costs nothing: the shared integer tiles (AVX2 /
// AVX-512 VNNI, or their pure-Go twin) then form the products against
// Q8_K activations, as ggml pairs these types.
//
// IQ1_S scales each 32 values. IQ1_M scales each 16 (folding its 3-bit
// scale into the integers would reach ±135, past int8), so it uses
// 16-value panels padded with zeros, like IQ2_XS and IQ2_S.
var (
	MatIQ1_S = MatKernel{ActQ8_K, q8Mul("IQ1_S", decodeIQ1_S, qkK, blockIQ1S, ActQ8_K, false)}
	MatIQ1_M = MatKernel{ActQ8_K, q8MulPanels("IQ1_M", decodeIQ1_M, unpackQ8KHalf, 16, qkK, blockIQ1M, ActQ8_K, false)}
)

// iq1Signed8 writes the eight values 8g+1 (plus delta) or 8g−1 of grid
// entry g.
func iq1Signed8(o []byte, g uint64, minus bool) {
	o = o[:8]
	c := int8(1)
	if minus {
		c = -1
	}
	for j := range o {
		o[j] = uint8(8*iq1Value(g, j) + c)
	}
}

// decodeIQ1_S unpacks nb/8 IQ1_S blocks into nb panel blocks.
func decodeIQ1_S(dst []byte, _ []float32, src []byte, nb int) {
	for ibl := 0; ibl < nb/8; ibl++ {
		s := src[ibl*blockIQ1S : (ibl+1)*blockIQ1S]
		d := fp16At(s)
		for ib := 0; ib < 8; ib++ {
			o := dst[(ibl*8+ib)*q8pBlock : (ibl*8+ib+1)*q8pBlock]
			qh := binary.LittleEndian.Uint16(s[34+2*ib:])
			for l := 0; l < 4; l++ {
				iq1Signed8(o[8*l:], iq1Dec[uint16(s[2+4*ib+l])|(qh>>(3*l)&7)<<8], qh&0x8000 != 0)
			}
			putF32(o[32:], d*float32(2*(qh>>12&7)+1)*0.125)
		}
	}
}

// decodeIQ1_M unpacks nb/16 IQ1_M blocks into nb half panel blocks.
func decodeIQ1_M(dst []byte, _ []float32, src []byte, nb int) {
	for ibl := 0; ibl < nb/16; ibl++ {
		s := src[ibl*blockIQ1M : (ibl+1)*blockIQ1M]
		d, sc := iq1MScale(s)
		for ib := 0; ib < 16; ib++ { // 16-value halves
			o := dst[(ibl*16+ib)*q8pBlock : (ibl*16+ib+1)*q8pBlock]
			qh := s[32+ib]
			for k := 0; k < 2; k++ {
				g := iq1Dec[int(s[2*ib+k])|int(qh)<<(8-4*k)&0x700]
				iq1Signed8(o[8*k:], g, qh&(0x08<<(4*k)) != 0)
			}
			clear(o[16:32])
			putF32(o[32:], d*float32(2*(sc[ib/4]>>(3*(ib%4))&7)+1)*0.125)
		}
	}
}
