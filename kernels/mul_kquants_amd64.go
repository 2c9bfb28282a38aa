//go:build amd64 && !purego

package kernels

// Dispatch of the K-quant matrix kernels, chosen once at start-up.
var (
	kqMulQ2K = kqGoQ2K
	kqMulQ3K = kqGoQ3K
	kqMulQ4K = kqGoQ4K
	kqMulQ5K = kqGoQ5K
	kqMulQ6K = kqGoQ6K
)
