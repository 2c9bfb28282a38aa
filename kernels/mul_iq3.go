package kernels

import "encoding/binary"

// Matrix-product kernels of the 3-bit lattice types. A weight row is
// unpacked into panel blocks (see mul_legacy.go): each 32-value sub-block
// becomes its signed grid values (IQ3_XXS: up to ±62, IQ3_S: up to ±15)
// and the float32 sub-block scale ggml's dequantizer uses, so value ×
// scale is exactly the dequantized weight. The shared integer tiles
// (AVX2 / AVX-512 VNNI, or their pure-Go twin) then form the products
// against Q8_K activations, as ggml pairs these types.
var (
	MatIQ3_XXS = MatKernel{ActQ8_K, q8Mul("IQ3_XXS", decodeIQ3_XXS, qkK, blockIQ3XXS, ActQ8_K, false)}
	MatIQ3_S   = MatKernel{ActQ8_K, q8Mul("IQ3_S", decodeIQ3_S, qkK, blockIQ3S, ActQ8_K, false)}
)

// decodeIQ3_XXS unpacks nb/8 IQ3_XXS blocks into nb panel blocks.
func decodeIQ3_XXS(dst []byte, _ []float32, src []byte, nb int) {
	for ibl := 0; ibl < nb/8; ibl++ {
		s := src[ibl*blockIQ3XXS : (ibl+1)*blockIQ3XXS]
		d := fp16At(s)
		for ib := 0; ib < 8; ib++ {
			o := dst[(ibl*8+ib)*q8pBlock : (ibl*8+ib+1)*q8pBlock]
			aux := binary.LittleEndian.Uint32(s[66+4*ib:])
			for l := 0; l < 4; l++ {
				g := uint64(iq3DecXXS[s[2+8*ib+2*l]]) | uint64(iq3DecXXS[s[3+8*ib+2*l]])<<32
				iq3Signed8(o[8*l:8*l+8], g, iq3SignsXXS[aux>>(7*l)&127])
			}
			putF32(o[32:], float32(d*(0.5+float32(aux>>28)))*0.5)
		}
	}
}

// decodeIQ3_S unpacks nb/8 IQ3_S blocks into nb panel blocks.
func decodeIQ3_S(dst []byte, _ []float32, src []byte, nb int) {
	for ibl := 0; ibl < nb/8; ibl++ {
		s := src[ibl*blockIQ3S : (ibl+1)*blockIQ3S]
		d := fp16At(s)
		for ib := 0; ib < 8; ib++ {
			o := dst[(ibl*8+ib)*q8pBlock : (ibl*8+ib+1)*q8pBlock]
			qh := uint16(s[66+ib])
			for l := 0; l < 4; l++ {
				i0 := uint16(s[2+8*ib+2*l]) | (qh<<(8-2*l))&256
				i1 := uint16(s[3+8*ib+2*l]) | (qh<<(7-2*l))&256
				g := uint64(iq3DecS[i0]) | uint64(iq3DecS[i1])<<32
				iq3Signed8(o[8*l:8*l+8], g, s[74+4*ib+l])
			}
			putF32(o[32:], d*float32(1+2*int32(s[106+ib/2]>>(4*(ib%2))&0xf)))
		}
	}
}

// iq3Signed8 writes the eight grid bytes of g as int8, negated where sign
// bit j is set.
func iq3Signed8(o []byte, g uint64, sg uint8) {
	o = o[:8]
	for j := range o {
		v := int8(uint8(g >> (8 * j)))
		if sg>>j&1 != 0 {
			v = -v
		}
		o[j] = uint8(v)
	}
}
