package model

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/zqtool/zq/convert"
)

// convertTo converts a checkpoint directory to an F16 GGUF in a temp dir.
func convertTo(t *testing.T, dir string) string {
	t.Helper()
	p, err := convert.NewPlan(dir, convert.Options{OutType: "f16", Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	out := filepath.Join(t.TempDir(), "f16.gguf")
	if _, err := convert.Execute(context.Background(), p, out, convert.ExecOptions{Threads: 2}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGemma2Logits evaluates tiny-gemma2 (NEOX RoPE, embedding scale,
// GELU gate, post norms, attention and final soft-capping, a 64-token
// sliding window on even layers, tied output) on llama.cpp's prompt and
// compares every position's logits with llama.cpp's (F32 KV cache), on
// both forward paths.
func TestGemma2Logits(t *testing.T) {
	ref, err := readRefLogits("../testdata/reference-tiny-gemma2/logits-F16.bin")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Open(convertTo(t, "../testdata/tiny-gemma2"))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for _, c := range []struct {
		name string
		opts Options
		tol  float64
	}{
		{"reference", Options{Reference: true}, 1e-3},
		{"fast", Options{CacheK: CacheF32, CacheV: CacheF32}, 1e-3},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, err := m.NewContextWith(len(ref.tokens), c.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer ctx.Close()
			got := make([]float32, len(ref.logits))
			if err := ctx.Eval(ref.tokens, 0, got); err != nil {
				t.Fatal(err)
			}
			e := relRMS(got, ref.logits)
			t.Logf("%s: %d tokens, relative RMS difference %.3g", c.name, len(ref.tokens), e)
			if !(e <= c.tol) {
				t.Errorf("relative RMS difference %.3g exceeds %.g", e, c.tol)
			}
		})
	}
}
