//go:build amd64 && !purego

package kernels

import "unsafe"

//go:generate go run ./internal/mullgen

// q8TileImpl is the integer tile in use, chosen once from the CPU's
// features: AVX-512 VNNI, else AVX2, else the pure-Go twin.
var q8TileImpl = pickQ8Tiles(Features())

// fTileImpl is the float tile in use: the AVX-512 tiles, else the
// AVX2+FMA+F16C ones, or nil (the pure-Go product) without them.
var fTileImpl = pickFTiles(Features())

func pickQ8Tiles(f CPUFeatures) q8Tiles {
	switch {
	case hasVNNI(f):
		return q8ZTiles()
	case f.AVX2 && f.FMA && f.F16C:
		return q8AVX2Tiles()
	}
	return q8TilesGo
}

// hasVNNI reports whether the AVX-512 VNNI kernels can run (EVEX VPDPBUSD
// on 256- and 512-bit registers).
func hasVNNI(f CPUFeatures) bool {
	return f.AVX512VNNI && f.AVX512F && f.AVX512VL && f.AVX2 && f.FMA && f.F16C
}

// q8AVX2Tiles are the AVX2 tiles (up to 4×1, 3×2, 2×4) and one-token
// kernels.
func q8AVX2Tiles() q8Tiles {
	return q8AsmTiles(&q8TablesAVX2, directKernels(false), func(toks int) (int, int) {
		switch toks {
		case 1:
			return 4, 1
		case 2:
			return 3, 2
		}
		return 2, 4
	})
}

// q8ZTiles are the 512-bit VNNI tiles (two rows per register, up to 6
// rows × 4 tokens) with the 256-bit VNNI one-token kernels; their results
// equal the 256-bit tiles' bit for bit.
func q8ZTiles() q8Tiles {
	return q8Tiles{
		shape:  func(toks int) (int, int) { return 6, min(toks, 4) },
		direct: directKernels(true),
		run: func(rr, tt, nb int, w, a []byte, out []float32, ldo int) {
			_ = w[(rr+1)/2*nb*128-1]
			_ = a[tt*nb*q8pBlock-1]
			_ = out[(tt-1)*ldo+rr-1]
			q8TablesZ[rr-1][tt-1](nb, unsafe.SliceData(w), unsafe.SliceData(a), unsafe.SliceData(out), ldo)
		},
		packBytes: func(rr, nb int) int { return (rr + 1) / 2 * nb * 128 },
		pairDec:   pairDecoders(),
		wide:      q8WideTiles(),
	}
}

// q8AsmTiles wraps a table of assembly tiles (indexed [rows−1][toks−1]).
func q8AsmTiles(tab *[4][4]func(nb int, w, a *byte, out *float32, ldo int), direct map[string]directFunc, shape func(int) (int, int)) q8Tiles {
	return q8Tiles{
		shape:  shape,
		direct: direct,
		run: func(rr, tt, nb int, w, a []byte, out []float32, ldo int) {
			pb := nb * q8pBlock
			_ = w[rr*pb-1]
			_ = a[tt*pb-1]
			_ = out[(tt-1)*ldo+rr-1]
			tab[rr-1][tt-1](nb, unsafe.SliceData(w), unsafe.SliceData(a), unsafe.SliceData(out), ldo)
		},
	}
}

func pickFTiles(f CPUFeatures) *fTiles {
	if f.AVX512F && f.AVX512VL && f.FMA { // VL: the reduction adds halves of Z16+ as Y registers
		return floatAsmTiles(16, &fTables512, func(toks int) (int, int) { return 4, min(toks, 4) })
	}
	if !(f.AVX2 && f.FMA && f.F16C) {
		return nil
	}
	return floatAsmTiles(8, &fTables, func(toks int) (int, int) {
		switch toks {
		case 1:
			return 4, 1
		case 2:
			return 4, 2
		}
		return 3, 4
	})
}

// floatAsmTiles wraps a table of float tiles ([kind][rows−1][toks−1]) that
// take chunk values per step.
func floatAsmTiles(chunk int, tab *[3][4][4]func(nc int, w *byte, wStride int, a *byte, aStride int, out *float32, ldo int), shape func(int) (int, int)) *fTiles {
	return &fTiles{
		chunk: chunk,
		shape: shape,
		run: func(k fKind, rr, tt, nc int, w []byte, wStride int, a []byte, aStride int, out []float32, ldo int) {
			sz := fKindInfo[k].size
			_ = w[(rr-1)*wStride+nc*chunk*sz-1]
			_ = a[(tt-1)*aStride+nc*chunk*sz-1]
			_ = out[(tt-1)*ldo+rr-1]
			tab[k][rr-1][tt-1](nc, unsafe.SliceData(w), wStride, unsafe.SliceData(a), aStride, unsafe.SliceData(out), ldo)
		},
	}
}

// directKernels returns the fused one-token kernels (VNNI or AVX2) by
// weight type name.
func directKernels(vnni bool) map[string]directFunc {
	type dtab = *[4]func(nb int, w *byte, wStride int, a *byte, sums, out *float32)
	m := map[string]directFunc{}
	for name, t := range map[string]struct {
		avx2, vnni       dtab
		block, blockSize int // values and bytes per encoded block
	}{
		"Q8_0":   {&directQ8_0AVX2, &directQ8_0VNNI, 32, blockQ8_0},
		"Q4_0":   {&directQ4_0AVX2, &directQ4_0VNNI, 32, blockQ4_0},
		"IQ4_NL": {&directIQ4_NLAVX2, &directIQ4_NLVNNI, 32, blockIQ4NL},
		"Q5_0":   {&directQ5_0AVX2, &directQ5_0VNNI, 32, blockQ5_0},
		"Q4_1":   {&directQ4_1AVX2, &directQ4_1VNNI, 32, blockQ4_1},
		"Q5_1":   {&directQ5_1AVX2, &directQ5_1VNNI, 32, blockQ5_1},
		"IQ4_XS": {&directIQ4_XSAVX2, &directIQ4_XSVNNI, qkK, blockIQ4XS},
		"TQ2_0":  {&directTQ2_0AVX2, &directTQ2_0VNNI, qkK, blockTQ2},
		"TQ1_0":  {&directTQ1_0AVX2, &directTQ1_0VNNI, qkK, blockTQ1},
	} {
		tab := t.avx2
		if vnni {
			tab = t.vnni
		}
		m[name] = func(nb int, w []byte, wStride, rows int, a []byte, sums []float32, out []float32) {
			_ = a[nb*q8pBlock-1]
			_ = out[rows-1]
			var sp *float32
			if sums != nil {
				sp = unsafe.SliceData(sums[:nb])
			}
			wb := nb * 32 / t.block * t.blockSize
			for r0 := 0; r0 < rows; r0 += 4 {
				rr := min(4, rows-r0)
				_ = w[(r0+rr-1)*wStride+wb-1]
				tab[rr-1](nb, unsafe.SliceData(w[r0*wStride:]), wStride, unsafe.SliceData(a), sp, unsafe.SliceData(out[r0:]))
			}
		}
	}
	return m
}

// asmDecoders are the AVX2 panel decoders (exact twins of the Go ones), or
// nil without AVX2 and F16C.
var asmDecoders = func() map[string]q8Decoder {
	f := Features()
	if !(f.AVX2 && f.F16C) {
		return nil
	}
	m := map[string]q8Decoder{}
	for name, fn := range asmDecoderFuncs {
		blk := 32
		if name == "IQ4_XS" || name == "TQ2_0" || name == "TQ1_0" {
			blk = qkK
		}
		m[name] = wrapUnpacker(fn, blk, directBlockBytes[name])
	}
	return m
}()

// pairDecoders wrap the pair-panel decoders (an odd last row leaves the
// other half of its pair as it was: the tiles' halves never mix, and that
// half's results are not stored).
func pairDecoders() map[string]q8Decoder {
	m := map[string]q8Decoder{}
	for name, fn := range pairDecoderFuncs {
		blk := 32
		if name == "IQ4_XS" || name == "TQ2_0" || name == "TQ1_0" {
			blk = qkK
		}
		size := directBlockBytes[name]
		m[name] = func(dst []byte, mins []float32, src []byte, nb int) {
			_ = src[nb*32/blk*size-1]
			_ = dst[nb*128-32-1]
			var mp *float32
			if mins != nil {
				mp = unsafe.SliceData(mins[:nb])
			}
			fn(nb, unsafe.SliceData(src), unsafe.SliceData(dst), mp)
		}
	}
	return m
}

// wrapUnpacker turns an assembly unpacker of encoded blocks (blk values in
// size bytes) into panel blocks, with an optional float per 32 values
// (mins or sums), into a bounds-checked q8Decoder.
func wrapUnpacker(fn func(nb int, src, dst *byte, f *float32), blk, size int) q8Decoder {
	return func(dst []byte, f []float32, src []byte, nb int) {
		if nb == 0 {
			return
		}
		_ = src[nb*32/blk*size-1]
		_ = dst[nb*q8pBlock-1]
		var fp *float32
		if f != nil {
			fp = unsafe.SliceData(f[:nb])
		}
		fn(nb, unsafe.SliceData(src), unsafe.SliceData(dst), fp)
	}
}

// directBlockBytes are the encoded block sizes of the types with assembly.
var directBlockBytes = map[string]int{
	"Q8_0": blockQ8_0, "Q4_0": blockQ4_0, "IQ4_NL": blockIQ4NL, "Q5_0": blockQ5_0,
	"Q4_1": blockQ4_1, "Q5_1": blockQ5_1, "IQ4_XS": blockIQ4XS, "TQ2_0": blockTQ2, "TQ1_0": blockTQ1,
}

// asmActUnpackers are the AVX2 activation unpackers (exact twins of the
// Go ones), or nil without AVX2 and F16C.
var asmActUnpackers = func() map[ActFormat]q8Decoder {
	f := Features()
	if !(f.AVX2 && f.F16C) {
		return nil
	}
	return map[ActFormat]q8Decoder{
		ActQ8_0: wrapUnpacker(decodeQ8_0AVX2, 32, blockQ8_0),
		ActQ8_1: wrapUnpacker(unpackActQ8_1AVX2, 32, blockQ8_1),
		ActQ8_K: wrapUnpacker(unpackActQ8_KAVX2, qkK, kqBytesQ8K),
	}
}()

// actHalfBulk converts a prefix of src to fp16 (bf16 with bf set) into dst
// with the SIMD twin and returns its length (0 without F16C / AVX2).
func actHalfBulk(dst []byte, src []float32, bf bool) int {
	n := len(src) &^ 7
	if n == 0 {
		return 0
	}
	_ = dst[2*n-1]
	f := Features()
	switch {
	case bf && f.AVX2:
		return actBF16AVX2(unsafe.SliceData(dst), unsafe.SliceData(src), n)
	case !bf && f.F16C:
		return actF16F16C(unsafe.SliceData(dst), unsafe.SliceData(src), n)
	}
	return 0
}

//go:noescape
func actF16F16C(dst *byte, src *float32, n int) int

//go:noescape
func actBF16AVX2(dst *byte, src *float32, n int) int

// minDots4x8Bulk adds the min terms of rr rows × toks tokens to out with
// the AVX twin, four rows by eight tokens at a time (each lane repeating
// minDot's rounded multiply and add in block order), and reports whether
// it did; wm has 3 spare rows, sT 8 spare floats.
func minDots4x8Bulk(rr, toks, nb int, wm, sT []float32, out []float32, ldo int) bool {
	if !Features().AVX2 {
		return false
	}
	_ = wm[(rr+3)/4*4*nb-1]
	_ = sT[(nb-1)*toks+(toks+7)/8*8-1]
	var res [32]float32
	for r := 0; r < rr; r += 4 {
		for t0 := 0; t0 < toks; t0 += 8 {
			minDots4x8(nb, unsafe.SliceData(wm[r*nb:]), unsafe.SliceData(sT[t0:]), toks, &res)
			for i := 0; i < min(4, rr-r); i++ {
				for j := 0; j < min(8, toks-t0); j++ {
					out[(t0+j)*ldo+r+i] += res[i*8+j]
				}
			}
		}
	}
	return true
}

//go:noescape
func minDots4x8(nb int, m, sT *float32, toks int, res *[32]float32)
