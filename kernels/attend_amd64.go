//go:build amd64 && !purego

package kernels

import "unsafe"

// attendF16Bulk runs AttendF16 with the F16C/FMA twin when the CPU has it
// and the row is whole groups of eight values, and reports whether it did.
func attendF16Bulk(acc, v []byte, vStride int, scores []float32, scale float32, st *[2]float32) bool {
	if !madF16HasAsm || len(acc) == 0 || len(acc)%16 != 0 {
		return false
	}
	attendF16AVX2(unsafe.SliceData(acc), unsafe.SliceData(v), vStride, unsafe.SliceData(scores), len(scores), scale, len(acc)/16, st, &expfTab)
	return true
}

//go:noescape
func attendF16AVX2(acc, v *byte, vStride int, scores *float32, cnt int, scale float32, n8 int, st *[2]float32, k *expfTables)
