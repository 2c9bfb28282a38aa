package model

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/tokenizer"
)

// TestIncrementalMatchesBatch checks the KV cache: feeding the prompt one
// token at a time gives the batched logits.
func TestIncrementalMatchesBatch(t *testing.T) {
	ref, err := readRefLogits(refDir + "logits-F16.bin")
	if err != nil {
		t.Fatal(err)
	}
	m := openModel(t, "convert-f16.gguf")
	v := m.H.Vocab
	c, err := m.NewContext(len(ref.tokens))
	if err != nil {
		t.Fatal(err)
	}
	batch := make([]float32, len(ref.tokens)*v)
	if err := c.Eval(ref.tokens, 0, batch); err != nil {
		t.Fatal(err)
	}
	// Last-only logits from a split batch: first half, then the rest.
	half := len(ref.tokens) / 2
	c.Reset()
	last := make([]float32, v)
	if err := c.Eval(ref.tokens[:half], 0, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Eval(ref.tokens[half:], half, last); err != nil {
		t.Fatal(err)
	}
	n := len(ref.tokens)
	if e := relRMS(last, batch[(n-1)*v:]); e > 1e-5 {
		t.Errorf("split batch: last logits differ by %.3g", e)
	}
	c.Reset()
	for p, tok := range ref.tokens {
		if err := c.Eval([]int32{tok}, p, last); err != nil {
			t.Fatal(err)
		}
		if e := relRMS(last, batch[p*v:(p+1)*v]); e > 1e-5 {
			t.Fatalf("position %d: incremental logits differ from batched by %.3g", p, e)
		}
	}
}

// TestGreedyMatchesLlamaCpp reproduces llama-simple -n 48 "The kernel
// driver" on the F16 model (testdata/reference/generate.txt).
func TestGreedyMatchesLlamaCpp(t *testing.T) {
	want, err := os.ReadFile(refDir + "generate.txt")
	if err != nil {
		t.Fatal(err)
	}
	m := openModel(t, "convert-f16.gguf")
	tok, err := tokenizer.FromMetadata(m.Metadata)
	if err != nil {
		t.Fatal(err)
	}
	prompt := tok.Encode("The kernel driver", true, true)
	c, err := m.NewContext(len(prompt) + 48)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	for _, id := range prompt {
		sb.WriteString(tok.Piece(id, true))
	}
	gen, st, err := Greedy(context.Background(), c, prompt, 48, tok.IsEOG, func(id int32) error {
		sb.WriteString(tok.Piece(id, true))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sb.WriteString("\n")
	if sb.String() != string(want) {
		t.Errorf("greedy output differs from llama.cpp\n got: %q\nwant: %q", sb.String(), want)
	}
	if len(gen) != 48 || st.Generated != 48 || st.PromptTokens != len(prompt) {
		t.Errorf("generated %d tokens (stats %+v), want 48", len(gen), st)
	}
}

func TestSlidingWindow(t *testing.T) {
	last := func(window int, toks []int32) []float32 {
		s := tinySpec()
		s.window = window
		m, err := Open(writeSynth(t, t.TempDir(), s))
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		if m.H.Window != window {
			t.Fatalf("window %d, want %d", m.H.Window, window)
		}
		c, err := m.NewContext(8)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]float32, m.H.Vocab)
		if err := c.Eval(toks, 0, out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	a := []int32{5, 17, 200, 42}
	b := []int32{9, 33, 101, 42}
	// Window 1: each position sees only itself, so the history is irrelevant.
	if e := relRMS(last(1, a), last(1, b)); e > 1e-6 {
		t.Errorf("window 1: last logits depend on earlier tokens (%.3g)", e)
	}
	if e := relRMS(last(0, a), last(0, b)); e < 1e-4 {
		t.Errorf("full attention: last logits do not depend on earlier tokens (%.3g)", e)
	}
	if e := relRMS(last(4, a), last(0, a)); e > 1e-6 {
		t.Errorf("window ≥ sequence differs from full attention (%.3g)", e)
	}
}

func TestQuantizedAndBiasedSynthetic(t *testing.T) {
	// A quantized model with biases and its F32 twin must agree roughly;
	// the same model twice must agree exactly (determinism across threads).
	run := func(typ ggml.Type, threads int) []float32 {
		s := tinySpec()
		s.embd, s.ff = 256, 256
		s.typ, s.outType, s.biases = typ, typ, true
		m, err := Open(writeSynth(t, t.TempDir(), s))
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		c, err := m.NewContext(16)
		if err != nil {
			t.Fatal(err)
		}
		c.Threads = threads
		toks := []int32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
		out := make([]float32, len(toks)*m.H.Vocab)
		if err := c.Eval(toks, 0, out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	f32 := run(ggml.TypeF32, 1)
	if e := relRMS(run(ggml.TypeF32, 3), f32); e != 0 {
		t.Errorf("3 threads differ from 1 thread by %.3g", e)
	}
	q8 := run(ggml.TypeQ8_0, 2)
	if e := relRMS(q8, f32); e > 0.2 || e == 0 {
		t.Errorf("Q8_0 vs F32 relative RMS %.3g, want small but non-zero", e)
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name string
		edit func(s *synthSpec)
		want string
	}{
		{"arch", func(s *synthSpec) {
			s.edit = func(md *gguf.Metadata) { md.Set("general.architecture", gguf.String("gpt2")) }
		}, `"gpt2"`},
		{"missing tensor", func(s *synthSpec) { s.drop = "blk.1.ffn_up.weight" }, "blk.1.ffn_up.weight"},
		{"missing norm", func(s *synthSpec) { s.drop = "output_norm.weight" }, "output_norm.weight"},
		{"missing key", func(s *synthSpec) {
			s.edit = func(md *gguf.Metadata) { md.Delete("llama.attention.layer_norm_rms_epsilon") }
		}, "layer_norm_rms_epsilon"},
		{"bad heads", func(s *synthSpec) {
			s.edit = func(md *gguf.Metadata) { md.Set("llama.attention.head_count_kv", gguf.Uint32(3)) }
		}, "head_count_kv"},
		{"vocab mismatch", func(s *synthSpec) {
			s.edit = func(md *gguf.Metadata) { md.Set("llama.vocab_size", gguf.Uint32(999)) }
		}, "vocab_size"},
		{"yarn", func(s *synthSpec) {
			s.edit = func(md *gguf.Metadata) { md.Set("llama.rope.scaling.type", gguf.String("yarn")) }
		}, "rope.scaling.type"},
		{"unsupported type", func(s *synthSpec) {
			s.typ = ggml.TypeF32
			s.retype = map[string]ggml.Type{"blk.0.attn_k.weight": ggml.TypeMXFP4}
		}, "blk.0.attn_k.weight"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := tinySpec()
			s.embd = 256
			tc.edit(&s)
			m, err := Open(writeSynth(t, t.TempDir(), s))
			if err == nil {
				m.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %s", err, tc.want)
			}
		})
	}
}

func TestEvalErrors(t *testing.T) {
	m, err := Open(writeSynth(t, t.TempDir(), tinySpec()))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	c, err := m.NewContext(4)
	if err != nil {
		t.Fatal(err)
	}
	v := m.H.Vocab
	cases := []struct {
		name   string
		tokens []int32
		pos    int
		logits int
		want   string
	}{
		{"token range", []int32{1, int32(v)}, 0, v, "outside the vocabulary"},
		{"negative token", []int32{-1}, 0, v, "outside the vocabulary"},
		{"overflow", []int32{1, 2, 3, 4, 5}, 0, v, "exceed the context size"},
		{"hole", []int32{1}, 2, v, "out of range"},
		{"logits size", []int32{1, 2}, 0, v + 1, "logits buffer"},
		{"empty", nil, 0, 0, "no tokens"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.Reset()
			err := c.Eval(tc.tokens, tc.pos, make([]float32, tc.logits))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}
