package safetensors

import (
	"math/rand/v2"
	"testing"
)

// benchModel writes a file with one rows×cols tensor of the given dtype
// (2-byte element types only) filled with random bits.
func benchModel(b *testing.B, dtype DType, rows, cols int) *Model {
	b.Helper()
	data := make([]byte, 2*rows*cols)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	if dtype == F16 {
		// Keep values finite and normal-ish so the F16 path is not all NaNs.
		for i := 1; i < len(data); i += 2 {
			data[i] &= 0x7b
		}
	}
	p := writeST(b, b.TempDir(), "bench.safetensors", map[string]spec{
		"w": {string(dtype), []int{rows, cols}, []int{0, len(data)}},
	}, nil, data)
	m, err := Open(p)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close() })
	return m
}

func benchmarkFloat32(b *testing.B, dtype DType) {
	// 4096×2048 elements: 16 MiB of input, a Mistral-7B-sized row count.
	m := benchModel(b, dtype, 4096, 2048)
	ti, _ := m.Tensor("w")
	b.SetBytes(ti.Size)
	var dst []float32
	var err error
	for b.Loop() {
		if dst, err = m.Float32("w", dst); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFloat32BF16 measures BF16→F32 decoding; MB/s counts input bytes.
func BenchmarkFloat32BF16(b *testing.B) { benchmarkFloat32(b, BF16) }

// BenchmarkFloat32F16 measures F16→F32 decoding; MB/s counts input bytes.
func BenchmarkFloat32F16(b *testing.B) { benchmarkFloat32(b, F16) }
