package kernels

import "encoding/binary"

// 16-row interleaved Q6_K panels, laid out as mul_kq16.go's Q4_K ones but
// with the 6-bit codes unpacked to bytes, so the tiles (mullgen's q6k16)
// only load and multiply. One super-block of 16 rows is q6k16Block bytes:
// d as float32 per row (64 bytes), the 16 signed sub-block scales as a
// byte per row (16×16), the offset pairs (−32·sc[2j], −32·sc[2j+1]) as
// int16 per row (8×64), then 64 code units of 64 bytes: unit u holds row
// r's codes of values 4u…4u+3 at 4r. A panel is about 1.5× the encoded
// rows.
const q6k16Block = 4928

// packQ6K16 writes the 16 Q6_K rows at w (wStride bytes apart, nb
// super-blocks each) as an interleaved panel into dst (nb·q6k16Block
// bytes).
func packQ6K16(dst, w []byte, wStride, nb int) {
	dst = dst[:nb*q6k16Block]
	for r := 0; r < kq16Rows; r++ {
		row := w[r*wStride : r*wStride+nb*kqBytesQ6K]
		for b := 0; b < nb; b++ {
			blk := row[b*kqBytesQ6K : (b+1)*kqBytesQ6K]
			o := dst[b*q6k16Block : (b+1)*q6k16Block]
			putF32(o[4*r:], fp16At(blk[208:]))
			sc := blk[192:208]
			for s := 0; s < 16; s++ {
				o[64+16*s+r] = sc[s]
			}
			for j := 0; j < 8; j++ {
				lo := uint16(-32 * int16(int8(sc[2*j])))
				hi := uint16(-32 * int16(int8(sc[2*j+1])))
				binary.LittleEndian.PutUint32(o[320+64*j+4*r:], uint32(lo)|uint32(hi)<<16)
			}
			codes := o[832:]
			put := func(i int, v uint64) { // codes of values i…i+7
				binary.LittleEndian.PutUint32(codes[16*i+4*r:], uint32(v))
				binary.LittleEndian.PutUint32(codes[16*i+64+4*r:], uint32(v>>32))
			}
			for n := 0; n < 2; n++ {
				for l := 0; l < 32; l += 8 {
					lo := le64(blk, 64*n+l)
					hi := le64(blk, 64*n+32+l)
					h := le64(blk, 128+32*n+l)
					i := 128*n + l
					put(i, lo&kqLo4|(h&kqLo2)<<4)
					put(i+32, hi&kqLo4|((h>>2)&kqLo2)<<4)
					put(i+64, (lo>>4)&kqLo4|((h>>4)&kqLo2)<<4)
					put(i+96, (hi>>4)&kqLo4|((h>>6)&kqLo2)<<4)
				}
			}
		}
	}
}
