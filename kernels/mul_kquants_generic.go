//go:build !amd64 || purego

package kernels

// Without assembly every K-quant type multiplies with its pure-Go twin.
var (
	kqMulQ2K = kqGoQ2K
	kqMulQ3K = kqGoQ3K
	kqMulQ4K = kqGoQ4K
	kqMulQ5K = kqGoQ5K
	kqMulQ6K = kqGoQ6K
)
