//go:build !amd64 || purego

package kernels

// dotHasAsm reports whether the dot products use assembly twins.
var dotHasAsm = false

// dotF32Bulk does nothing in this build: DotF32's Go body does the work.
func dotF32Bulk(a, b []float32) (float32, int) { return 0, 0 }

// dotF32x4Bulk does nothing in this build.
func dotF32x4Bulk(w, x0, x1, x2, x3 []float32) (s0, s1, s2, s3 float32, m int) {
	return 0, 0, 0, 0, 0
}

// axpyF32Bulk does nothing in this build.
func axpyF32Bulk(a float32, x, y []float32) int { return 0 }

// scaleF32Bulk does nothing in this build.
func scaleF32Bulk(x []float32, s float32) int { return 0 }
