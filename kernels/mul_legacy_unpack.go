package kernels

import (
	"encoding/binary"
	"math"
)

// Unpacking of encoded weight and activation rows into panel blocks
// (32 int8 values, then a little-endian float32 scale; see mul_legacy.go).

// f32At reads a little-endian float32.
func f32At(b []byte) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(b)) }

// putF32 writes a little-endian float32.
func putF32(b []byte, f float32) { binary.LittleEndian.PutUint32(b, math.Float32bits(f)) }

// unpackNibbles writes the 32 values of 16 packed nibble bytes (low nibble
// = value j, high = value j+16) as lut[nibble].
func unpackNibbles(dst []byte, qs []byte, lut *[16]int8) {
	dst, qs = dst[:32], qs[:16]
	for j, q := range qs {
		dst[j] = uint8(lut[q&0x0f])
		dst[j+16] = uint8(lut[q>>4])
	}
}

// Nibble code books: Q4_0's q−8, Q4_1's q, IQ4's non-linear values.
var (
	lutQ4_0 = func() (t [16]int8) {
		for i := range t {
			t[i] = int8(i - 8)
		}
		return t
	}()
	lutQ4_1 = func() (t [16]int8) {
		for i := range t {
			t[i] = int8(i)
		}
		return t
	}()
)

// decodeQ8_0 unpacks Q8_0 weight blocks (q, fp16 d).
func decodeQ8_0(dst []byte, _ []float32, src []byte, nb int) {
	for b := 0; b < nb; b++ {
		s := src[b*blockQ8_0 : b*blockQ8_0+blockQ8_0]
		d := dst[b*q8pBlock : b*q8pBlock+q8pBlock]
		copy(d[:32], s[2:34])
		putF32(d[32:], fp16At(s))
	}
}

// decodeNibbles unpacks 18-byte nibble blocks (Q4_0, IQ4_NL).
func decodeNibbles(dst []byte, src []byte, nb int, lut *[16]int8) {
	for b := 0; b < nb; b++ {
		s := src[b*18 : b*18+18]
		d := dst[b*q8pBlock : b*q8pBlock+q8pBlock]
		unpackNibbles(d, s[2:], lut)
		putF32(d[32:], fp16At(s))
	}
}

// decodeQ4_0 unpacks Q4_0 weight blocks (q−8).
func decodeQ4_0(dst []byte, _ []float32, src []byte, nb int) { decodeNibbles(dst, src, nb, &lutQ4_0) }

// decodeIQ4_NL unpacks IQ4_NL weight blocks (code-book values).
func decodeIQ4_NL(dst []byte, _ []float32, src []byte, nb int) {
	decodeNibbles(dst, src, nb, &iq4Values)
}

// decodeQ4_1 unpacks Q4_1 weight blocks (q, d; m to mins).
func decodeQ4_1(dst []byte, mins []float32, src []byte, nb int) {
	for b := 0; b < nb; b++ {
		s := src[b*blockQ4_1 : b*blockQ4_1+blockQ4_1]
		d := dst[b*q8pBlock : b*q8pBlock+q8pBlock]
		unpackNibbles(d, s[4:], &lutQ4_1)
		putF32(d[32:], fp16At(s))
		mins[b] = fp16At(s[2:])
	}
}

// unpackQ5 writes the 32 five-bit codes of qs (nibbles) and qh (fifth
// bits) minus off.
func unpackQ5(dst, qh4, qs []byte, off int8) {
	dst, qs = dst[:32], qs[:16]
	qh := binary.LittleEndian.Uint32(qh4)
	for j, q := range qs {
		h0 := uint8(qh>>j<<4) & 0x10
		h1 := uint8(qh>>(j+12)) & 0x10
		dst[j] = uint8(int8(q&0x0f|h0) - off)
		dst[j+16] = uint8(int8(q>>4|h1) - off)
	}
}

// decodeQ5_0 unpacks Q5_0 weight blocks (q−16).
func decodeQ5_0(dst []byte, _ []float32, src []byte, nb int) {
	for b := 0; b < nb; b++ {
		s := src[b*blockQ5_0 : b*blockQ5_0+blockQ5_0]
		d := dst[b*q8pBlock : b*q8pBlock+q8pBlock]
		unpackQ5(d, s[2:6], s[6:], 16)
		putF32(d[32:], fp16At(s))
	}
}

// decodeQ5_1 unpacks Q5_1 weight blocks (q, d; m to mins).
func decodeQ5_1(dst []byte, mins []float32, src []byte, nb int) {
	for b := 0; b < nb; b++ {
		s := src[b*blockQ5_1 : b*blockQ5_1+blockQ5_1]
		d := dst[b*q8pBlock : b*q8pBlock+q8pBlock]
		unpackQ5(d, s[4:8], s[8:], 0)
		putF32(d[32:], fp16At(s))
		mins[b] = fp16At(s[2:])
	}
}

// decodeIQ4_XS unpacks IQ4_XS weight blocks: eight 32-value sub-blocks of
// code-book values with scale d·(ls−32) (exact in float32).
func decodeIQ4_XS(dst []byte, _ []float32, src []byte, nb int) {
	for ibl := 0; ibl < nb/8; ibl++ {
		s := src[ibl*blockIQ4XS : ibl*blockIQ4XS+blockIQ4XS]
		d := fp16At(s)
		scalesH := binary.LittleEndian.Uint16(s[2:])
		for ib := 0; ib < 8; ib++ {
			ls := int32(s[4+ib/2]>>(4*(ib%2)))&0x0f | int32(scalesH>>(2*ib)&3)<<4
			o := dst[(ibl*8+ib)*q8pBlock : (ibl*8+ib+1)*q8pBlock]
			unpackNibbles(o, s[8+ib*16:], &iq4Values)
			putF32(o[32:], d*float32(ls-32))
		}
	}
}

// decodeTQ2_0 unpacks TQ2_0 weight blocks (2-bit fields − 1; a field value
// 3 gives 2, as ggml decodes it).
func decodeTQ2_0(dst []byte, _ []float32, src []byte, nb int) {
	for ibl := 0; ibl < nb/8; ibl++ {
		s := src[ibl*blockTQ2 : ibl*blockTQ2+blockTQ2]
		d := fp16At(s[64:])
		o := dst[ibl*8*q8pBlock : (ibl+1)*8*q8pBlock]
		for h := 0; h < 2; h++ {
			for n := 0; n < 4; n++ {
				sb := o[(4*h+n)*q8pBlock : (4*h+n+1)*q8pBlock]
				for m, q := range s[32*h : 32*h+32] {
					sb[m] = uint8(int8(q>>(2*n)&3) - 1)
				}
				putF32(sb[32:], d)
			}
		}
	}
}

// tq1Trits[b][n] is trit n (0 = most significant) of a packed TQ1_0
// byte b, minus one.
var tq1Trits = func() (t [256][5]int8) {
	for b := range t {
		for n := range t[b] {
			p := uint8(b) * tqPow3[n]
			t[b][n] = int8((uint16(p)*3)>>8) - 1
		}
	}
	return t
}()

// decodeTQ1_0 unpacks TQ1_0 weight blocks (base-3 trits − 1): trit n of
// qs[0:32] gives values 32n.., of qs[32:48] values 160+16n.., of qh[0:4]
// values 240+4n...
func decodeTQ1_0(dst []byte, _ []float32, src []byte, nb int) {
	var v [qkK]byte
	for ibl := 0; ibl < nb/8; ibl++ {
		s := src[ibl*blockTQ1 : ibl*blockTQ1+blockTQ1]
		d := fp16At(s[52:])
		for m, q := range s[:32] {
			t := &tq1Trits[q]
			v[m], v[32+m], v[64+m], v[96+m], v[128+m] = uint8(t[0]), uint8(t[1]), uint8(t[2]), uint8(t[3]), uint8(t[4])
		}
		for m, q := range s[32:48] {
			t := &tq1Trits[q]
			v[160+m], v[176+m], v[192+m], v[208+m], v[224+m] = uint8(t[0]), uint8(t[1]), uint8(t[2]), uint8(t[3]), uint8(t[4])
		}
		for j, q := range s[48:52] {
			t := &tq1Trits[q]
			v[240+j], v[244+j], v[248+j], v[252+j] = uint8(t[0]), uint8(t[1]), uint8(t[2]), uint8(t[3])
		}
		for ib := 0; ib < 8; ib++ {
			o := dst[(ibl*8+ib)*q8pBlock : (ibl*8+ib+1)*q8pBlock]
			copy(o[:32], v[32*ib:32*ib+32])
			putF32(o[32:], d)
		}
	}
}

// actUnpackers unpack nb 32-value blocks of an encoded activation row;
// sums (Q8_1 only) receives each block's stored s.
var actUnpackers = map[ActFormat]q8Decoder{
	ActQ8_0: func(dst []byte, _ []float32, src []byte, nb int) { decodeQ8_0(dst, nil, src, nb) },
	ActQ8_1: func(dst []byte, sums []float32, src []byte, nb int) {
		for b := 0; b < nb; b++ {
			s := src[b*blockQ8_1 : b*blockQ8_1+blockQ8_1]
			d := dst[b*q8pBlock : b*q8pBlock+q8pBlock]
			copy(d[:32], s[4:36])
			putF32(d[32:], fp16At(s))
			sums[b] = fp16At(s[2:])
		}
	},
	ActQ8_K: func(dst []byte, _ []float32, src []byte, nb int) {
		for ibl := 0; ibl < nb/8; ibl++ {
			s := src[ibl*kqBytesQ8K : (ibl+1)*kqBytesQ8K]
			for ib := 0; ib < 8; ib++ {
				o := dst[(ibl*8+ib)*q8pBlock : (ibl*8+ib+1)*q8pBlock]
				copy(o[:32], s[4+32*ib:4+32*ib+32])
				copy(o[32:36], s[0:4])
			}
		}
	},
}
