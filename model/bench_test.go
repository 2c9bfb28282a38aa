package model

import (
	"os"
	"testing"
	"time"

	"github.com/zqtool/zq/ggml"
)

// weightBytes is the encoded size of every matrix the forward pass reads.
func weightBytes(m *Model) int64 {
	n := int64(len(m.Output.Data))
	for _, l := range m.Layers {
		for _, w := range []*Weight{l.Q, l.K, l.V, l.O, l.Gate, l.Up, l.Down} {
			n += int64(len(w.Data))
		}
	}
	return n
}

// benchForward measures prompt evaluation (prompt tokens at once) and
// single-token generation after a short prefill.
func benchForward(b *testing.B, m *Model, prompt int) {
	toks := make([]int32, prompt)
	for i := range toks {
		toks[i] = int32(1 + (i*37)%(m.H.Vocab-1))
	}
	b.Run("prompt", func(b *testing.B) {
		c, err := m.NewContext(prompt)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		logits := make([]float32, m.H.Vocab)
		b.SetBytes(weightBytes(m))
		b.ResetTimer()
		start := time.Now()
		for i := 0; i < b.N; i++ {
			c.Reset()
			if err := c.Eval(toks, 0, logits); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(prompt*b.N)/time.Since(start).Seconds(), "tok/s")
	})
	b.Run("generate", func(b *testing.B) {
		const prefill, span = 16, 64
		c, err := m.NewContext(prefill + span)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		logits := make([]float32, m.H.Vocab)
		if err := c.Eval(toks[:min(prefill, len(toks))], 0, nil); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(weightBytes(m))
		b.ResetTimer()
		start := time.Now()
		for i := 0; i < b.N; i++ {
			pos := prefill + i%span
			if err := c.Eval([]int32{int32(1 + i%(m.H.Vocab-1))}, pos, logits); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "tok/s")
	})
}

func BenchmarkMicroF16(b *testing.B) { benchForward(b, openModel(b, "convert-f16.gguf"), 512) }

func BenchmarkMicroQ4_K_M(b *testing.B) { benchForward(b, openModel(b, "quant-Q4_K_M.gguf"), 512) }

// Benchmark1B uses a generated model with TinyLlama-1.1B's shape (2048
// wide, 22 layers, 32 heads / 4 KV heads, FFN 5632, vocab 32000), Q4_K
// matrices and a Q6_K output head: the bulk of a Q4_K_M file. Writing it
// takes a few seconds and ~640 MB of temporary disk.
func Benchmark1B(b *testing.B) {
	s := synthSpec{embd: 2048, ff: 5632, layers: 22, heads: 32, kvHeads: 4, vocab: 32000,
		typ: ggml.TypeQ4_K, outType: ggml.TypeQ6_K}
	m, err := Open(writeSynth(b, b.TempDir(), s))
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	benchForward(b, m, 32)
}

// BenchmarkFile runs the forward-pass benchmark on the GGUF model named by
// $ZQ_BENCH_MODEL (e.g. a generated 1B Q4_K_M file), prompt 512 as
// llama-bench's pp512; skipped when unset.
func BenchmarkFile(b *testing.B) {
	path := os.Getenv("ZQ_BENCH_MODEL")
	if path == "" {
		b.Skip("ZQ_BENCH_MODEL not set")
	}
	m, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	benchForward(b, m, 512)
}
