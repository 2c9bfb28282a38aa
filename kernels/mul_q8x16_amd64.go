//go:build amd64 && !purego

package kernels

import "unsafe"

// q8WideTiles are the 16-row interleaved tiles by weight type name (of
// the VNNI family: q8ZTiles).
func q8WideTiles() map[string]q8WideFunc {
	if !Features().AVX512BW {
		return nil
	}
	return map[string]q8WideFunc{"Q8_0": q8MulWide}
}

// q8WideRowBlock is how many rows' panels q8MulWide packs before running
// them over a chunk of tokens (their panels stay in L2 with the chunk's
// activations).
const q8WideRowBlock = 64

// q8MulWide is the Q8_0 q8WideFunc: the tokens' activations are unpacked
// once (with each group's −128·Σa), the rows are packed 16 at a time by
// gathers, and the tiles take two tokens at a time; every output equals
// the panel tiles' bit for bit.
func q8MulWide(nb int, w []byte, wStride, rows int, a []byte, aStride, toks int, out []float32, ldo int) {
	s := scratchPool.Get().(*mulScratch)
	defer scratchPool.Put(s)
	ab := nb * q8x16ActBytes
	pb := nb * q8x16BlockBytes
	groups := min(rows, q8WideRowBlock) / kq16Rows
	buf, _ := s.grab(toks*ab+groups*pb, 0)
	acts, panels := buf[:toks*ab], buf[toks*ab:]
	_ = a[(toks-1)*aStride+nb*blockQ8_0-1]
	for t := 0; t < toks; t++ {
		unpackActQ8_0x16(nb, &a[t*aStride], &acts[t*ab])
	}
	_ = w[(rows-1)*wStride+nb*blockQ8_0-1]
	_ = out[(toks-1)*ldo+rows-1]
	chunk := max(2, (kqActCacheBytes/ab)&^1)
	for r0 := 0; r0 < rows; r0 += q8WideRowBlock {
		g1 := min(rows-r0, q8WideRowBlock) / kq16Rows
		for g := 0; g < g1; g++ {
			packQ8_0x16(nb, &w[(r0+g*kq16Rows)*wStride], wStride, &panels[g*pb])
		}
		for t0 := 0; t0 < toks; t0 += chunk {
			t1 := min(toks, t0+chunk)
			for g := 0; g < g1; g++ {
				for t := t0; t < t1; t += 2 {
					tt := min(2, t1-t)
					q8Tiles16[tt-1](nb, &panels[g*pb], &acts[t*ab], unsafe.SliceData(out[t*ldo+r0+g*kq16Rows:]), ldo)
				}
			}
		}
	}
}
