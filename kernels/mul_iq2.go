package kernels

import "encoding/binary"

// Matrix-product kernels of the 2-bit lattice types, on the panel engine
// of mul_legacy.go. IQ2_XXS has one scale per 32 values: each sub-block
// becomes its signed grid values (±8, ±25, ±43) and the float32 scale
// ggml's dequantizer uses, so value × scale is exactly the dequantized
// weight. IQ2_XS and IQ2_S scale each 16 values, so their panel blocks
// hold 16 values and 16 zeros, and the Q8_K activations are unpacked the
// same way (twice the integer work of a 32-value panel; still exact).
var (
	MatIQ2_XXS = MatKernel{ActQ8_K, q8Mul("IQ2_XXS", decodeIQ2_XXS, qkK, blockIQ2XXS, ActQ8_K, false)}
	MatIQ2_XS  = MatKernel{ActQ8_K, q8MulPanels("IQ2_XS", decodeIQ2_XS, unpackQ8KHalf, 16, qkK, blockIQ2XS, ActQ8_K, false)}
	MatIQ2_S   = MatKernel{ActQ8_K, q8MulPanels("IQ2_S", decodeIQ2_S, unpackQ8KHalf, 16, qkK, blockIQ2S, ActQ8_K, false)}
)

// decodeIQ2_XXS unpacks nb/8 IQ2_XXS blocks into nb panel blocks.
func decodeIQ2_XXS(dst []byte, _ []float32, src []byte, nb int) {
	for ibl := 0; ibl < nb/8; ibl++ {
		s := src[ibl*blockIQ2XXS : (ibl+1)*blockIQ2XXS]
		d := fp16At(s)
		for ib := 0; ib < 8; ib++ {
			o := dst[(ibl*8+ib)*q8pBlock : (ibl*8+ib+1)*q8pBlock]
			aux := binary.LittleEndian.Uint32(s[6+8*ib:])
			for l := 0; l < 4; l++ {
				iq3Signed8(o[8*l:8*l+8], iq2DecXXS[s[2+8*ib+l]], iq3SignsXXS[aux>>(7*l)&127])
			}
			putF32(o[32:], iq2SubScale(d, uint8(aux>>28)))
		}
	}
}

// decodeIQ2_XS unpacks nb/16 IQ2_XS blocks into nb half panel blocks.
func decodeIQ2_XS(dst []byte, _ []float32, src []byte, nb int) {
	for ibl := 0; ibl < nb/16; ibl++ {
		s := src[ibl*blockIQ2XS : (ibl+1)*blockIQ2XS]
		d := fp16At(s)
		for ib := 0; ib < 16; ib++ {
			o := dst[(ibl*16+ib)*q8pBlock : (ibl*16+ib+1)*q8pBlock]
			for l := 0; l < 2; l++ {
				q := binary.LittleEndian.Uint16(s[2+4*ib+2*l:])
				iq3Signed8(o[8*l:8*l+8], iq2DecXS[q&511], iq3SignsXXS[q>>9])
			}
			clear(o[16:32])
			putF32(o[32:], iq2SubScale(d, s[66+ib/2]>>(4*(ib%2))&0xf))
		}
	}
}

// decodeIQ2_S unpacks nb/16 IQ2_S blocks into nb half panel blocks.
func decodeIQ2_S(dst []byte, _ []float32, src []byte, nb int) {
	for ibl := 0; ibl < nb/16; ibl++ {
		s := src[ibl*blockIQ2S : (ibl+1)*blockIQ2S]
		d := fp16At(s)
		for ib := 0; ib < 16; ib++ {
			o := dst[(ibl*16+ib)*q8pBlock : (ibl*16+ib+1)*q8pBlock]
			qh := uint16(s[66+ib/2])
			for l := 0; l < 2; l++ {
				i8 := 2*ib + l // group within the block; l2 within its 32
				l2 := i8 % 4
				gi := uint16(s[2+i8]) | qh<<(8-2*l2)&0x300
				iq3Signed8(o[8*l:8*l+8], iq2DecS[gi], s[34+i8])
			}
			clear(o[16:32])
			putF32(o[32:], iq2SubScale(d, s[74+ib/2]>>(4*(ib%2))&0xf))
		}
	}
}

// unpackQ8KHalf unpacks nb/16 Q8_K activation blocks into nb half panel
// blocks: 16 values, 16 zeros and the block's d.
func unpackQ8KHalf(dst []byte, _ []float32, src []byte, nb int) {
	for ibl := 0; ibl < nb/16; ibl++ {
		s := src[ibl*kqBytesQ8K : (ibl+1)*kqBytesQ8K]
		for ib := 0; ib < 16; ib++ {
			o := dst[(ibl*16+ib)*q8pBlock : (ibl*16+ib+1)*q8pBlock]
			copy(o[:16], s[4+16*ib:4+16*ib+16])
			clear(o[16:32])
			copy(o[32:36], s[0:4])
		}
	}
}
