//go:build amd64 && !purego

package kernels

import "unsafe"

// swigluHasAsm reports whether SwiGLU uses the AVX2 twin.
var swigluHasAsm = features.AVX2

// swigluBulk runs SwiGLU on a prefix of g (whole groups of four) with the
// AVX2 twin and returns its length; a group with a value outside
// [−88, 110] (Expf's argument −g outside its main range [−110, 88]) or a
// NaN is left to the Go twin there.
func swigluBulk(g, u []float32) int {
	n := len(g) &^ 3
	if !swigluHasAsm || n == 0 {
		return 0
	}
	for done := 0; done < n; {
		k := swigluAVX2(unsafe.SliceData(g[done:]), unsafe.SliceData(u[done:]), (n-done)/4, &expfTab)
		done += 4 * k
		if done < n { // a group the assembly declined
			swigluGo(g[done:done+4], u[done:done+4])
			done += 4
		}
	}
	return n
}

// swigluAVX2 processes up to n groups of four and returns how many it did
// before the first group with an argument outside Expf's main range.
//
//go:noescape
func swigluAVX2(gp, up *float32, n int, k *expfTables) int
