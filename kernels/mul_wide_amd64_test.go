//go:build amd64 && !purego && linux

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// wideShapes cross the 16-row groups (tail rows), the 64-row blocks of
// the Q8_0 path, the tile's token count (tail tokens) and kq16MinToks.
var wideShapes = []struct{ rows, toks int }{
	{16, 16}, {17, 17}, {33, 18}, {80, 19}, {16, 40}, {15, 64}, {48, 15},
}

// TestQ8WideMatchesPanels checks the 16-row interleaved Q8_0 path against
// the panel tiles (forced by a tile family without it) bit for bit, on
// every weight mode, several row lengths, strides with slack, and an
// output with ldo > rows whose other cells must stay untouched.
func TestQ8WideMatchesPanels(t *testing.T) {
	if q8TileImpl.wide["Q8_0"] == nil {
		t.Skip("no 16-row Q8_0 tiles on this CPU")
	}
	c := mulCases[0]
	narrow := q8TileImpl
	narrow.wide = nil
	for _, n := range []int{32, 96, 256, 2048} {
		for _, mode := range weightModes {
			for _, sh := range wideShapes {
				name := fmt.Sprintf("n%d/%s/%dx%d", n, mode, sh.rows, sh.toks)
				r := rand.New(rand.NewPCG(uint64(n), uint64(sh.rows*100+sh.toks)))
				wb, ab := n/c.block*c.size, c.k.Act.RowBytes(n)
				wStride, aStride, ldo := wb+3, ab+5, sh.rows+7
				w, a := make([]byte, sh.rows*wStride), make([]byte, sh.toks*aStride)
				for i := 0; i < sh.rows; i++ {
					copy(w[i*wStride:], makeWeights(r, c, mode, n))
				}
				for i := 0; i < sh.toks; i++ {
					copy(a[i*aStride:], makeActs(r, c.k.Act, mode, n))
				}
				got := make([]float32, sh.toks*ldo)
				want := make([]float32, sh.toks*ldo)
				for i := range got {
					got[i], want[i] = -7, -7
				}
				c.k.Mul(n, w, wStride, sh.rows, a, aStride, sh.toks, got, ldo)
				withTiles(narrow, fTileImpl, func() {
					c.k.Mul(n, w, wStride, sh.rows, a, aStride, sh.toks, want, ldo)
				})
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s: out[%d,%d] = %v, panel tiles %v", name, i/ldo, i%ldo, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestWideNoOverread runs the 16-row paths on weights and activations
// that end at an inaccessible page.
func TestWideNoOverread(t *testing.T) {
	const n, rows, toks = 512, 16, 16
	r := rand.New(rand.NewPCG(9, 9))
	c := mulCases[0]
	wb, ab := n/c.block*c.size, c.k.Act.RowBytes(n)
	w := guardedBytes(t, rows*wb)
	a := guardedBytes(t, toks*ab)
	for i := 0; i < rows; i++ {
		copy(w[i*wb:], makeWeights(r, c, "random", n))
	}
	for i := 0; i < toks; i++ {
		copy(a[i*ab:], makeActs(r, c.k.Act, "random", n))
	}
	c.k.Mul(n, w, wb, rows, a, ab, toks, make([]float32, rows*toks), rows)
	for _, kc := range kqMulCases() {
		kwb, kab := n/kqBlock*kc.bytes, ActQ8_K.RowBytes(n)
		kw := guardedBytes(t, rows*kwb)
		copy(kw, kqWeights(kc, kqWRandom, r, n, rows, kwb))
		ka := guardedBytes(t, toks*kab)
		copy(ka, kqActs(kqARandom, r, n, toks, kab))
		kc.mat.Mul(n, kw, kwb, rows, ka, kab, toks, make([]float32, rows*toks), rows)
	}
}
