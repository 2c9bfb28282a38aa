package kernels

// AttendF16Group runs AttendF16 for the query heads that share one KV
// head, over the same cnt cached positions: head i's float16 accumulator
// is acc[i·hb:(i+1)·hb], its raw scores scores[i·sStride:i·sStride+cnt],
// its running maximum and sum m[i] and s[i] (len(m) heads). Every head
// gets exactly AttendF16's bits. With AVX-512 and rows of whole groups of
// sixteen values an assembly twin takes four heads at a time (their
// exponentials as one vector, their updates interleaved), the rest go
// head by head.
func AttendF16Group(acc []byte, hb int, v []byte, vStride int, scores []float32, sStride, cnt int, scale float32, m, s []float32) {
	g := len(m)
	if cnt <= 0 || g == 0 {
		return
	}
	s = s[:g]
	_ = acc[g*hb-1]
	_ = scores[(g-1)*sStride+cnt-1]
	i := attendGroupBulk(acc, hb, v, vStride, scores, sStride, cnt, scale, m, s)
	for ; i < g; i++ {
		st := [2]float32{m[i], s[i]}
		AttendF16(acc[i*hb:(i+1)*hb], v, vStride, scores[i*sStride:i*sStride+cnt], scale, &st)
		m[i], s[i] = st[0], st[1]
	}
}
