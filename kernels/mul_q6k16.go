//go:build amd64 && !purego

package kernels

// 16-row interleaved Q6_K panels, laid out as mul_kq16.go's Q4_K ones but
// with the 6-bit codes unpacked to bytes, so the tiles (mullgen's q6k16)
// only load and multiply. One super-block of 16 rows is q6k16Block bytes:
// d as float32 per row (64 bytes), the 16 signed sub-block scales in pairs
// (sc[2j], sc[2j+1]) as int16 per row (8×64), then 64 code units of 64
// bytes: unit u holds row r's codes of values 4u…4u+3 at 4r. A panel is
// about 1.4× the encoded rows; the packer (mullgen's q6k16Pack) and the
// tiles need AVX512-VNNI with BW (kqHasVNNI).
const q6k16Block = 4672

// kq16MinToksQ6K is the fewest tokens for which the Q6_K panels pay: the
// packer is assembly, so on a 256×5632 product they break even at about
// 12 tokens and gain 1.15× at 16, 1.45× at 32, 1.9× at 64.
const kq16MinToksQ6K = 16

// packQ6K16 writes the 16 Q6_K rows at w (wStride bytes apart, nb
// super-blocks each) as an interleaved panel into dst (nb·q6k16Block
// bytes).
func packQ6K16(dst, w []byte, wStride, nb int) {
	_ = dst[nb*q6k16Block-1]
	_ = w[(kq16Rows-1)*wStride+nb*kqBytesQ6K-1]
	packQ6K16Codes(nb, &w[0], wStride, &dst[0])
}
