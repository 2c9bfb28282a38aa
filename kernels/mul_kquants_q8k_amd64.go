//go:build amd64 && !purego

package kernels

// quantizeQ8KAct is the ActQ8_K quantizer: the AVX2 twin where the CPU
// has it, finishing with QuantizeQ8_K every block the twin leaves (NaN,
// ±Inf, or magnitudes below 2^-120); bit-identical to QuantizeQ8_K.
func quantizeQ8KAct(dst []byte, src []float32) {
	nb := kqCheck("QuantizeQ8_K", len(src), len(dst), kqBytesQ8K, 0, false)
	if !kqHasAVX2 {
		QuantizeQ8_K(dst, src)
		return
	}
	for i := 0; i < nb; {
		i += quantizeQ8KAVX2(&dst[i*kqBytesQ8K], &src[i*kqBlock], nb-i)
		if i < nb {
			QuantizeQ8_K(dst[i*kqBytesQ8K:(i+1)*kqBytesQ8K], src[i*kqBlock:(i+1)*kqBlock])
			i++
		}
	}
}

// quantizeQ8KAVX2 quantizes up to nb blocks from src into dst and returns
// how many it did: all, or those before the first block it leaves to the
// reference.
//
//go:noescape
func quantizeQ8KAVX2(dst *byte, src *float32, nb int) int
