//go:build !amd64 || purego

package kernels

// attendGroupBulk leaves AttendF16Group to AttendF16 in this build.
func attendGroupBulk(acc []byte, hb int, v []byte, vStride int, scores []float32, sStride, cnt int, scale float32, m, s []float32) int {
	return 0
}
