//go:build !amd64 || purego

package kernels

// legacyHasAsm reports whether the legacy quantizers use an assembly twin.
var legacyHasAsm = false

// quantizeQ8_0Bulk quantizes all len(src)/32 blocks with the Go loop and
// returns their number.
func quantizeQ8_0Bulk(dst []byte, src []float32) int {
	quantizeQ8_0Go(dst, src)
	return len(src) / qk32
}

// quantizeQ4_0Bulk is quantizeQ8_0Bulk for Q4_0.
func quantizeQ4_0Bulk(dst []byte, src []float32) int {
	quantizeQ4_0Go(dst, src)
	return len(src) / qk32
}

// finiteBulk checks nothing in this build: FirstNonFinite's Go loop does
// all the work.
func finiteBulk(src []float32) int { return 0 }
