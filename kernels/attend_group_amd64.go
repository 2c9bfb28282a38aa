//go:build amd64 && !purego

package kernels

import "unsafe"

// attendGroupHasAsm reports whether AttendF16Group has its AVX-512 twin.
var attendGroupHasAsm = features.AVX512F && features.AVX512VL && features.AVX2 && features.FMA && features.F16C

// attendGroupMaxHead is the largest head size (values) of the assembly.
const attendGroupMaxHead = 256

// attendGroupBulk runs the heads of AttendF16Group four at a time with
// the AVX-512 twin when the CPU has it and a row is whole groups of
// sixteen values; it returns how many heads it did.
func attendGroupBulk(acc []byte, hb int, v []byte, vStride int, scores []float32, sStride, cnt int, scale float32, m, s []float32) int {
	g := len(m) &^ 3
	if !attendGroupHasAsm || g == 0 || hb <= 0 || hb%32 != 0 || hb > 2*attendGroupMaxHead {
		return 0
	}
	_ = v[(cnt-1)*vStride+hb-1]
	// maxima, sums, the kernel's scratch (eight floats), then the V row
	// in float32
	var st [16 + attendGroupMaxHead]float32
	for h0 := 0; h0 < g; h0 += 4 {
		copy(st[0:4], m[h0:h0+4])
		copy(st[4:8], s[h0:h0+4])
		attendF16x4AVX512(&acc[h0*hb], hb, unsafe.SliceData(v), vStride, &scores[h0*sStride], 4*sStride, cnt, scale, &st, &expfTab)
		copy(m[h0:h0+4], st[0:4])
		copy(s[h0:h0+4], st[4:8])
	}
	return g
}

// attendF16x4AVX512 is AttendF16 for four heads (see attend_group_amd64.s);
// sStride is in bytes; st holds the four maxima, the four sums, eight
// floats of scratch and room for a V row in float32.
//
//go:noescape
func attendF16x4AVX512(acc *byte, hb int, v *byte, vStride int, scores *float32, sStride, cnt int, scale float32, st *[16 + attendGroupMaxHead]float32, k *expfTables)
