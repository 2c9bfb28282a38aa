package kernels

// AttendF16 runs the streaming-softmax update of ggml's CPU flash
// attention with an F16 V cache (ggml_compute_forward_flash_attn_ext_f16_one_chunk)
// for one query head over len(scores) cached positions: for each raw
// score s (times scale), when s exceeds the running maximum st[0] the
// float16 accumulator acc is rescaled by e^(max−s) in float16 precision
// and the maximum moves, else the position's weight is e^(s−max); then
// acc += weight·v_r (MadF16) and the running sum st[1] = st[1]·rescale +
// weight. Row r of V starts at v[r·vStride] and holds len(acc)/2 float16
// values. The exponentials are Expf's; with an F16C/FMA CPU and a head
// size that is a multiple of 8 an assembly twin runs the whole loop with
// the same bits (NaN payloads aside).
func AttendF16(acc, v []byte, vStride int, scores []float32, scale float32, st *[2]float32) {
	if len(scores) == 0 {
		return
	}
	hb := len(acc) &^ 1
	_ = v[(len(scores)-1)*vStride+hb-1]
	if attendF16Bulk(acc[:hb], v, vStride, scores, scale, st) {
		return
	}
	attendF16Go(acc[:hb], v, vStride, scores, scale, st)
}

// attendF16Go is AttendF16's pure-Go twin.
func attendF16Go(acc, v []byte, vStride int, scores []float32, scale float32, st *[2]float32) {
	m, sum := st[0], st[1]
	hb := len(acc)
	for r, raw := range scores {
		sv := raw * scale
		ms, ev := float32(1), float32(1)
		if sv > m {
			ms = Expf(m - sv)
			m = sv
			scaleF16Go(acc, ms)
		} else {
			ev = Expf(sv - m)
		}
		madF16Go(acc, v[r*vStride:r*vStride+hb], ev)
		sum = float32(sum*ms) + ev
	}
	st[0], st[1] = m, sum
}

// scaleF16Go multiplies a row of float16 values by s, each product
// rounded to float16 (ggml_vec_scale_f16).
func scaleF16Go(a []byte, s float32) {
	for i := 0; i+1 < len(a); i += 2 {
		v := F16ToF32(uint16(a[i]) | uint16(a[i+1])<<8)
		h := F32ToF16(v * s)
		a[i], a[i+1] = byte(h), byte(h>>8)
	}
}
