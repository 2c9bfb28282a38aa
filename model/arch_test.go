package model

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/zqtool/zq/convert"
	"github.com/zqtool/zq/kernels"
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

// sharedModels is ../shared/models beside the repository (the reference
// checkpoints too big to copy into testdata); tests that need it skip when
// it is absent, as on CI.
const sharedModels = "../../shared/models/"

// TestArchLogits evaluates each architecture's tiny checkpoint on
// llama.cpp's prompt and compares every position's logits with llama.cpp's
// (F32 KV cache), on both forward paths: tiny-gemma2 (NEOX RoPE, embedding
// scale, GELU gate, post norms, attention and final soft-capping, a 64-token
// sliding window on even layers, tied output; in testdata), tiny-llama3
// (llama3 rope frequency factors, tied output, 128k vocabulary) and
// tiny-qwen2 (q/k/v biases, NEOX RoPE, 152k vocabulary) from ../shared.
func TestArchLogits(t *testing.T) {
	for _, c := range []struct {
		name, dir, ref string
		// other is the fast path's tolerance where the float products do
		// not sum in the lane order of llama.cpp's AVX-512 build (pure Go
		// and AVX2 sum as AVX2 does): a value near a float16 rounding
		// boundary can then move a step (gemma2: 2.7e-4).
		tol, other float64
	}{
		{"gemma2", "../testdata/tiny-gemma2", "../testdata/reference-tiny-gemma2/logits-F16.bin", 1e-4, 5e-4},
		{"llama3", sharedModels + "tiny-llama3", sharedModels + "tiny-llama3/reference/logits-F16.bin", 1e-4, 1e-4},
		{"qwen2", sharedModels + "tiny-qwen2", sharedModels + "tiny-qwen2/reference/logits-F16.bin", 1e-4, 1e-4},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := os.Stat(c.dir); err != nil {
				t.Skipf("%s not present", c.dir)
			}
			tol := c.tol
			if f := kernels.Features(); f.PureGo || !(f.AVX512F && f.AVX512VL && f.FMA) {
				tol = c.other
			}
			checkArchLogits(t, c.dir, c.ref, tol)
		})
	}
}

// checkArchLogits converts dir to F16 and compares its logits on the tokens of
// the reference file with the file's, on both forward paths.
func checkArchLogits(t *testing.T, dir, refPath string, tol float64) {
	ref, err := readRefLogits(refPath)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Open(convertTo(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for _, c := range []struct {
		name string
		opts Options
		tol  float64
	}{
		// The float32 reference path does not round activations to
		// float16 before F16 products as ggml does.
		{"reference", Options{Reference: true}, max(tol, 1e-3)},
		// The fast path with an F32 cache follows llama.cpp's AVX-512
		// build operation by operation (all three models give its bits).
		{"fast", Options{CacheK: CacheF32, CacheV: CacheF32}, tol},
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
