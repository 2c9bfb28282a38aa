package quantize

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zqtool/zq/codec"
	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/gguf"
)

// referenceQuantize recomputes one output tensor the straightforward way:
// decode the whole source tensor, quantize it row by row on one thread.
func referenceQuantize(t *testing.T, src *gguf.File, name string, to ggml.Type, imatrix []float32) []byte {
	t.Helper()
	ti, ok := src.Lookup(name)
	if !ok {
		t.Fatalf("source has no %s", name)
	}
	data, err := src.TensorData(ti)
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]float32, ti.NumElements())
	if err := codec.Dequantize(ti.Type, vals, data, 1); err != nil {
		t.Fatal(err)
	}
	rs, err := to.RowSize(int64(ti.RowLen()))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, int(rs)*int(ti.Rows()))
	if err := codec.Quantize(to, out, vals, int(ti.RowLen()), imatrix, 1); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkAgainstReference checks every tensor of out against a
// straightforward recomputation from in with the planned types.
func checkAgainstReference(t *testing.T, inPath, outPath string, weights map[string][]float32) {
	t.Helper()
	in, err := gguf.OpenFile(inPath)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := gguf.OpenFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	for i := range out.Tensors {
		ot := &out.Tensors[i]
		got, err := out.TensorData(ot)
		if err != nil {
			t.Fatal(err)
		}
		it, _ := in.Lookup(ot.Name)
		var want []byte
		if it.Type == ot.Type {
			want, _ = in.TensorData(it)
		} else {
			want = referenceQuantize(t, in, ot.Name, ot.Type, weights[ot.Name])
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s (%s): bytes differ from a direct quantization", ot.Name, ot.Type)
		}
	}
}

// TestRunFallbackModel quantizes a model whose 288-wide rows force fallback
// types and checks every tensor against a direct quantization.
func TestRunFallbackModel(t *testing.T) {
	dir := t.TempDir()
	s := synthShape{layers: 2, embd: 288, ff: 768, heads: 8, headsKV: 2, vocab: 300}
	in := writeSynthGGUF(t, dir, s, 1)
	src, err := OpenGGUF(in)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	p, _ := ParsePreset("Q4_K_M")
	out := filepath.Join(dir, "out.gguf")
	var lines []string
	sum, err := Run(context.Background(), src, out, Options{Preset: p, Threads: 3,
		OnTensor: func(i, n int, ts TensorSummary) { lines = append(lines, TensorLine(i, n, ts)) }})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Fallbacks != 2*6+1 || sum.KQuantized != 2+1 {
		t.Errorf("fallbacks %d of %d, want 13 of 16", sum.Fallbacks, sum.Fallbacks+sum.KQuantized)
	}
	if len(lines) != len(sum.Tensors) || !strings.Contains(lines[0], "[   1/  21]") || !strings.Contains(lines[0], "converting to q8_0") {
		t.Errorf("per-tensor lines: %d, first %q", len(lines), lines[0])
	}
	checkAgainstReference(t, in, out, nil)
	var txt bytes.Buffer
	sum.WriteText(&txt)
	if !strings.Contains(txt.String(), "13 of 16 tensor(s) required fallback") {
		t.Errorf("summary text lacks the fallback warning:\n%s", txt.String())
	}
}

// TestRunErrors covers refusals: requantizing, a missing output directory,
// a non-GGUF input and a preset that needs an importance matrix.
func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	q4, err := OpenGGUF(refDir + "/quant-Q4_K_M.gguf")
	if err != nil {
		t.Fatal(err)
	}
	defer q4.Close()
	p, _ := ParsePreset("Q8_0")
	_, err = Run(context.Background(), q4, filepath.Join(dir, "x.gguf"), Options{Preset: p})
	if err == nil || !strings.Contains(err.Error(), "requantiz") {
		t.Errorf("requantize without permission: %v", err)
	}
	if _, err := Run(context.Background(), q4, filepath.Join(dir, "y.gguf"), Options{Preset: p, AllowRequantize: true}); err != nil {
		t.Errorf("requantize with permission: %v", err)
	}

	src := openRef(t)
	_, err = Run(context.Background(), src, filepath.Join(dir, "missing", "z.gguf"), Options{Preset: p})
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing output directory: %v", err)
	}

	txt := filepath.Join(dir, "not.gguf")
	os.WriteFile(txt, []byte("hello, this is not a model"), 0o644)
	if _, err := OpenGGUF(txt); err == nil || !strings.Contains(err.Error(), "not.gguf") {
		t.Errorf("non-GGUF input: %v", err)
	}
	if _, err := OpenGGUF(filepath.Join(dir, "absent.gguf")); err == nil {
		t.Error("absent input: no error")
	}

	q2ks, _ := ParsePreset("Q2_K_S")
	if _, err := Run(context.Background(), src, filepath.Join(dir, "w.gguf"), Options{Preset: q2ks}); err == nil || !strings.Contains(err.Error(), "importance") {
		t.Errorf("Q2_K_S without imatrix: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, src, filepath.Join(dir, "c.gguf"), Options{Preset: p}); err == nil {
		t.Error("canceled context: no error")
	}
	if _, err := os.Stat(filepath.Join(dir, "c.gguf")); err == nil {
		t.Error("canceled run left an output file")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

// TestRunOptions checks --leave-output-tensor and the forced types on the
// micro model, and the metadata changes.
func TestRunOptions(t *testing.T) {
	src := openRef(t)
	dir := t.TempDir()
	p, _ := ParsePreset("Q4_0")
	q8 := ggml.TypeQ8_0
	out := filepath.Join(dir, "o.gguf")
	if _, err := Run(context.Background(), src, out, Options{Preset: p, LeaveOutputTensor: true, TokenEmbeddingType: &q8}); err != nil {
		t.Fatal(err)
	}
	f, err := gguf.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for name, want := range map[string]ggml.Type{"output.weight": ggml.TypeF16, "token_embd.weight": ggml.TypeQ8_0, "blk.1.attn_q.weight": ggml.TypeQ4_0} {
		if ti, ok := f.Lookup(name); !ok || ti.Type != want {
			t.Errorf("%s: %v, want %s", name, ti, want)
		}
	}
	if ft, err := f.Metadata.Uint32("general.file_type"); err != nil || ft != 2 {
		t.Errorf("general.file_type %d, %v", ft, err)
	}
	n := len(f.Metadata)
	if f.Metadata[n-1].Key != "general.file_type" || f.Metadata[n-2].Key != "general.quantization_version" {
		t.Errorf("last keys %s, %s", f.Metadata[n-2].Key, f.Metadata[n-1].Key)
	}
}
