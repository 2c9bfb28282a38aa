package kernels

import "encoding/binary"

// Dequantizers of the 2-bit lattice types (ggml's dequantize_row_iq2_*).

// iq2SubScale is a 4-bit sub-block scale s at super-block scale d:
// d·(0.5+s)·0.25, rounded as ggml rounds it.
func iq2SubScale(d float32, s uint8) float32 {
	return float32(d*float32(0.5+float32(s))) * 0.25
}

// DequantizeIQ2_XXS decodes IQ2_XXS blocks as ggml's dequantize_row_iq2_xxs.
func DequantizeIQ2_XXS(dst []float32, src []byte) {
	for i := 0; i < len(src)/blockIQ2XXS; i++ {
		b := src[i*blockIQ2XXS : (i+1)*blockIQ2XXS]
		d := fp16At(b)
		y := dst[i*qkK : (i+1)*qkK]
		for ib := 0; ib < 8; ib++ {
			aux := binary.LittleEndian.Uint32(b[6+8*ib:])
			db := iq2SubScale(d, uint8(aux>>28))
			for l := 0; l < 4; l++ {
				iq3Put8(y[32*ib+8*l:], db, iq2DecXXS[b[2+8*ib+l]], iq3SignsXXS[aux>>(7*l)&127])
			}
		}
	}
}

// DequantizeIQ2_XS decodes IQ2_XS blocks as ggml's dequantize_row_iq2_xs.
func DequantizeIQ2_XS(dst []float32, src []byte) {
	for i := 0; i < len(src)/blockIQ2XS; i++ {
		b := src[i*blockIQ2XS : (i+1)*blockIQ2XS]
		d := fp16At(b)
		y := dst[i*qkK : (i+1)*qkK]
		for ib := 0; ib < 8; ib++ {
			sc := b[66+ib]
			db := [2]float32{iq2SubScale(d, sc&0xf), iq2SubScale(d, sc>>4)}
			for l := 0; l < 4; l++ {
				q := binary.LittleEndian.Uint16(b[2+8*ib+2*l:])
				iq3Put8(y[32*ib+8*l:], db[l/2], iq2DecXS[q&511], iq3SignsXXS[q>>9])
			}
		}
	}
}

// DequantizeIQ2_S decodes IQ2_S blocks as ggml's dequantize_row_iq2_s.
func DequantizeIQ2_S(dst []float32, src []byte) {
	for i := 0; i < len(src)/blockIQ2S; i++ {
		b := src[i*blockIQ2S : (i+1)*blockIQ2S]
		d := fp16At(b)
		y := dst[i*qkK : (i+1)*qkK]
		for ib := 0; ib < 8; ib++ {
			sc := b[74+ib]
			db := [2]float32{iq2SubScale(d, sc&0xf), iq2SubScale(d, sc>>4)}
			qh := uint16(b[66+ib])
			for l := 0; l < 4; l++ {
				gi := uint16(b[2+4*ib+l]) | qh<<(8-2*l)&0x300
				iq3Put8(y[32*ib+8*l:], db[l/2], iq2DecS[gi], b[34+4*ib+l])
			}
		}
	}
}
