package kernels

// Matrix products of the float weight types (F32, F16, BF16), whose
// activations come in the same format (ggml rounds them to F16 for F16
// weights and to BF16 for BF16 weights).
//
// The AVX2 tiles form each (row, token) product over the first n&^7
// values as eight float32 lanes (lane i takes values ≡ i mod 8), one fused
// multiply-add per lane and 8 values, reduced as
// ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7)); the last n mod 8 products are then
// added one by one in Go. The AVX-512 tiles do the same with 16 lanes over
// n&^15, first adding lane i+8 to lane i. Every tile shape gives the same bits. The pure-Go
// twin follows the AVX2 order (floatLanes), so it gives the AVX2 tiles' bits.

// fKind names a float weight (and activation) encoding.
type fKind uint8

// The float encodings.
const (
	fKindF32 fKind = iota
	fKindF16
	fKindBF16
)

// fKindInfo gives each encoding's value size and row decoder.
var fKindInfo = [...]struct {
	size   int
	decode func(dst []float32, src []byte)
}{
	fKindF32:  {4, BytesToF32Row},
	fKindF16:  {2, F16ToF32Row},
	fKindBF16: {2, BF16ToF32Row},
}

// fTiles is an assembly implementation of the float tiles: shape picks the
// tile for toks tokens; run fills out[t·ldo+r] (r < rr, t < tt) with the
// lane sums over nc groups of chunk values (8 or 16 lanes).
type fTiles struct {
	chunk int
	shape func(toks int) (r, t int)
	run   func(k fKind, rr, tt, nc int, w []byte, wStride int, a []byte, aStride int, out []float32, ldo int)
}

// floatMul builds the MulFunc of a float weight type.
func floatMul(k fKind) MulFunc {
	return func(n int, w []byte, wStride, rows int, a []byte, aStride, toks int, out []float32, ldo int) {
		if rows <= 0 || toks <= 0 {
			return
		}
		if fTileImpl == nil {
			floatMulGo(k, n, w, wStride, rows, a, aStride, toks, out, ldo)
			return
		}
		tiles := fTileImpl
		nc := n / tiles.chunk
		tr, tt := tiles.shape(toks)
		for r0 := 0; r0 < rows; r0 += tr {
			rr := min(tr, rows-r0)
			for t0 := 0; t0 < toks; t0 += tt {
				ct := min(tt, toks-t0)
				o := out[t0*ldo+r0:]
				if nc > 0 {
					tiles.run(k, rr, ct, nc, w[r0*wStride:], wStride, a[t0*aStride:], aStride, o, ldo)
				} else {
					for t := 0; t < ct; t++ {
						clear(o[t*ldo : t*ldo+rr])
					}
				}
				if n%tiles.chunk != 0 {
					floatTail(k, nc*tiles.chunk, n, rr, ct, w[r0*wStride:], wStride, a[t0*aStride:], aStride, o, ldo)
				}
			}
		}
	}
}

// floatTail adds the products of values lo..n-1 to a tile's outputs, one by
// one.
func floatTail(k fKind, lo, n, rr, tt int, w []byte, wStride int, a []byte, aStride int, out []float32, ldo int) {
	sz, dec := fKindInfo[k].size, fKindInfo[k].decode
	var wv, av [16]float32
	for t := 0; t < tt; t++ {
		dec(av[:n-lo], a[t*aStride+lo*sz:t*aStride+n*sz])
		for r := 0; r < rr; r++ {
			dec(wv[:n-lo], w[r*wStride+lo*sz:r*wStride+n*sz])
			s := out[t*ldo+r]
			for i := 0; i < n-lo; i++ {
				s += float32(wv[i] * av[i])
			}
			out[t*ldo+r] = s
		}
	}
}

// floatMulGo is the pure-Go float product: rows and tokens decoded to
// float32, each (row, token) summed as the AVX2 tiles do (floatLanes), so
// the twin gives the AVX2 build's bits.
func floatMulGo(k fKind, n int, w []byte, wStride, rows int, a []byte, aStride, toks int, out []float32, ldo int) {
	sz, dec := fKindInfo[k].size, fKindInfo[k].decode
	s := scratchPool.Get().(*mulScratch)
	defer scratchPool.Put(s)
	_, f := s.grab(0, (toks+1)*n)
	wr, ar := f[:n], f[n:]
	for t := 0; t < toks; t++ {
		dec(ar[t*n:(t+1)*n], a[t*aStride:t*aStride+n*sz])
	}
	for r := 0; r < rows; r++ {
		dec(wr, w[r*wStride:r*wStride+n*sz])
		for t := 0; t < toks; t++ {
			out[t*ldo+r] = floatLanes(wr, ar[t*n:(t+1)*n])
		}
	}
}

// floatLanes is the AVX2 tiles' sum of w[i]·x[i]: eight float32 lanes
// (lane j takes i ≡ j mod 8) updated by fused multiply-adds over the first
// len(w)&^7 values, reduced as ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7)), then
// the remaining products added one by one.
func floatLanes(w, x []float32) float32 {
	x = x[:len(w)]
	n8 := len(w) &^ 7
	var l [8]float32
	for i := 0; i < n8; i += 8 {
		for j := range l {
			l[j] = fma32(w[i+j], x[i+j], l[j])
		}
	}
	acc := ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]))
	for i := n8; i < len(w); i++ {
		acc += float32(w[i] * x[i])
	}
	return acc
}
