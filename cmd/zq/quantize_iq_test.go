package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zqtool/zq/codec"
	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/gguf"
)

// TestQuantizeImatrixFlags covers --include-weights / --exclude-weights
// (llama-quantize's substring filters, recorded in
// quantize.imatrix.entries_count), the refusal of a preset that needs a
// matrix, and --dry-run's marking of types codec cannot encode.
func TestQuantizeImatrixFlags(t *testing.T) {
	dir := t.TempDir()
	im := refDir + "imatrix.gguf"
	ctx := context.Background()

	out := filepath.Join(dir, "x.gguf")
	r := zq(t, ctx, "quantize", f16GGUF, out, "--type", "q2_k_s", "--imatrix", im, "--exclude-weights", "ffn_", "--exclude-weights", "blk.3.")
	// Q2_K_S needs data for every Q2_K tensor: excluding ffn_ is refused, naming a tensor.
	if r.code == 0 || !strings.Contains(r.stderr, "ffn_") || !strings.Contains(r.stderr, "importance") {
		t.Errorf("Q2_K_S with ffn_ excluded: code %d, %s", r.code, r.stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("refused run wrote its output")
	}
	for _, c := range []struct {
		args    []string
		entries uint32
	}{
		{[]string{"--exclude-weights", "ffn_", "--exclude-weights", "blk.3."}, 12},
		{[]string{"--include-weights", "attn_v", "--include-weights", "blk.0."}, 4 + 6},
	} {
		args := append([]string{"quantize", f16GGUF, out, "--type", "q4_k_m", "--imatrix", im}, c.args...)
		if r := zq(t, ctx, args...); r.code != 0 {
			t.Fatalf("%v: %s", c.args, r.stderr)
		}
		f, err := gguf.OpenFile(out)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := f.Metadata.Uint32("quantize.imatrix.entries_count")
		f.Close()
		if n != c.entries {
			t.Errorf("%v: entries_count %d, want %d", c.args, n, c.entries)
		}
	}
	r = zq(t, ctx, "quantize", f16GGUF, out, "--type", "iq3_s", "--imatrix", im, "--include-weights", "a", "--exclude-weights", "b")
	if r.code == 0 || !strings.Contains(r.stderr, "cannot be used together") {
		t.Errorf("both filters: code %d, %s", r.code, r.stderr)
	}
	// A filter that leaves nothing is no matrix: IQ2_XXS is refused.
	os.Remove(out)
	r = zq(t, ctx, "quantize", f16GGUF, out, "--type", "iq2_xxs", "--imatrix", im, "--include-weights", "no-such-weight")
	if r.code == 0 || !strings.Contains(r.stderr, "needs an importance matrix") {
		t.Errorf("IQ2_XXS with an emptied matrix: code %d, %s", r.code, r.stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("refused run wrote its output")
	}

	// --dry-run marks exactly the tensors whose type codec lacks.
	r = zq(t, ctx, "quantize", f16GGUF, out, "--type", "iq2_m", "--imatrix", im, "--dry-run")
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")[1:]
	for _, l := range lines {
		_, after, ok := strings.Cut(l, " -> ")
		fs := strings.Fields(after)
		if !ok || len(fs) < 2 {
			t.Fatalf("line %q: no \" -> TYPE ACTION\"", l)
		}
		ty, err := ggml.ParseType(fs[0])
		if err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		marked := strings.HasSuffix(l, "(no zq codec)")
		if want := fs[1] == "quantize" && !codec.Supports(ty); marked != want {
			t.Errorf("line %q: marked %v, want %v", l, marked, want)
		}
	}
	if len(lines) != 39 {
		t.Errorf("%d plan lines, want 39", len(lines))
	}
}
