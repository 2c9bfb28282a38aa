package model

import (
	"math"
	"testing"
)

// evalAll evaluates the reference prompt on a fresh context of m made with o
// and threads, returning every position's logits.
func evalAll(t *testing.T, m *Model, o Options, threads int, toks []int32) []float32 {
	t.Helper()
	c, err := m.NewContextWith(len(toks), o)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Threads = threads
	out := make([]float32, len(toks)*m.H.Vocab)
	if err := c.Eval(toks, 0, out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFastMatchesReference compares the fast path (quantized activations,
// F16/Q8_0/F32 caches) with the float32 reference path on the micro model:
// close logits and mostly the same top token; and the reference path with
// llama.cpp's F32-cache logits, which it reproduces almost exactly.
func TestFastMatchesReference(t *testing.T) {
	ref, err := readRefLogits(refDir + "logits-F16.bin")
	if err != nil {
		t.Fatal(err)
	}
	m := openModel(t, "convert-f16.gguf")
	v := m.H.Vocab
	exact := evalAll(t, m, Options{Reference: true}, 2, ref.tokens)
	// llama.cpp multiplies F16 weights with activations rounded to F16, so
	// the exact path differs from its logits by about 1e-4.
	if e := relRMS(exact, ref.logits); e > 3e-4 {
		t.Errorf("reference path vs llama.cpp (F32 cache): relative RMS %.3g, want ≤ 3e-4", e)
	}
	for _, tc := range []struct {
		name string
		o    Options
		tol  float64
	}{
		{"f16 cache", Options{}, 2e-3},
		{"f32 cache", Options{CacheK: CacheF32, CacheV: CacheF32}, 2e-3},
		{"q8_0 cache", Options{CacheK: CacheQ8_0, CacheV: CacheQ8_0}, 1e-2},
	} {
		fast := evalAll(t, m, tc.o, 2, ref.tokens)
		e := relRMS(fast, exact)
		same := 0
		for p := range ref.tokens {
			if Argmax(fast[p*v:(p+1)*v]) == Argmax(exact[p*v:(p+1)*v]) {
				same++
			}
		}
		t.Logf("%s: relative RMS vs reference %.3g (vs llama.cpp F32 cache %.3g), same top-1 %d/%d", tc.name, e, relRMS(fast, ref.logits), same, len(ref.tokens))
		if !(e <= tc.tol) || e == 0 {
			t.Errorf("%s: relative RMS vs reference %.3g, want non-zero and ≤ %g", tc.name, e, tc.tol)
		}
		if same < len(ref.tokens)*9/10 {
			t.Errorf("%s: same top-1 token at only %d of %d positions", tc.name, same, len(ref.tokens))
		}
	}
	// The F16 cache brings the fast path nearer llama.cpp's default run.
	if kv, err := readRefLogits(refDir + "logits-F16-kvf16.bin"); err == nil {
		e := relRMS(evalAll(t, m, Options{}, 2, ref.tokens), kv.logits)
		t.Logf("fast path vs llama.cpp with F16 cache: relative RMS %.3g", e)
	}
}

// TestThreadsDoNotChangeOutput: the fast path gives bit-identical logits for
// 1, 3 and 8 threads, for a batch and for one token at a time.
func TestThreadsDoNotChangeOutput(t *testing.T) {
	ref, err := readRefLogits(refDir + "logits-F16.bin")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"convert-f16.gguf", "quant-Q4_K_M.gguf"} {
		m := openModel(t, name)
		one := evalAll(t, m, Options{}, 1, ref.tokens)
		for _, th := range []int{3, 8} {
			got := evalAll(t, m, Options{}, th, ref.tokens)
			for i := range one {
				if math.Float32bits(got[i]) != math.Float32bits(one[i]) {
					t.Fatalf("%s: %d threads: logit %d is %v, 1 thread %v", name, th, i, got[i], one[i])
				}
			}
		}
	}
}

// TestObserver checks the hook: every named product in forward order, the
// activations of the right shape, the output head last.
func TestObserver(t *testing.T) {
	m := openModel(t, "quant-Q4_K_M.gguf")
	c, err := m.NewContext(8)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var names []string
	var rows []int
	c.SetObserver(func(tensor string, x []float32, nTok, cols int) {
		if len(x) != nTok*cols {
			t.Errorf("%s: %d values for %d×%d", tensor, len(x), nTok, cols)
		}
		names = append(names, tensor)
		rows = append(rows, nTok)
	})
	toks := []int32{1, 100, 200}
	if err := c.Eval(toks, 0, make([]float32, m.H.Vocab)); err != nil {
		t.Fatal(err)
	}
	want := []string{"blk.0.attn_q.weight", "blk.0.attn_k.weight", "blk.0.attn_v.weight", "blk.0.attn_output.weight", "blk.0.ffn_gate.weight", "blk.0.ffn_up.weight", "blk.0.ffn_down.weight"}
	if len(names) != 7*m.H.Layers+1 {
		t.Fatalf("%d products observed, want %d", len(names), 7*m.H.Layers+1)
	}
	for i, w := range want {
		if names[i] != w {
			t.Errorf("product %d: %s, want %s", i, names[i], w)
		}
	}
	if last := names[len(names)-1]; last != m.Output.Name || rows[len(rows)-1] != 1 || rows[0] != len(toks) {
		t.Errorf("last product %s with %d rows (first %d rows); want %s with 1 row", last, rows[len(rows)-1], rows[0], m.Output.Name)
	}
	// Removing the observer stops the calls.
	c.SetObserver(nil)
	n := len(names)
	if err := c.Eval([]int32{5}, 3, nil); err != nil || len(names) != n {
		t.Errorf("nil observer: err %v, %d new calls", err, len(names)-n)
	}
}
