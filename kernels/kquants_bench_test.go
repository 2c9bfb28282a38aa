package kernels

import (
	"math/rand/v2"
	"testing"
)

// kqBenchInput returns n Gaussian values and positive importance weights.
func kqBenchInput(n int) (src, weights []float32) {
	rng := rand.New(rand.NewPCG(7, 8))
	src = make([]float32, n)
	weights = make([]float32, n)
	for i := range src {
		src[i] = float32(rng.NormFloat64())
		weights[i] = float32(rng.Float64() + 0.05)
	}
	return src, weights
}

const kqBenchN = 16 * kqBlock

// BenchmarkKQuantize measures each K-quant quantizer (MB/s of float32 input).
func BenchmarkKQuantize(b *testing.B) {
	src, w := kqBenchInput(kqBenchN)
	for _, typ := range kqTypes {
		for _, imat := range []bool{false, true} {
			name := typ.name
			var weights []float32
			if imat {
				name += "_imatrix"
				weights = w
			}
			b.Run(name, func(b *testing.B) {
				dst := make([]byte, kqBenchN/kqBlock*typ.blockBytes)
				b.SetBytes(4 * kqBenchN)
				for b.Loop() {
					typ.quantize(dst, src, weights)
				}
			})
		}
	}
	b.Run("q8_K", func(b *testing.B) {
		dst := make([]byte, kqBenchN/kqBlock*kqBytesQ8K)
		b.SetBytes(4 * kqBenchN)
		for b.Loop() {
			QuantizeQ8_K(dst, src)
		}
	})
}

// BenchmarkKDequantize measures each K-quant dequantizer (MB/s of float32
// output).
func BenchmarkKDequantize(b *testing.B) {
	src, _ := kqBenchInput(kqBenchN)
	out := make([]float32, kqBenchN)
	for _, typ := range kqTypes {
		b.Run(typ.name, func(b *testing.B) {
			q := make([]byte, kqBenchN/kqBlock*typ.blockBytes)
			typ.quantize(q, src, nil)
			b.SetBytes(4 * kqBenchN)
			for b.Loop() {
				typ.dequantize(out, q)
			}
		})
	}
	b.Run("q8_K", func(b *testing.B) {
		q := make([]byte, kqBenchN/kqBlock*kqBytesQ8K)
		QuantizeQ8_K(q, src)
		b.SetBytes(4 * kqBenchN)
		for b.Loop() {
			DequantizeQ8_K(out, q)
		}
	})
}
