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

// kqVariants lists the assembly variants of goK's type: none here.
func kqVariants(goK kqRowKernels) []kqRowKernels { return nil }

// quantizeQ8KAct is the ActQ8_K quantizer: the reference here.
func quantizeQ8KAct(dst []byte, src []float32) { QuantizeQ8_K(dst, src) }
