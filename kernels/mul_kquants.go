package kernels

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
)

// Matrix-product kernels of the K-quant weight types; their activations
// are Q8_K blocks. Each weight super-block meets an activation block in
// exact integer arithmetic (the codes times the Q8_K values, weighted by
// the sub-block scales; the min terms from the Q8_K bsums, as ggml's
// ggml_vec_dot_qX_K_q8_K does), and only then in float32, in one fixed
// order per (row, token) that every code path shares (kqCombine), so the
// AVX2, VNNI and pure-Go paths and every tile shape give bit-identical
// outputs.
var (
	MatQ2_K = MatKernel{ActQ8_K, kqMulQ2K.mul}
	MatQ3_K = MatKernel{ActQ8_K, kqMulQ3K.mul}
	MatQ4_K = MatKernel{ActQ8_K, kqMulQ4K.mul}
	MatQ5_K = MatKernel{ActQ8_K, kqMulQ5K.mul}
	MatQ6_K = MatKernel{ActQ8_K, kqMulQ6K.mul}
)

// kqRowKernels are the per-row microkernels of one weight type. one
// continues the running sum acc with the product of one weight row (nb
// super-blocks) and one Q8_K activation row, and returns it; four
// continues the four sums acc with the products with the activation rows
// at a, a+aStride, a+2·aStride, a+3·aStride; eight (optional) does so for
// eight rows. All follow kqCombine exactly, so a product split into runs
// of blocks comes out bit-identical. (The sums travel by value: a pointer
// through a func value would cost a heap allocation per call.)
type kqRowKernels struct {
	name  string
	bytes int // encoded bytes per super-block
	one   func(w, a []byte, nb int, acc float32) float32
	four  func(w, a []byte, aStride, nb int, acc [4]float32) [4]float32
	eight func(w, a []byte, aStride, nb int, acc [8]float32) [8]float32
	// tiles16 (optional) multiplies rows (a multiple of 16) by toks
	// tokens through 16-row interleaved panels (mul_kq16.go,
	// mul_q6k16.go), with the same results; mul uses it from min16
	// tokens on.
	tiles16 func(nb int, w []byte, wStride, rows int, a []byte, aStride, toks int, out []float32, ldo int)
	min16   int
}

// The cache blocking of mul: a chunk of tokens whose activations stay in
// L2 (kqActCacheBytes) meets the weights in blocks of kqRowBlock rows;
// when one group of up to eight tokens holds more than kqL1ActBytes of
// activations, the blocks of a row are taken in runs that fit L1, the
// running sums waiting in out. (Variables so the tests can shrink them.)
var (
	kqActCacheBytes = 512 << 10
	kqL1ActBytes    = 32 << 10
	kqRowBlock      = 64
)

// mul is the MulFunc of the type, cache-blocked as above; within a tile
// tokens go in groups of eight or four (or one), each group meeting every
// row of the tile. Every output comes from the same arithmetic whatever
// the blocking.
func (k *kqRowKernels) mul(n int, w []byte, wStride, rows int, a []byte, aStride, toks int, out []float32, ldo int) {
	nb := kqMulCheck(k.name, k.bytes, n, w, wStride, rows, a, aStride, toks, out, ldo)
	if nb == 0 {
		for t := 0; t < toks; t++ {
			clear(out[t*ldo : t*ldo+rows])
		}
		return
	}
	if k.tiles16 != nil && toks >= k.min16 && rows >= kq16Rows {
		r16 := rows &^ (kq16Rows - 1)
		k.tiles16(nb, w, wStride, r16, a, aStride, toks, out, ldo)
		if r16 == rows {
			return
		}
		w, out, rows = w[r16*wStride:], out[r16:], rows-r16
	}
	chunk := max(8, kqActCacheBytes/(nb*kqBytesQ8K)&^7)
	run := nb
	if group := min(toks, 8); group*nb*kqBytesQ8K > kqL1ActBytes {
		run = max(1, kqL1ActBytes/(group*kqBytesQ8K))
	}
	rowBlock := max(1, kqRowBlock)
	for t0 := 0; t0 < toks; t0 += chunk {
		t1 := min(toks, t0+chunk)
		for r0 := 0; r0 < rows; r0 += rowBlock {
			r1 := min(rows, r0+rowBlock)
			for b0 := 0; b0 < nb; b0 += run {
				k.mulTile(kqTile{r0, r1, t0, t1, b0, min(nb, b0+run)}, w, wStride, a, aStride, out, ldo)
			}
		}
	}
}

// kqTile is a range of rows, tokens and super-blocks.
type kqTile struct{ r0, r1, t0, t1, b0, b1 int }

// mulTile adds blocks b0…b1 of rows r0…r1 times tokens t0…t1 to the
// running sums in out (which it starts when b0 is 0).
func (k *kqRowKernels) mulTile(tl kqTile, w []byte, wStride int, a []byte, aStride int, out []float32, ldo int) {
	nb := tl.b1 - tl.b0
	wOff, wb := tl.b0*k.bytes, nb*k.bytes
	aOff, ab := tl.b0*kqBytesQ8K, nb*kqBytesQ8K
	cont := tl.b0 > 0
	row := func(r int) []byte { return w[r*wStride+wOff : r*wStride+wOff+wb] }
	t := tl.t0
	for ; k.eight != nil && t+8 <= tl.t1; t += 8 {
		at := a[t*aStride+aOff : (t+7)*aStride+aOff+ab]
		for r := tl.r0; r < tl.r1; r++ {
			var acc [8]float32
			if cont {
				kqGather(acc[:], out, t*ldo+r, ldo)
			}
			acc = k.eight(row(r), at, aStride, nb, acc)
			kqScatter(out, t*ldo+r, ldo, acc[:])
		}
	}
	for ; t+4 <= tl.t1; t += 4 {
		at := a[t*aStride+aOff : (t+3)*aStride+aOff+ab]
		for r := tl.r0; r < tl.r1; r++ {
			var acc [4]float32
			if cont {
				kqGather(acc[:], out, t*ldo+r, ldo)
			}
			acc = k.four(row(r), at, aStride, nb, acc)
			kqScatter(out, t*ldo+r, ldo, acc[:])
		}
	}
	for ; t < tl.t1; t++ {
		at := a[t*aStride+aOff : t*aStride+aOff+ab]
		for r := tl.r0; r < tl.r1; r++ {
			var acc float32
			if cont {
				acc = out[t*ldo+r]
			}
			out[t*ldo+r] = k.one(row(r), at, nb, acc)
		}
	}
}

// kqGather copies out[i], out[i+ldo], … into acc.
func kqGather(acc, out []float32, i, ldo int) {
	for j := range acc {
		acc[j] = out[i+j*ldo]
	}
}

// kqScatter copies acc to out[i], out[i+ldo], ….
func kqScatter(out []float32, i, ldo int, acc []float32) {
	for j, v := range acc {
		out[i+j*ldo] = v
	}
}

// kqMulCheck validates the MulFunc arguments (a caller bug panics with a
// message naming the kernel) and returns the number of super-blocks.
func kqMulCheck(name string, bytes, n int, w []byte, wStride, rows int, a []byte, aStride, toks int, out []float32, ldo int) int {
	fail := func(format string, args ...any) {
		panic(fmt.Sprintf("kernels.Mat%s: "+format, append([]any{name}, args...)...))
	}
	if n < 0 || n%kqBlock != 0 || rows < 0 || toks < 0 {
		fail("n=%d rows=%d toks=%d: n must be a multiple of %d, counts non-negative", n, rows, toks, kqBlock)
	}
	nb := n / kqBlock
	if rows == 0 || toks == 0 {
		return nb
	}
	// A stride matters (and must cover a row) only when there are two
	// rows or tokens to step between.
	if (rows > 1 && wStride < nb*bytes) || len(w) < (rows-1)*wStride+nb*bytes {
		fail("weights: %d rows of %d values need stride >= %d and %d bytes, have stride %d and %d bytes",
			rows, n, nb*bytes, (rows-1)*wStride+nb*bytes, wStride, len(w))
	}
	if (toks > 1 && aStride < nb*kqBytesQ8K) || len(a) < (toks-1)*aStride+nb*kqBytesQ8K {
		fail("activations: %d rows of %d values need stride >= %d and %d bytes, have stride %d and %d bytes",
			toks, n, nb*kqBytesQ8K, (toks-1)*aStride+nb*kqBytesQ8K, aStride, len(a))
	}
	if (toks > 1 && ldo < rows) || len(out) < (toks-1)*ldo+rows {
		fail("out: %d×%d needs ldo >= %d and %d values, have ldo %d and %d", toks, rows, rows, (toks-1)*ldo+rows, ldo, len(out))
	}
	return nb
}

// kqCombine folds one super-block's exact integer sums into the running
// float32 product: acc + (d·da)·sumi − (dmin·da)·summ, each product
// rounded to float32 on its own (no fused multiply-add, so the assembly
// matches it bit for bit). Types without mins pass hasMin false.
func kqCombine(acc, d, dmin, da float32, sumi, summ int32, hasMin bool) float32 {
	acc += float32(float32(d*da) * float32(sumi))
	if hasMin {
		acc -= float32(float32(dmin*da) * float32(summ))
	}
	return acc
}

// kqUnpacked is one weight super-block in the form the pure-Go kernels
// multiply: unsigned codes q, the value of element e being
// d·sc[e/16]·(q[e] − off) − dmin·mn[e/16].
type kqUnpacked struct {
	q       [kqBlock]uint8
	sc, mn  [16]int32
	off     int32
	d, dmin float32
	hasMin  bool

	// For the dot products (put): the codes of group g (elements
	// 8g…8g+7) as 16-bit lanes, even elements in qe[g] and odd ones in
	// qo[g], each in reverse lane order; qsum[s] = Σ codes of sub-block s.
	qe, qo [32]uint64
	qsum   [16]int32
}

// kqLanes16 selects the even bytes of a word as four 16-bit lanes.
const kqLanes16 = 0x00FF00FF00FF00FF

// put stores the eight codes of word v (little-endian) at q[i:] (i a
// multiple of 8) and their dot-product forms qe, qo and sum.
func (u *kqUnpacked) put(i int, v uint64) {
	binary.LittleEndian.PutUint64(u.q[i:], v)
	g := (i / 8) & 31
	e, o := v&kqLanes16, (v>>8)&kqLanes16
	u.qe[g] = bits.ReverseBytes64(e) >> 8
	u.qo[g] = bits.ReverseBytes64(o) >> 8
	u.qsum[g/2] += int32(((e + o) * 0x0001000100010001) >> 48)
}

// kqQ8Sums returns the exact integer sums of one weight block (unpacked)
// with one Q8_K block: sumi = Σ_s sc_s·(Σ q·a − off·bsum_s)
// and summ = Σ_s mn_s·bsum_s.
//
// Σ q·a takes four products per 64-bit multiply: with the codes in
// reversed 16-bit lanes and the activations offset to a+128 (0…255) in
// 16-bit lanes, bits 48…63 of the product hold Σ q_i·(a_i+128) (every
// partial sum stays below 4·63·255 < 2^16, so no field carries); the
// offset comes off as 128·Σ q.
func kqQ8Sums(u *kqUnpacked, a []byte) (sumi, summ int32) {
	a = a[:kqBytesQ8K]
	for s := 0; s < 16; s++ {
		w0 := le64(a, 4+16*s) ^ 0x8080808080808080
		w1 := le64(a, 12+16*s) ^ 0x8080808080808080
		d := (u.qe[2*s]*(w0&kqLanes16))>>48 + (u.qo[2*s]*((w0>>8)&kqLanes16))>>48 +
			(u.qe[2*s+1]*(w1&kqLanes16))>>48 + (u.qo[2*s+1]*((w1>>8)&kqLanes16))>>48
		dot := int32(d) - 128*u.qsum[s]
		bs := int32(int16(binary.LittleEndian.Uint16(a[260+2*s:])))
		sumi += u.sc[s] * (dot - u.off*bs)
		summ += u.mn[s] * bs
	}
	return sumi, summ
}

// q8kScale is the float32 scale d of a Q8_K block.
func q8kScale(a []byte) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(a)) }

// kqGoKernels builds the pure-Go microkernels of a type from its unpacker.
func kqGoKernels(name string, bytes int, unpack func(u *kqUnpacked, b []byte)) kqRowKernels {
	return kqRowKernels{
		name:  name,
		bytes: bytes,
		one: func(w, a []byte, nb int, acc float32) float32 {
			var u kqUnpacked
			for i := 0; i < nb; i++ {
				unpack(&u, w[i*bytes:(i+1)*bytes])
				ab := a[i*kqBytesQ8K : (i+1)*kqBytesQ8K]
				sumi, summ := kqQ8Sums(&u, ab)
				acc = kqCombine(acc, u.d, u.dmin, q8kScale(ab), sumi, summ, u.hasMin)
			}
			return acc
		},
		four: func(w, a []byte, aStride, nb int, acc [4]float32) [4]float32 {
			var u kqUnpacked
			for i := 0; i < nb; i++ {
				unpack(&u, w[i*bytes:(i+1)*bytes])
				for t := range acc {
					ab := a[t*aStride+i*kqBytesQ8K : t*aStride+(i+1)*kqBytesQ8K]
					sumi, summ := kqQ8Sums(&u, ab)
					acc[t] = kqCombine(acc[t], u.d, u.dmin, q8kScale(ab), sumi, summ, u.hasMin)
				}
			}
			return acc
		},
	}
}

// The pure-Go twins of every type; the dispatch (mul_kquants_amd64.go or
// mul_kquants_generic.go) may replace one or both microkernels.
var (
	kqGoQ2K = kqGoKernels("Q2_K", kqBytesQ2K, unpackQ2K)
	kqGoQ3K = kqGoKernels("Q3_K", kqBytesQ3K, unpackQ3K)
	kqGoQ4K = kqGoKernels("Q4_K", kqBytesQ4K, unpackQ4K)
	kqGoQ5K = kqGoKernels("Q5_K", kqBytesQ5K, unpackQ5K)
	kqGoQ6K = kqGoKernels("Q6_K", kqBytesQ6K, unpackQ6K)
)

// The unpackers work on eight codes at a time (SWAR on little-endian
// uint64 words; every shift is masked so no bit crosses into a
// neighbouring byte's code).
const (
	kqLo2  = 0x0303030303030303
	kqLo4  = 0x0F0F0F0F0F0F0F0F
	kqBit0 = 0x0101010101010101
)

// le64 reads the little-endian word at b[i:].
func le64(b []byte, i int) uint64 { return binary.LittleEndian.Uint64(b[i:]) }

// unpackQ2K: scales[16] @0 (low nibble scale, high nibble min), qs[64]
// @16 (element 128h+32k+m at bits 2k of qs[32h+m]), d @80, dmin @82.
func unpackQ2K(u *kqUnpacked, b []byte) {
	b = b[:kqBytesQ2K]
	u.qsum = [16]int32{}
	for s := 0; s < 16; s++ {
		u.sc[s] = int32(b[s] & 0xF)
		u.mn[s] = int32(b[s] >> 4)
	}
	for h := 0; h < 2; h++ {
		for m := 0; m < 32; m += 8 {
			v := le64(b, 16+32*h+m)
			for k := 0; k < 4; k++ {
				u.put(128*h+32*k+m, (v>>(2*k))&kqLo2)
			}
		}
	}
	u.off, u.hasMin = 0, true
	u.d, u.dmin = fp16At(b[80:]), fp16At(b[82:])
}

// unpackQ3K: hmask[32] @0, qs[64] @32 (as Q2_K), scales[12] @96, d @108.
// The code is the 2-bit value plus 4 where hmask bit 4h+k of byte m is
// set; the offset 4 comes off as off.
func unpackQ3K(u *kqUnpacked, b []byte) {
	b = b[:kqBytesQ3K]
	u.qsum = [16]int32{}
	for s := 0; s < 16; s++ {
		u.sc[s] = int32(q3kScale(b[96:108], s))
		u.mn[s] = 0
	}
	for h := 0; h < 2; h++ {
		for m := 0; m < 32; m += 8 {
			v := le64(b, 32+32*h+m)
			hm := le64(b, m)
			for k := 0; k < 4; k++ {
				q := (v>>(2*k))&kqLo2 | ((hm>>(4*h+k))&kqBit0)<<2
				u.put(128*h+32*k+m, q)
			}
		}
	}
	u.off, u.hasMin = 4, false
	u.d, u.dmin = fp16At(b[108:]), 0
}

// unpackQ4K: d @0, dmin @2, scales[12] @4 (kqGetScaleMinK4), qs[128] @16
// (element 64c+l low nibble of qs[32c+l], 64c+32+l its high nibble).
func unpackQ4K(u *kqUnpacked, b []byte) {
	b = b[:kqBytesQ4K]
	u.qsum = [16]int32{}
	kqUnpackScalesK4(u, b[4:16])
	for c := 0; c < 4; c++ {
		for l := 0; l < 32; l += 8 {
			v := le64(b, 16+32*c+l)
			u.put(64*c+l, v&kqLo4)
			u.put(64*c+32+l, (v>>4)&kqLo4)
		}
	}
	u.off, u.hasMin = 0, true
	u.d, u.dmin = fp16At(b[0:]), fp16At(b[2:])
}

// unpackQ5K: as Q4_K with qh[32] @16 (bit 2c of qh[l] the fifth bit of
// element 64c+l, bit 2c+1 that of 64c+32+l) and qs[128] @48.
func unpackQ5K(u *kqUnpacked, b []byte) {
	b = b[:kqBytesQ5K]
	u.qsum = [16]int32{}
	kqUnpackScalesK4(u, b[4:16])
	for c := 0; c < 4; c++ {
		for l := 0; l < 32; l += 8 {
			v := le64(b, 48+32*c+l)
			h := le64(b, 16+l)
			u.put(64*c+l, v&kqLo4|((h>>(2*c))&kqBit0)<<4)
			u.put(64*c+32+l, (v>>4)&kqLo4|((h>>(2*c+1))&kqBit0)<<4)
		}
	}
	u.off, u.hasMin = 0, true
	u.d, u.dmin = fp16At(b[0:]), fp16At(b[2:])
}

// kqUnpackScalesK4 spreads the eight 6-bit scale/min pairs of Q4_K/Q5_K
// (one per 32 elements) over the 16 sub-blocks of 16.
func kqUnpackScalesK4(u *kqUnpacked, sc []byte) {
	for j := 0; j < 8; j++ {
		s, m := kqGetScaleMinK4(j, sc)
		u.sc[2*j], u.sc[2*j+1] = int32(s), int32(s)
		u.mn[2*j], u.mn[2*j+1] = int32(m), int32(m)
	}
}

// unpackQ6K: ql[128] @0, qh[64] @128, scales[16] int8 @192, d @208; the
// code of element 128n+32k+l is 4 bits of ql and 2 of qh, minus 32.
func unpackQ6K(u *kqUnpacked, b []byte) {
	b = b[:kqBytesQ6K]
	u.qsum = [16]int32{}
	for s := 0; s < 16; s++ {
		u.sc[s] = int32(int8(b[192+s]))
		u.mn[s] = 0
	}
	for n := 0; n < 2; n++ {
		for l := 0; l < 32; l += 8 {
			lo := le64(b, 64*n+l)
			hi := le64(b, 64*n+32+l)
			h := le64(b, 128+32*n+l)
			i := 128*n + l
			u.put(i, lo&kqLo4|(h&kqLo2)<<4)
			u.put(i+32, hi&kqLo4|((h>>2)&kqLo2)<<4)
			u.put(i+64, (lo>>4)&kqLo4|((h>>4)&kqLo2)<<4)
			u.put(i+96, (hi>>4)&kqLo4|((h>>6)&kqLo2)<<4)
		}
	}
	u.off, u.hasMin = 32, false
	u.d, u.dmin = fp16At(b[208:]), 0
}
