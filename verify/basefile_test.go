package verify

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/zqtool/zq/gguf"
)

// TestBaseRoundTrip: statistics saved while comparing against a live base,
// saved from the base model alone, and loaded back must all agree exactly.
func TestBaseRoundTrip(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "live.zqb")
	own := filepath.Join(dir, "own.zqb")
	cfg := Config{Model: q4Model, Base: f16Model, Text: devText, Ctx: 64, Chunks: 2, TopK: 16, SaveBase: live}
	a, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), Config{Model: f16Model, Text: devText, Ctx: 64, Chunks: 2, TopK: 16, SaveBase: own}); err != nil {
		t.Fatal(err)
	}
	lb, err := os.ReadFile(live)
	if err != nil {
		t.Fatal(err)
	}
	ob, err := os.ReadFile(own)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(lb, ob) {
		t.Error("base statistics saved during a comparison differ from those saved by the base alone")
	}
	wantSize := int64(len(baseMagic)) + 4*5 + 1 + 4 + 3*(4+64) + 4*2*64 + 2*int64(scored(64))*recordSize(16) + 32
	if int64(len(lb)) != wantSize {
		t.Errorf("file is %d bytes, want %d", len(lb), wantSize)
	}
	b, err := Run(context.Background(), Config{Model: q4Model, LoadBase: live, Text: devText})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.Comparison, b.Comparison) {
		t.Errorf("loaded base gives\n%+v\nlive base gave\n%+v", b.Comparison, a.Comparison)
	}
	if !reflect.DeepEqual(a.Model.Running, b.Model.Running) || a.Base.PPL != b.Base.PPL {
		t.Errorf("running PPL differs: %v vs %v, base %v vs %v", a.Model.Running, b.Model.Running, a.Base.PPL, b.Base.PPL)
	}
	if b.Provenance.BaseSHA256 != a.Provenance.BaseSHA256 || b.Provenance.TextSHA256 != a.Provenance.TextSHA256 || b.Provenance.BaseStatsSHA256 == "" {
		t.Errorf("provenance lost: %+v vs %+v", b.Provenance, a.Provenance)
	}

	// Fewer chunks than saved is allowed; a different context is not.
	if r, err := Run(context.Background(), Config{Model: q4Model, LoadBase: live, Chunks: 1}); err != nil || r.Provenance.Chunks != 1 {
		t.Errorf("--chunks 1 with a 2-chunk base: %v", err)
	}
	errCases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"ctx", Config{Model: q4Model, LoadBase: live, Ctx: 128}, "context size"},
		{"text", Config{Model: q4Model, LoadBase: live, Text: refDir + "generate.txt"}, "not the text"},
	}
	for _, tc := range errCases {
		if _, err := Run(context.Background(), tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error mentioning %q", tc.name, err, tc.want)
		}
	}

	// Damaged files are rejected, not misread.
	for name, damage := range map[string]func([]byte) []byte{
		"flipped":   func(b []byte) []byte { b[len(b)/2] ^= 1; return b },
		"truncated": func(b []byte) []byte { return b[:len(b)-100] },
		"magic":     func(b []byte) []byte { b[0] = 'X'; return b },
		"empty":     func(b []byte) []byte { return nil },
	} {
		p := filepath.Join(dir, name+".zqb")
		if err := os.WriteFile(p, damage(bytes.Clone(lb)), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadBase(p); err == nil {
			t.Errorf("%s base file accepted", name)
		}
	}
}

// rewriteGGUF copies src to dst with edited metadata.
func rewriteGGUF(t *testing.T, src, dst string, edit func(md *gguf.Metadata)) {
	t.Helper()
	f, err := gguf.OpenFile(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	md := append(gguf.Metadata(nil), f.Metadata...)
	edit(&md)
	w, err := gguf.Create(dst, md, f.Tensors)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for i := range f.Tensors {
		data, err := f.TensorData(&f.Tensors[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteTensor(i, data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short.txt")
	if err := os.WriteFile(short, []byte("The scheduler keeps a list of runnable tasks.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	otherVocab := filepath.Join(dir, "vocab.gguf")
	rewriteGGUF(t, f16Model, otherVocab, func(md *gguf.Metadata) {
		v, _ := md.Get("tokenizer.ggml.tokens")
		toks, _ := v.AsStrings()
		toks = append([]string(nil), toks...)
		toks[500] = "zzqq"
		md.Set("tokenizer.ggml.tokens", gguf.Strings(toks))
	})
	gpt2 := filepath.Join(dir, "gpt2.gguf")
	rewriteGGUF(t, f16Model, gpt2, func(md *gguf.Metadata) { md.Set("general.architecture", gguf.String("gpt2")) })

	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"short text", Config{Model: f16Model, Text: short, Ctx: 256}, "at least 2·ctx"},
		{"other vocabulary", Config{Model: q4Model, Base: otherVocab, Text: devText, Ctx: 256, Chunks: 1}, "different vocabulary"},
		{"non-llama model", Config{Model: gpt2, Text: devText}, `"gpt2"`},
		{"non-llama base", Config{Model: q4Model, Base: gpt2, Text: devText}, `"gpt2"`},
		{"no text", Config{Model: f16Model}, "no text"},
		{"base twice", Config{Model: f16Model, Text: devText, Base: f16Model, LoadBase: "x"}, "exclusive"},
		{"missing model", Config{Model: filepath.Join(dir, "none.gguf"), Text: devText}, "none.gguf"},
		{"top-k", Config{Model: f16Model, Text: devText, TopK: MaxTopK + 1}, "top-k"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(context.Background(), tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, Config{Model: f16Model, Text: devText, Ctx: 64, Chunks: 2}); err != context.Canceled {
		t.Errorf("got %v, want context.Canceled", err)
	}
}
