//go:build !amd64 || purego

package kernels

// attendF16Bulk leaves AttendF16 to the Go twin in this build.
func attendF16Bulk(acc, v []byte, vStride int, scores []float32, scale float32, st *[2]float32) bool {
	return false
}
