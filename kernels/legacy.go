package kernels

import (
	"encoding/binary"
	"math"
)

// Block geometry of the legacy 32-element formats.
const (
	qk32       = 32
	blockQ4_0  = 18
	blockQ4_1  = 20
	blockQ5_0  = 22
	blockQ5_1  = 24
	blockQ8_0  = 34
	blockQ8_1  = 36
	halfBlock  = qk32 / 2
	legacyRMin = float32(-0.9) // make_qkx3_quants search start for Q4_1/Q5_1
	legacyRDel = float32(0.05) // make_qkx3_quants search step
	legacyNStp = 36            // make_qkx3_quants search steps
)

// absMaxSigned returns the value with the largest magnitude (the first one on
// ties) and that magnitude.
func absMaxSigned(x []float32) (max, amax float32) {
	for _, v := range x {
		if av := absC(v); av > amax {
			amax, max = av, v
		}
	}
	return max, amax
}

// minMax returns the smallest and largest value, starting from ±FLT_MAX.
func minMax(x []float32) (min, max float32) {
	min, max = math.MaxFloat32, -math.MaxFloat32
	for _, v := range x {
		if v < min {
			min = v
		}
		if v > max {
			max = v
		}
	}
	return min, max
}

// rowSigma2 is Σx²/len(x) over a whole row (legacy importance-weighted paths).
func rowSigma2(x []float32) float32 {
	var s float32
	for _, v := range x {
		s += float32(v * v)
	}
	return s / float32(len(x))
}

// legacyWeights fills w[j] = qw[j]·sqrt(sigma2 + x[j]²).
func legacyWeights(w, x, qw []float32, sigma2 float32) {
	for j := range w {
		w[j] = qw[j] * sqrtC(sigma2+float32(x[j]*x[j]))
	}
}

// QuantizeQ4_0 quantizes src (a multiple of 32 values) into Q4_0 blocks in
// dst (18 bytes per 32 values). weights nil selects ggml's
// quantize_row_q4_0_ref; otherwise src must be exactly one row and weights
// (same length) is its importance vector (quantize_row_q4_0_impl).
func QuantizeQ4_0(dst []byte, src, weights []float32) {
	if weights != nil {
		quantizeQx0Weighted(dst, src, weights, 8, blockQ4_0)
		return
	}
	nb := len(src) / qk32
	for ib := 0; ib < nb; {
		ib += quantizeQ4_0Bulk(dst[ib*blockQ4_0:nb*blockQ4_0], src[ib*qk32:nb*qk32])
		if ib < nb { // a block with NaN/Inf: the Go loop reproduces ggml's garbage
			quantizeQ4_0Go(dst[ib*blockQ4_0:(ib+1)*blockQ4_0], src[ib*qk32:(ib+1)*qk32])
			ib++
		}
	}
}

// quantizeQ4_0Go is quantize_row_q4_0_ref over len(src)/32 blocks.
func quantizeQ4_0Go(dst []byte, src []float32) {
	for ib := 0; ib < len(src)/qk32; ib++ {
		x := src[ib*qk32 : ib*qk32+qk32]
		y := dst[ib*blockQ4_0 : ib*blockQ4_0+blockQ4_0]
		max, _ := absMaxSigned(x)
		d := max / -8
		var id float32
		if d != 0 {
			id = 1 / d
		}
		putFP16(y, d)
		for j := 0; j < halfBlock; j++ {
			lo := min(15, int8(truncC(float32(x[j]*id)+8.5)))
			hi := min(15, int8(truncC(float32(x[j+halfBlock]*id)+8.5)))
			y[2+j] = uint8(lo) | uint8(hi)<<4
		}
	}
}

// QuantizeQ5_0 is QuantizeQ4_0 for Q5_0 (22 bytes per 32 values).
func QuantizeQ5_0(dst []byte, src, weights []float32) {
	if weights != nil {
		quantizeQx0Weighted(dst, src, weights, 16, blockQ5_0)
		return
	}
	for ib := 0; ib < len(src)/qk32; ib++ {
		x := src[ib*qk32 : ib*qk32+qk32]
		y := dst[ib*blockQ5_0 : ib*blockQ5_0+blockQ5_0]
		max, _ := absMaxSigned(x)
		d := max / -16
		var id float32
		if d != 0 {
			id = 1 / d
		}
		putFP16(y, d)
		var codes [qk32]uint8
		for j := range codes {
			codes[j] = uint8(min(31, int8(truncC(float32(x[j]*id)+16.5))))
		}
		packQ5(y[2:6], y[6:22], &codes)
	}
}

// quantizeQx0Weighted is quantize_row_q4_0_impl / quantize_row_q5_0_impl:
// make_qx_quants per block with weights qw·sqrt(σ² + x²), σ² over the row.
func quantizeQx0Weighted(dst []byte, src, qw []float32, nmax, bsize int) {
	sigma2 := rowSigma2(src)
	var w [qk32]float32
	var L [qk32]uint8
	for ib := 0; ib < len(src)/qk32; ib++ {
		x := src[ib*qk32 : ib*qk32+qk32]
		y := dst[ib*bsize : ib*bsize+bsize]
		legacyWeights(w[:], x, qw[ib*qk32:ib*qk32+qk32], sigma2)
		d := makeQxQuants(qk32, nmax, x, L[:], w[:])
		putFP16(y, d)
		if nmax == 8 {
			for j := 0; j < halfBlock; j++ {
				y[2+j] = L[j] | L[j+halfBlock]<<4
			}
		} else {
			packQ5(y[2:6], y[6:22], &L)
		}
	}
}

// putQx1Header writes a Q4_1/Q5_1 block's d = (max−min)/nmax and min as
// fp16 and returns min and 1/d (0 when d is 0), as the reference quantizers
// compute them.
func putQx1Header(y []byte, x []float32, nmax float32) (mn, id float32) {
	mn, mx := minMax(x)
	d := (mx - mn) / nmax
	if d != 0 {
		id = 1 / d
	}
	putFP16(y, d)
	putFP16(y[2:], mn)
	return mn, id
}

// QuantizeQ4_1 quantizes src into Q4_1 blocks (20 bytes per 32 values);
// weights as for QuantizeQ4_0 (quantize_row_q4_1_ref / _impl).
func QuantizeQ4_1(dst []byte, src, weights []float32) {
	if weights != nil {
		quantizeQx1Weighted(dst, src, weights, 15, blockQ4_1)
		return
	}
	for ib := 0; ib < len(src)/qk32; ib++ {
		x := src[ib*qk32 : ib*qk32+qk32]
		y := dst[ib*blockQ4_1 : ib*blockQ4_1+blockQ4_1]
		mn, id := putQx1Header(y, x, 15)
		for j := 0; j < halfBlock; j++ {
			lo := min(15, int8(truncC(float32((x[j]-mn)*id)+0.5)))
			hi := min(15, int8(truncC(float32((x[j+halfBlock]-mn)*id)+0.5)))
			y[4+j] = uint8(lo) | uint8(hi)<<4
		}
	}
}

// QuantizeQ5_1 quantizes src into Q5_1 blocks (24 bytes per 32 values);
// weights as for QuantizeQ4_0 (quantize_row_q5_1_ref / _impl).
func QuantizeQ5_1(dst []byte, src, weights []float32) {
	if weights != nil {
		quantizeQx1Weighted(dst, src, weights, 31, blockQ5_1)
		return
	}
	for ib := 0; ib < len(src)/qk32; ib++ {
		x := src[ib*qk32 : ib*qk32+qk32]
		y := dst[ib*blockQ5_1 : ib*blockQ5_1+blockQ5_1]
		mn, id := putQx1Header(y, x, 31)
		var codes [qk32]uint8
		for j := range codes {
			codes[j] = uint8(truncC(float32((x[j]-mn)*id) + 0.5)) // no clamp, as ggml
		}
		packQ5(y[4:8], y[8:24], &codes)
	}
}

// quantizeQx1Weighted is quantize_row_q4_1_impl / quantize_row_q5_1_impl.
func quantizeQx1Weighted(dst []byte, src, qw []float32, nmax, bsize int) {
	sigma2 := rowSigma2(src)
	var w [qk32]float32
	var L [qk32]uint8
	for ib := 0; ib < len(src)/qk32; ib++ {
		x := src[ib*qk32 : ib*qk32+qk32]
		y := dst[ib*bsize : ib*bsize+bsize]
		legacyWeights(w[:], x, qw[ib*qk32:ib*qk32+qk32], sigma2)
		// make_qkx3_quants with the squared-error criterion
		d, theMin := makeQkxQuants(qk32, nmax, x, w[:], L[:], legacyRMin, legacyRDel, legacyNStp, false, true)
		putFP16(y, d)
		putFP16(y[2:], -theMin)
		if nmax == 15 {
			for j := 0; j < halfBlock; j++ {
				y[4+j] = L[j] | L[j+halfBlock]<<4
			}
		} else {
			packQ5(y[4:8], y[8:24], &L)
		}
	}
}

// packQ5 splits 32 five-bit codes into nibbles (qs) and a 32-bit mask of
// fifth bits (qh), element j and j+16 sharing qs byte j.
func packQ5(qh, qs []byte, codes *[qk32]uint8) {
	var h uint32
	for j := 0; j < halfBlock; j++ {
		c0, c1 := codes[j], codes[j+halfBlock]
		qs[j] = c0&0x0f | (c1&0x0f)<<4
		h |= uint32(c0&0x10) >> 4 << j
		h |= uint32(c1&0x10) >> 4 << (j + halfBlock)
	}
	binary.LittleEndian.PutUint32(qh, h)
}

// QuantizeQ8_0 quantizes src into Q8_0 blocks (34 bytes per 32 values) with
// ggml's quantize_row_q8_0_ref. It serves both for model weights (ggml
// ignores an importance matrix for Q8_0) and as the activation partner of
// Q4_0/Q5_0/Q8_0 dot products (ggml's generic quantize_row_q8_0).
func QuantizeQ8_0(dst []byte, src []float32) {
	nb := len(src) / qk32
	for ib := 0; ib < nb; {
		ib += quantizeQ8_0Bulk(dst[ib*blockQ8_0:nb*blockQ8_0], src[ib*qk32:nb*qk32])
		if ib < nb { // a block with NaN/Inf: the Go loop reproduces ggml's garbage
			quantizeQ8_0Go(dst[ib*blockQ8_0:(ib+1)*blockQ8_0], src[ib*qk32:(ib+1)*qk32])
			ib++
		}
	}
}

// quantizeQ8_0Go is quantize_row_q8_0_ref over len(src)/32 blocks.
func quantizeQ8_0Go(dst []byte, src []float32) {
	for ib := 0; ib < len(src)/qk32; ib++ {
		x := src[ib*qk32 : ib*qk32+qk32]
		y := dst[ib*blockQ8_0 : ib*blockQ8_0+blockQ8_0]
		var amax float32
		for _, v := range x {
			amax = max(amax, absC(v))
		}
		d := amax / 127
		var id float32
		if d != 0 {
			id = 1 / d
		}
		putFP16(y, d)
		for j, v := range x {
			y[2+j] = uint8(roundC(v * id))
		}
	}
}

// QuantizeQ8_1 quantizes src into Q8_1 blocks (36 bytes per 32 values) with
// ggml's quantize_row_q8_1_ref, the activation partner of Q4_1/Q5_1 dot
// products: like Q8_0 plus s = fp16(d·Σq).
func QuantizeQ8_1(dst []byte, src []float32) {
	for ib := 0; ib < len(src)/qk32; ib++ {
		x := src[ib*qk32 : ib*qk32+qk32]
		y := dst[ib*blockQ8_1 : ib*blockQ8_1+blockQ8_1]
		var amax float32
		for _, v := range x {
			amax = max(amax, absC(v))
		}
		d := amax / 127
		var id float32
		if d != 0 {
			id = 1 / d
		}
		putFP16(y, d)
		var sum int32
		for j, v := range x {
			q := int8(roundC(v * id))
			y[4+j] = uint8(q)
			sum += int32(q)
		}
		putFP16(y[2:], float32(sum)*d)
	}
}

// DequantizeQ4_0 decodes Q4_0 blocks (len(dst) == 32·len(src)/18).
func DequantizeQ4_0(dst []float32, src []byte) {
	for ib := 0; ib < len(dst)/qk32; ib++ {
		b := src[ib*blockQ4_0 : ib*blockQ4_0+blockQ4_0]
		y := dst[ib*qk32 : ib*qk32+qk32]
		d := fp16At(b)
		for j := 0; j < halfBlock; j++ {
			q := b[2+j]
			y[j] = float32(int32(q&0x0f)-8) * d
			y[j+halfBlock] = float32(int32(q>>4)-8) * d
		}
	}
}

// DequantizeQ4_1 decodes Q4_1 blocks (len(dst) == 32·len(src)/20).
func DequantizeQ4_1(dst []float32, src []byte) {
	for ib := 0; ib < len(dst)/qk32; ib++ {
		b := src[ib*blockQ4_1 : ib*blockQ4_1+blockQ4_1]
		y := dst[ib*qk32 : ib*qk32+qk32]
		d, m := fp16At(b), fp16At(b[2:])
		for j := 0; j < halfBlock; j++ {
			q := b[4+j]
			y[j] = float32(float32(q&0x0f)*d) + m
			y[j+halfBlock] = float32(float32(q>>4)*d) + m
		}
	}
}

// DequantizeQ5_0 decodes Q5_0 blocks (len(dst) == 32·len(src)/22).
func DequantizeQ5_0(dst []float32, src []byte) {
	for ib := 0; ib < len(dst)/qk32; ib++ {
		b := src[ib*blockQ5_0 : ib*blockQ5_0+blockQ5_0]
		y := dst[ib*qk32 : ib*qk32+qk32]
		d := fp16At(b)
		qh := binary.LittleEndian.Uint32(b[2:])
		for j := 0; j < halfBlock; j++ {
			q := b[6+j]
			h0 := uint8(qh>>j<<4) & 0x10
			h1 := uint8(qh>>(j+12)) & 0x10
			y[j] = float32(int32(q&0x0f|h0)-16) * d
			y[j+halfBlock] = float32(int32(q>>4|h1)-16) * d
		}
	}
}

// DequantizeQ5_1 decodes Q5_1 blocks (len(dst) == 32·len(src)/24).
func DequantizeQ5_1(dst []float32, src []byte) {
	for ib := 0; ib < len(dst)/qk32; ib++ {
		b := src[ib*blockQ5_1 : ib*blockQ5_1+blockQ5_1]
		y := dst[ib*qk32 : ib*qk32+qk32]
		d, m := fp16At(b), fp16At(b[2:])
		qh := binary.LittleEndian.Uint32(b[4:])
		for j := 0; j < halfBlock; j++ {
			q := b[8+j]
			h0 := uint8(qh>>j<<4) & 0x10
			h1 := uint8(qh>>(j+12)) & 0x10
			y[j] = float32(float32(q&0x0f|h0)*d) + m
			y[j+halfBlock] = float32(float32(q>>4|h1)*d) + m
		}
	}
}

// DequantizeQ8_0 decodes Q8_0 blocks (len(dst) == 32·len(src)/34).
func DequantizeQ8_0(dst []float32, src []byte) {
	for ib := 0; ib < len(dst)/qk32; ib++ {
		b := src[ib*blockQ8_0 : ib*blockQ8_0+blockQ8_0]
		y := dst[ib*qk32 : ib*qk32+qk32]
		d := fp16At(b)
		for j := range y {
			y[j] = float32(int8(b[2+j])) * d
		}
	}
}

// DequantizeQ8_1 decodes Q8_1 blocks (len(dst) == 32·len(src)/36), q·d; the
// stored sum s is not needed.
func DequantizeQ8_1(dst []float32, src []byte) {
	for ib := 0; ib < len(dst)/qk32; ib++ {
		b := src[ib*blockQ8_1 : ib*blockQ8_1+blockQ8_1]
		y := dst[ib*qk32 : ib*qk32+qk32]
		d := fp16At(b)
		for j := range y {
			y[j] = float32(int8(b[4+j])) * d
		}
	}
}
