package quantize

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/kernels"
)

// benchShapes are model shapes for BenchmarkQuantizeModel, chosen with
// ZQ_BENCH_MODEL (default "1b").
var benchShapes = map[string]synthShape{
	// Llama 3.2 1B: tied embeddings, 1.24 B parameters, 2.5 GB as F16.
	"1b": {layers: 16, embd: 2048, ff: 8192, heads: 32, headsKV: 8, vocab: 128256, tied: true},
	// Mistral 7B: 7.24 B parameters, 14.5 GB as F16.
	"7b": mistral7B,
	// A quick 4-layer slice of the 1B shape (about 0.6 GB as F16).
	"small": {layers: 4, embd: 2048, ff: 8192, heads: 32, headsKV: 8, vocab: 32000},
}

// writeBenchGGUF writes an F16 GGUF of shape s quickly: weights are drawn
// from a pool of seeded N(0, 0.02²) half-precision values at random offsets.
func writeBenchGGUF(b *testing.B, dir string, s synthShape) string {
	b.Helper()
	md, ts := synthModel(s)
	path := filepath.Join(dir, "bench.gguf")
	w, err := gguf.Create(path, md, ts)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Abort()
	rng := rand.New(rand.NewPCG(42, 42))
	const poolN = 1 << 20
	vals := make([]float32, poolN)
	for i := range vals {
		vals[i] = float32(rng.NormFloat64() * 0.02)
	}
	pool := make([]byte, 2*poolN)
	kernels.F32ToF16Row(pool, vals)
	for i, t := range ts {
		data := make([]byte, t.Size())
		if t.Type == ggml.TypeF32 {
			for j := 0; j < len(data); j += 4 {
				copy(data[j:], []byte{0, 0, 0x80, 0x3f}) // 1.0
			}
		} else {
			for j := 0; j < len(data); {
				off := 2 * rng.IntN(poolN/2)
				j += copy(data[j:], pool[off:])
			}
		}
		if err := w.WriteTensor(i, data); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkQuantizeModel quantizes a generated F16 model (ZQ_BENCH_MODEL:
// 1b, 7b or small) to Q4_K_M (or ZQ_BENCH_PRESET) with ZQ_BENCH_THREADS
// workers (default GOMAXPROCS). MB/s counts F16 input bytes.
func BenchmarkQuantizeModel(b *testing.B) {
	name := os.Getenv("ZQ_BENCH_MODEL")
	if name == "" {
		name = "1b"
	}
	shape, ok := benchShapes[name]
	if !ok {
		b.Fatalf("ZQ_BENCH_MODEL=%q: want 1b, 7b or small", name)
	}
	presetName := os.Getenv("ZQ_BENCH_PRESET")
	if presetName == "" {
		presetName = "Q4_K_M"
	}
	preset, err := ParsePreset(presetName)
	if err != nil {
		b.Fatal(err)
	}
	threads := 0
	if s := os.Getenv("ZQ_BENCH_THREADS"); s != "" {
		fmt.Sscan(s, &threads)
	}
	dir := b.TempDir()
	in := writeBenchGGUF(b, dir, shape)
	src, err := OpenGGUF(in)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	var total int64
	for _, t := range src.Tensors() {
		total += int64(t.Size())
	}
	b.SetBytes(total)
	out := filepath.Join(dir, "out.gguf")
	b.ResetTimer()
	for range b.N {
		if _, err := Run(context.Background(), src, out, Options{Preset: preset, Threads: threads}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQuantizeMicro quantizes the bundled micro model to Q4_K_M.
func BenchmarkQuantizeMicro(b *testing.B) {
	src, err := OpenGGUF(refF16)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	var total int64
	for _, t := range src.Tensors() {
		total += int64(t.Size())
	}
	p, _ := ParsePreset("Q4_K_M")
	out := filepath.Join(b.TempDir(), "out.gguf")
	b.SetBytes(total)
	for range b.N {
		if _, err := Run(context.Background(), src, out, Options{Preset: p}); err != nil {
			b.Fatal(err)
		}
	}
}
