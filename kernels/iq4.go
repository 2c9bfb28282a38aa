package kernels

import "encoding/binary"

// Block geometry of the IQ4 formats.
const (
	blockIQ4NL = 18  // fp16 d + 16 bytes of nibbles, 32 values
	blockIQ4XS = 136 // fp16 d, u16 scales_h, 4 bytes scales_l, 128 bytes of nibbles, 256 values
	qkK        = 256
	iq4NTry    = 7 // search width llama-quantize uses (ggml's ntry = 7)
)

// iq4Values is ggml's kvalues_iq4nl, the non-linear 4-bit code book.
var iq4Values = [16]int8{-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113}

// iq4ValuesF is iq4Values as float32.
var iq4ValuesF = func() (v [16]float32) {
	for i, k := range iq4Values {
		v[i] = float32(k)
	}
	return v
}()

// iq4Below[k+128] is the largest index i with iq4Values[i] <= k, for
// integer k in [−128, 127] (0 below the table).
var iq4Below = func() (t [256]uint8) {
	for k := -128; k < 128; k++ {
		for i, v := range iq4Values {
			if int(v) <= k {
				t[k+128] = uint8(i)
			}
		}
	}
	return t
}()

// iq4BestIndex is best_index_int8 over iq4Values: the nearest code-book
// index, ties going to the higher index, NaN giving 15 as in C. The
// neighbour pair comes from a table indexed by x truncated toward zero;
// for negative x that can be the pair above floor(x), but only when x lies
// within 1 of a code value c at the pair's lower end, and then both pairs
// pick c (the code book's gaps are at least 11). The final comparison is
// ggml's float32 expression; no branch depends on the sign of x.
func iq4BestIndex(x float32) uint8 {
	x = float32(x) // an inlined caller's product must not fuse with x − v
	if x <= iq4ValuesF[0] {
		return 0
	}
	if !(x < iq4ValuesF[15]) { // also NaN
		return 15
	}
	i := iq4Below[uint8(int32(x)+128)] // x in (−127, 113): in range
	j := i + 1
	if x-iq4ValuesF[i&15] < iq4ValuesF[j&15]-x {
		j = i
	}
	return j
}

// iq4Weights fills the 32 search weights of one sub-block: qw·sqrt(σ²+x²)
// with an importance vector, x² without.
func iq4Weights(w, x, qw []float32, sigma2 float32) {
	if qw == nil {
		for j, v := range x {
			w[j] = v * v
		}
		return
	}
	for j, v := range x {
		w[j] = qw[j] * sqrtC(sigma2+float32(v*v))
	}
}

// iq4Sums is Σ(w·q)·x and Σ(w·q)·q for the codes picked with inverse scale id.
func iq4Sums(x, w []float32, id float32) (sumqx, sumq2 float32) {
	for j, v := range x {
		q := iq4ValuesF[iq4BestIndex(float32(id*v))]
		wq := float32(w[j] * q)
		sumqx += float32(wq * v)
		sumq2 += float32(wq * q)
	}
	return sumqx, sumq2
}

// iq4SubScale is the per-32 scale search of quantize_row_iq4_nl_impl with
// ntry = 7; it returns 0 for an all-zero sub-block.
func iq4SubScale(x, w []float32) float32 {
	max, amax := absMaxSigned(x)
	if amax < groupMaxEps {
		return 0
	}
	d := -max / iq4ValuesF[0]
	sumqx, sumq2 := iq4Sums(x, w, 1/d)
	d = sumqx / sumq2
	best := d * sumqx
	for itry := -iq4NTry; itry <= iq4NTry; itry++ {
		id := float32(itry+int(iq4Values[0])) / max
		sumqx, sumq2 = iq4Sums(x, w, id)
		if sumq2 > 0 && float32(sumqx*sumqx) > float32(best*sumq2) {
			d = sumqx / sumq2
			best = d * sumqx
		}
	}
	return d
}

// iq4Sigma2 is 2·Σx²/len(x), the σ² of one super-block.
func iq4Sigma2(x []float32) float32 {
	var s float32
	for _, v := range x {
		s += float32(v * v)
	}
	return s * (2 / float32(len(x)))
}

// iq4PackNibbles stores codes for element j and j+16 of each 32 in one byte.
func iq4PackNibbles(qs []byte, x []float32, id float32) {
	for ib := 0; ib < len(x)/qk32; ib++ {
		xb := x[ib*qk32:]
		for j := 0; j < halfBlock; j++ {
			qs[ib*halfBlock+j] = iq4BestIndex(float32(id*xb[j])) | iq4BestIndex(float32(id*xb[j+halfBlock]))<<4
		}
	}
}

// QuantizeIQ4_NL quantizes src (a multiple of 32 values) into IQ4_NL blocks
// (18 bytes per 32) as ggml's quantize_iq4_nl (the ntry = 7 search that
// llama-quantize uses). weights, if not nil, is the importance vector for
// src (same length; blocks are independent, so src may span rows when the
// vector is repeated accordingly).
func QuantizeIQ4_NL(dst []byte, src, weights []float32) {
	var a iq4x8Args
	nb := len(src) / qk32
	for ib0 := 0; ib0 < nb; ib0 += 8 { // eight blocks per search, one a lane
		n := min(8, nb-ib0)
		a = iq4x8Args{}
		for j := range n {
			ib := ib0 + j
			x := src[ib*qk32 : ib*qk32+qk32]
			var qw []float32
			if weights != nil {
				qw = weights[ib*qk32 : ib*qk32+qk32]
			}
			a.load(j, x, qw, iq4Sigma2(x))
		}
		iq4Search8(&a)
		for j := range n {
			ib := ib0 + j
			y := dst[ib*blockIQ4NL : ib*blockIQ4NL+blockIQ4NL]
			d := a.scale[j]
			putFP16(y, d)
			var id float32
			if d != 0 {
				id = 1 / d
			}
			iq4PackNibbles(y[2:], src[ib*qk32:ib*qk32+qk32], id)
		}
	}
}

// QuantizeIQ4_XS quantizes src (a multiple of 256 values) into IQ4_XS
// blocks (136 bytes per 256) as ggml's quantize_iq4_xs; weights as for
// QuantizeIQ4_NL.
func QuantizeIQ4_XS(dst []byte, src, weights []float32) {
	var a iq4x8Args // one sub-block a lane
	for ibl := 0; ibl < len(src)/qkK; ibl++ {
		x := src[ibl*qkK : ibl*qkK+qkK]
		y := dst[ibl*blockIQ4XS : ibl*blockIQ4XS+blockIQ4XS]
		sigma2 := iq4Sigma2(x)
		for ib := range qkK / qk32 {
			var qw []float32
			if weights != nil {
				qw = weights[ibl*qkK+ib*qk32 : ibl*qkK+ib*qk32+qk32]
			}
			a.load(ib, x[ib*qk32:ib*qk32+qk32], qw, sigma2)
		}
		iq4Search8(&a)
		scales := a.scale
		var maxScale, amaxScale float32
		for _, s := range scales {
			if as := absC(s); as > amaxScale {
				amaxScale, maxScale = as, s
			}
		}
		d := -maxScale / 32
		putFP16(y, d)
		var id float32
		if d != 0 {
			id = 1 / d
		}
		var scalesH uint16
		scalesL := y[4:8]
		clear(scalesL)
		for ib, s := range scales {
			l := clampI32(nearestIntC(float32(id*s)), -32, 31)
			dl := d * float32(l)
			var idl float32
			if dl != 0 {
				idl = 1 / dl
			}
			iq4PackNibbles(y[8+ib*halfBlock:], x[ib*qk32:ib*qk32+qk32], idl)
			c := uint8(l + 32)
			scalesL[ib/2] |= (c & 0x0f) << (4 * (ib % 2))
			scalesH |= uint16(c>>4) << (2 * ib)
		}
		binary.LittleEndian.PutUint16(y[2:], scalesH)
	}
}

// DequantizeIQ4_NL decodes IQ4_NL blocks (len(dst) == 32·len(src)/18).
func DequantizeIQ4_NL(dst []float32, src []byte) {
	for ib := 0; ib < len(dst)/qk32; ib++ {
		b := src[ib*blockIQ4NL : ib*blockIQ4NL+blockIQ4NL]
		y := dst[ib*qk32 : ib*qk32+qk32]
		d := fp16At(b)
		for j := 0; j < halfBlock; j++ {
			q := b[2+j]
			y[j] = d * iq4ValuesF[q&0x0f]
			y[j+halfBlock] = d * iq4ValuesF[q>>4]
		}
	}
}

// DequantizeIQ4_XS decodes IQ4_XS blocks (len(dst) == 256·len(src)/136).
func DequantizeIQ4_XS(dst []float32, src []byte) {
	for ibl := 0; ibl < len(dst)/qkK; ibl++ {
		b := src[ibl*blockIQ4XS : ibl*blockIQ4XS+blockIQ4XS]
		d := fp16At(b)
		scalesH := binary.LittleEndian.Uint16(b[2:])
		for ib := 0; ib < qkK/qk32; ib++ {
			ls := int32(b[4+ib/2]>>(4*(ib%2)))&0x0f | int32(scalesH>>(2*ib)&3)<<4
			dl := d * float32(ls-32)
			qs := b[8+ib*halfBlock : 8+ib*halfBlock+halfBlock]
			y := dst[ibl*qkK+ib*qk32 : ibl*qkK+ib*qk32+qk32]
			for j, q := range qs {
				y[j] = dl * iq4ValuesF[q&0x0f]
				y[j+halfBlock] = dl * iq4ValuesF[q>>4]
			}
		}
	}
}
