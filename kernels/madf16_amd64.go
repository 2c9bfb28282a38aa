//go:build amd64 && !purego

package kernels

import "unsafe"

// madF16HasAsm reports whether MadF16 uses the F16C + FMA twin.
var madF16HasAsm = features.AVX2 && features.FMA && features.F16C

// madF16Bulk updates a prefix of y (a multiple of 8 values) with the
// F16C + FMA twin and returns its length in bytes.
func madF16Bulk(y, x []byte, a float32) int {
	n := len(y) / 2 &^ 7
	if !madF16HasAsm || n == 0 {
		return 0
	}
	madF16F16C(unsafe.SliceData(y), unsafe.SliceData(x), a, n)
	return 2 * n
}

//go:noescape
func madF16F16C(y, x *byte, a float32, n int)
