package kernels

import "encoding/binary"

// 16-row interleaved Q4_K panels: the layout of the prompt-processing
// tiles (mullgen's kq16), in which every int32 lane of a 512-bit register
// belongs to one weight row, so a tile of 16 rows × up to 4 tokens adds
// its exact integer sums without horizontal reductions (ggml's CPU
// "repack" buffers interleave rows for the same reason). A product with
// enough tokens packs its rows, 16 at a time, into a pooled scratch panel
// (rows·nb·176 bytes, about 1.2× the encoded rows) and runs the tiles over
// all its tokens; nothing is kept between calls, so the model's memory
// stays the mapped file.
//
// One super-block of 16 rows is kq16Block bytes: d and dmin as float32 per
// row (64 bytes each), the eight 6-bit scales as a byte per row (8×16),
// the eight mins as an int16 pair (m, m) per row (8×64), then 32 code
// units of 64 bytes: unit u holds each row r's packed bytes qs[4u…4u+3]
// at 4r.
const (
	kq16Rows  = 16
	kq16Block = 2816
	// kq16MinToks is the fewest tokens for which gathering Q8_0 panels
	// pays; kq16MinToksQ4K the same for Q4_K: with the codes packed in
	// assembly the panels break even at about 13 tokens on a 256×5632
	// product and gain 1.1× at 16, 1.75× at 32, 2.15× at 64 (in pure Go
	// the packing had halved a prompt's speed at 16).
	kq16MinToks    = 16
	kq16MinToksQ4K = 16
)

// packQ4K16Head writes the 16 Q4_K rows at w (wStride bytes apart, nb
// super-blocks each) into the panel dst (nb·kq16Block bytes) but for the
// part packQ4K16Codes (assembly) writes: the scales and mins. Block
// by block, so one super-block of the panel stays in L1 while its 16
// rows fill it.
func packQ4K16Head(dst, w []byte, wStride, nb int) {
	dst = dst[:nb*kq16Block]
	for b := 0; b < nb; b++ {
		o := dst[b*kq16Block : (b+1)*kq16Block]
		for r := 0; r < kq16Rows; r++ {
			blk := w[r*wStride+b*kqBytesQ4K : r*wStride+(b+1)*kqBytesQ4K]
			for j := 0; j < 8; j++ {
				sc, m := kqGetScaleMinK4(j, blk[4:16])
				o[128+16*j+r] = sc
				binary.LittleEndian.PutUint32(o[256+64*j+4*r:], uint32(m)|uint32(m)<<16)
			}
		}
	}
}
