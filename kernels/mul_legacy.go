package kernels

import (
	"fmt"
	"sync"
)

// Matrix-product kernels of the legacy, IQ4, ternary and float weight
// types.
//
// The integer types share one engine. A weight row is unpacked, a few rows
// at a time, into "panel" blocks of 32 signed bytes and a float32 scale
// (36 bytes; q8p below), exactly: Q4_0 gives q−8, Q5_0 q−16, IQ4_NL and
// IQ4_XS their code-book values, the ternary types −1/0/1, Q4_1/Q5_1 the
// unsigned codes with the min kept aside, and the scale is fp16(d), or
// d·(ls−32) for an IQ4_XS sub-block, or d for every sub-block of a 256-block.
// Activations (Q8_0, Q8_1, Q8_K) are unpacked the same way once per call.
// A tile then forms every (row, token) product of its rows and tokens as
//
//	acc[8] = 0; for each block b: acc[i] += float32(Σ_{j=4i..4i+3} w_j·a_j) · (ws_b·as_b)
//	out = ((acc0+acc4)+(acc2+acc6)) + ((acc1+acc5)+(acc3+acc7))
//
// with exact integer lane sums and one fused multiply-add per lane and
// block, so every tile shape (and the AVX2 and AVX-512 VNNI paths, whose
// integer sums are equal) gives bit-identical results. Q4_1/Q5_1 then add
// Σ_b m_b·s_b (Q8_1's stored sum) in block order, as ggml does. The pure-Go
// twin accumulates one float32 per (row, token) in block order instead; it
// agrees with the assembly to rounding.
//
// A call with one token skips the panels: fused kernels (mullgen's
// "direct" ones) read the encoded weight blocks, four rows at a time while
// prefetching the next four, and do the same arithmetic. The VNNI tiles
// hold two rows per 512-bit register, each half repeating a 256-bit tile's
// operations. Every call unpacks all its tokens' activations once, so
// callers do best handing a call many rows (and any number of tokens).
//
// Activation bytes must lie in [−127, 127], as every quantizer here writes
// them: the AVX2 path multiplies with ggml's sign trick, which turns a
// −128 activation against a negative weight into the wrong sign.
var (
	MatQ4_0   = MatKernel{ActQ8_0, q8Mul("Q4_0", decodeQ4_0, 32, blockQ4_0, ActQ8_0, false)}
	MatQ4_1   = MatKernel{ActQ8_1, q8Mul("Q4_1", decodeQ4_1, 32, blockQ4_1, ActQ8_1, true)}
	MatQ5_0   = MatKernel{ActQ8_0, q8Mul("Q5_0", decodeQ5_0, 32, blockQ5_0, ActQ8_0, false)}
	MatQ5_1   = MatKernel{ActQ8_1, q8Mul("Q5_1", decodeQ5_1, 32, blockQ5_1, ActQ8_1, true)}
	MatQ8_0   = MatKernel{ActQ8_0, q8Mul("Q8_0", decodeQ8_0, 32, blockQ8_0, ActQ8_0, false)}
	MatIQ4_NL = MatKernel{ActQ8_0, q8Mul("IQ4_NL", decodeIQ4_NL, 32, blockIQ4NL, ActQ8_0, false)}
	MatIQ4_XS = MatKernel{ActQ8_K, q8Mul("IQ4_XS", decodeIQ4_XS, qkK, blockIQ4XS, ActQ8_K, false)}
	MatTQ1_0  = MatKernel{ActQ8_K, q8Mul("TQ1_0", decodeTQ1_0, qkK, blockTQ1, ActQ8_K, false)}
	MatTQ2_0  = MatKernel{ActQ8_K, q8Mul("TQ2_0", decodeTQ2_0, qkK, blockTQ2, ActQ8_K, false)}
	MatF32    = MatKernel{ActF32, floatMul(fKindF32)}
	MatF16    = MatKernel{ActF16, floatMul(fKindF16)}
	MatBF16   = MatKernel{ActBF16, floatMul(fKindBF16)}
)

// q8pBlock is the size of one panel block: 32 int8 values, float32 scale.
const q8pBlock = 36

// q8Decoder unpacks nb 32-value blocks' worth of one encoded weight row
// into panel blocks (dst, nb·36 bytes); mins (nb values) receives the
// Q4_1/Q5_1 block minimums and is nil for the other types. Activation
// unpackers share the type, with Q8_1's block sums in place of mins.
type q8Decoder func(dst []byte, mins []float32, src []byte, nb int)

// q8Tiles forms a tile of products from panels (see the package comment
// above): out[t·ldo+r] for r < rr rows of w and t < tt tokens of a, each
// panel row nb blocks long. shape gives the tile to use for a call with
// toks tokens.
type q8Tiles struct {
	shape  func(toks int) (r, t int)
	run    func(rr, tt, nb int, w, a []byte, out []float32, ldo int)
	direct map[string]directFunc
	// pairDec, when set, holds decoders (by type name) into the paired
	// layout run then reads instead of panel rows: row r at
	// r/2·nb·128 + r%2·32, packBytes(rr, nb) bytes for rr rows.
	pairDec   map[string]q8Decoder
	packBytes func(rr, nb int) int
	// wide (by type name) multiplies 16-row groups through interleaved
	// panels from kq16MinToks tokens on.
	wide map[string]q8WideFunc
}

// directFunc is a fused one-token kernel reading encoded weight rows
// (rows of them, wStride bytes apart) against one activation panel row a
// (with its Q8_1 block sums for Q4_1/Q5_1, else nil), writing
// out[0:rows]; its results equal the tiles' (plus min terms) bit for bit.
type directFunc func(nb int, w []byte, wStride, rows int, a []byte, sums []float32, out []float32)

// q8WideFunc multiplies rows (a multiple of 16) of an integer type
// through 16-row interleaved panels (mul_q8x16_amd64.go), nb 32-value
// blocks a row, with the results of the panel tiles.
type q8WideFunc func(nb int, w []byte, wStride, rows int, a []byte, aStride, toks int, out []float32, ldo int)

// Byte sizes of the 16-row interleaved blocks (see mullgen's q8x16): a
// panel block of 16 rows and one token's activation block.
const (
	q8x16BlockBytes = 576
	q8x16ActBytes   = 68
)

// mulScratch holds one call's panels; pooled, as MulFuncs run often and
// from many goroutines.
type mulScratch struct {
	b []byte
	f []float32
}

var scratchPool = sync.Pool{New: func() any { return new(mulScratch) }}

// grab returns the scratch's buffers resized to nb bytes and nf floats.
func (s *mulScratch) grab(nb, nf int) ([]byte, []float32) {
	if cap(s.b) < nb {
		s.b = make([]byte, nb)
	}
	if cap(s.f) < nf {
		s.f = make([]float32, nf)
	}
	return s.b[:nb], s.f[:nf]
}

// q8Mul builds the MulFunc of an integer weight type name: dec unpacks its rows
// (block values and bytes per encoded block), act is its activation format
// and hasMin marks Q4_1/Q5_1.
func q8Mul(name string, dec q8Decoder, block, blockBytes int, act ActFormat, hasMin bool) MulFunc {
	unpackAct := actUnpackers[act]
	if u := asmActUnpackers[act]; u != nil {
		unpackAct = u
	}
	return q8MulPanels(name, dec, unpackAct, qk32, block, blockBytes, act, hasMin)
}

// q8MulPanels is q8Mul with the activation unpacker given and perPanel
// values in each panel block: 32, or 16 (then padded with zeros) for the
// types whose scales cover 16 values.
func q8MulPanels(name string, dec, unpackAct q8Decoder, perPanel, block, blockBytes int, act ActFormat, hasMin bool) MulFunc {
	if d := asmDecoders[name]; d != nil {
		dec = d
	}
	return func(n int, w []byte, wStride, rows int, a []byte, aStride, toks int, out []float32, ldo int) {
		if rows <= 0 || toks <= 0 {
			return
		}
		if n%block != 0 { // the assembly loops count whole blocks
			panic(fmt.Sprintf("kernels: %s product over %d values, not a multiple of %d", name, n, block))
		}
		nb := n / perPanel
		if nb == 0 {
			for t := 0; t < toks; t++ {
				clear(out[t*ldo : t*ldo+rows])
			}
			return
		}
		if wide := q8TileImpl.wide[name]; wide != nil && toks >= kq16MinToks && rows >= kq16Rows {
			r16 := rows &^ (kq16Rows - 1)
			wide(nb, w, wStride, r16, a, aStride, toks, out, ldo)
			if r16 == rows {
				return
			}
			w, out, rows = w[r16*wStride:], out[r16:], rows-r16
		}
		tiles := q8TileImpl
		tr, tt := tiles.shape(toks)
		pb := nb * q8pBlock
		s := scratchPool.Get().(*mulScratch)
		defer scratchPool.Put(s)
		nf := 0
		if hasMin { // mins (3 spare rows for 4-row blocks), sums, sums block-major
			nf = (tr+3)*nb + 2*toks*nb + 8
		}
		pairDec := tiles.pairDec[name]
		pk := 0
		if tiles.packBytes != nil { // paired tiles; types without a pair decoder are converted
			pk = tiles.packBytes(tr, nb)
		}
		buf, fl := s.grab((tr+toks)*pb+pk, nf)
		wp, ap, pp := buf[:tr*pb], buf[tr*pb:(tr+toks)*pb], buf[(tr+toks)*pb:]
		var wm, as, sT []float32
		if hasMin {
			wm, as, sT = fl[:(tr+3)*nb], fl[(tr+3)*nb:(tr+3+toks)*nb], fl[(tr+3+toks)*nb:]
		}
		ab := act.RowBytes(n)
		for t := 0; t < toks; t++ {
			var sums []float32
			if hasMin {
				sums = as[t*nb : (t+1)*nb]
			}
			unpackAct(ap[t*pb:(t+1)*pb], sums, a[t*aStride:t*aStride+ab], nb)
		}
		if hasMin {
			transposeSums(sT, as, toks, nb)
		}
		if direct := tiles.direct[name]; direct != nil && toks == 1 {
			for t := 0; t < toks; t++ {
				var sums []float32
				if hasMin {
					sums = as[t*nb : (t+1)*nb]
				}
				direct(nb, w, wStride, rows, ap[t*pb:(t+1)*pb], sums, out[t*ldo:t*ldo+rows])
			}
			return
		}
		wb := n / block * blockBytes
		for r0 := 0; r0 < rows; r0 += tr {
			rr := min(tr, rows-r0)
			for r := 0; r < rr; r++ {
				var mins []float32
				if hasMin {
					mins = wm[r*nb : (r+1)*nb]
				}
				src := w[(r0+r)*wStride : (r0+r)*wStride+wb]
				if pairDec != nil {
					pairDec(pp[r/2*nb*128+r%2*32:], mins, src, nb)
				} else {
					dec(wp[r*pb:(r+1)*pb], mins, src, nb)
				}
			}
			tw := wp
			if pairDec != nil {
				tw = pp
			} else if pk != 0 {
				panelsToPairs(pp, wp, rr, nb)
				tw = pp
			}
			for t0 := 0; t0 < toks; t0 += tt {
				ct := min(tt, toks-t0)
				o := out[t0*ldo+r0:]
				tiles.run(rr, ct, nb, tw, ap[t0*pb:], o, ldo)
			}
			if hasMin {
				addMinTerms(rr, toks, nb, wm, as, sT, out[r0:], ldo)
			}
		}
	}
}

// panelsToPairs rewrites rr panel rows (nb blocks each) in the paired
// layout of the 512-bit tiles: per pair of rows and block, 32 values of
// each row, then its scale eight times for each row.
func panelsToPairs(pp, wp []byte, rr, nb int) {
	for r := 0; r < rr; r++ {
		base := r/2*nb*128 + r%2*32
		for b := 0; b < nb; b++ {
			src := wp[(r*nb+b)*q8pBlock : (r*nb+b+1)*q8pBlock]
			dst := pp[base+b*128 : base+b*128+96]
			copy(dst[:32], src[:32])
			for i := 0; i < 8; i++ {
				copy(dst[64+4*i:68+4*i], src[32:36])
			}
		}
	}
}

// transposeSums writes the toks×nb block sums as block-major sT[b·toks+t].
func transposeSums(sT, as []float32, toks, nb int) {
	for t := 0; t < toks; t++ {
		for b, v := range as[t*nb : (t+1)*nb] {
			sT[b*toks+t] = v
		}
	}
}

// addMinTerms adds the Q4_1/Q5_1 min terms Σ_b m_b·s_b (in block order,
// each product rounded, as minDot) to a row tile's outputs
// out[t·ldo+r], r < rr, t < toks; wm holds the rows' mins, as the tokens'
// block sums and sT the same block-major.
func addMinTerms(rr, toks, nb int, wm, as, sT []float32, out []float32, ldo int) {
	if minDots4x8Bulk(rr, toks, nb, wm, sT, out, ldo) {
		return
	}
	for t := 0; t < toks; t++ {
		for r := 0; r < rr; r++ {
			out[t*ldo+r] += minDot(wm[r*nb:(r+1)*nb], as[t*nb:])
		}
	}
}

// minDot is Σ_b m_b·s_b in block order, the Q4_1/Q5_1 min term.
func minDot(m, s []float32) float32 {
	var acc float32
	s = s[:len(m)]
	for b, v := range m {
		acc += float32(v * s[b])
	}
	return acc
}

// q8TilesGo is the pure-Go tile (the twin of the assembly tiles).
var q8TilesGo = q8Tiles{
	shape: func(toks int) (int, int) { return 4, 4 },
	run: func(rr, tt, nb int, w, a []byte, out []float32, ldo int) {
		pb := nb * q8pBlock
		for t := 0; t < tt; t++ {
			for r := 0; r < rr; r++ {
				out[t*ldo+r] = q8DotGo(nb, w[r*pb:(r+1)*pb], a[t*pb:(t+1)*pb])
			}
		}
	},
}

// q8DotGo is one (row, token) product of two panels: per block the exact
// integer dot product, times ws·as, summed in block order.
func q8DotGo(nb int, w, a []byte) float32 {
	var acc float32
	w, a = w[:nb*q8pBlock], a[:nb*q8pBlock]
	for b := 0; b < nb; b++ {
		x := w[b*q8pBlock : b*q8pBlock+q8pBlock]
		y := a[b*q8pBlock : b*q8pBlock+q8pBlock]
		var s0, s1, s2, s3 int32
		for j := 0; j < 32; j += 4 {
			s0 += int32(int8(x[j])) * int32(int8(y[j]))
			s1 += int32(int8(x[j+1])) * int32(int8(y[j+1]))
			s2 += int32(int8(x[j+2])) * int32(int8(y[j+2]))
			s3 += int32(int8(x[j+3])) * int32(int8(y[j+3]))
		}
		sc := float32(f32At(x[32:]) * f32At(y[32:]))
		acc += float32(float32(s0+s1+s2+s3) * sc)
	}
	return acc
}
