package model

import (
	"slices"
	"testing"

	"github.com/zqtool/zq/codec"
	"github.com/zqtool/zq/ggml"
)

// TestReplaceWeight swaps one weight for its Q4_K encoding in memory: the
// logits change, the context sees the change without being remade, and
// putting the original bytes back restores them exactly. Bad replacements
// are refused with the weight's name.
func TestReplaceWeight(t *testing.T) {
	m := openModel(t, "convert-f16.gguf")
	toks := []int32{1, 450, 866, 3156, 338, 263, 1243, 29}
	c, err := m.NewContext(len(toks))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	eval := func() []float32 {
		out := make([]float32, len(toks)*m.H.Vocab)
		if err := c.Eval(toks, 0, out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	want := eval()
	w := m.Layers[1].Down
	if got := len(m.Matrices()); got != 2+7*len(m.Layers) {
		t.Fatalf("Matrices: %d weights, want %d", got, 2+7*len(m.Layers))
	}
	if !slices.Contains(m.Matrices(), w) {
		t.Fatal("Matrices misses blk.1.ffn_down.weight")
	}
	origType, origData := w.Type, w.Data
	f := make([]float32, w.Rows*w.Cols)
	for r := range w.Rows {
		if err := w.DecodeRow(r, f[r*w.Cols:]); err != nil {
			t.Fatal(err)
		}
	}
	rb, _ := ggml.TypeQ4_K.RowSize(int64(w.Cols))
	q := make([]byte, int(rb)*w.Rows)
	if err := codec.Quantize(ggml.TypeQ4_K, q, f, w.Cols, nil, 1); err != nil {
		t.Fatal(err)
	}
	if err := w.Replace(ggml.TypeQ4_K, q); err != nil {
		t.Fatal(err)
	}
	if got := eval(); slices.Equal(got, want) {
		t.Error("logits unchanged after replacing blk.1.ffn_down.weight with Q4_K")
	}
	if err := w.Replace(origType, origData); err != nil {
		t.Fatal(err)
	}
	if got := eval(); !slices.Equal(got, want) {
		t.Error("logits differ after restoring the original weight")
	}
	for _, tc := range []struct {
		typ  ggml.Type
		data []byte
	}{
		{ggml.TypeQ4_K, q[:len(q)-1]},     // short
		{ggml.TypeQ8_1, make([]byte, 10)}, // wrong size
		{ggml.TypeIQ4_NL, nil},            // no data
	} {
		if err := w.Replace(tc.typ, tc.data); err == nil {
			t.Errorf("Replace(%s, %d bytes) succeeded", tc.typ, len(tc.data))
		}
	}
	if err := m.Layers[0].K.Replace(ggml.TypeQ4_K, nil); err == nil {
		t.Error("Replace accepted a wrong size for blk.0.attn_k.weight")
	}
	if w.Type != origType || &w.Data[0] != &origData[0] {
		t.Error("a refused Replace changed the weight")
	}
}

// TestEvalHidden replays a batch from saved layer inputs: starting at
// layer 0 from the embeddings gives Eval's logits, the hook sees every
// layer's input, and replaying from layer 3 after changing a weight of
// layer 3 gives what a full evaluation with that weight gives.
func TestEvalHidden(t *testing.T) {
	m := openModel(t, "convert-f16.gguf")
	toks := []int32{1, 450, 866, 3156, 338, 263, 1243, 29}
	n, e, v := len(toks), m.H.Embd, m.H.Vocab
	c, err := m.NewContext(n)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	full := func() []float32 {
		out := make([]float32, 2*v)
		if err := c.EvalFrom(toks, 0, n-2, out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	want := full()
	x := make([]float32, n*e)
	for i, tok := range toks {
		if err := m.TokEmbd.DecodeRow(int(tok), x[i*e:]); err != nil {
			t.Fatal(err)
		}
	}
	saved := map[int][]float32{}
	got := make([]float32, 2*v)
	c.Reset()
	if err := c.EvalHidden(x, 0, 0, n-2, got, func(l int, h []float32) { saved[l] = slices.Clone(h) }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) || len(saved) != len(m.Layers)+1 || !slices.Equal(saved[0], x) {
		t.Fatalf("from the embeddings: same logits %v, %d layer inputs seen", slices.Equal(got, want), len(saved))
	}
	w := m.Layers[3].Up
	orig := w.Data
	changed := slices.Clone(orig)
	for i := 0; i < len(changed); i += 2 {
		changed[i] ^= 3 // the F16 values' lowest mantissa bits
	}
	if err := w.Replace(w.Type, changed); err != nil {
		t.Fatal(err)
	}
	defer w.Replace(w.Type, orig)
	before := want
	if want = full(); slices.Equal(want, before) {
		t.Fatal("changing blk.3.ffn_up.weight changed no logit")
	}
	c.Reset()
	if err := c.EvalHidden(saved[3], 0, 3, n-2, got, nil); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Error("replaying from layer 3 differs from a full evaluation")
	}
	for _, bad := range []struct {
		x           []float32
		from, first int
		logits      []float32
	}{
		{x[:e+1], 0, 0, make([]float32, v)},
		{x, 5, n - 2, got},
		{x, 0, n + 1, got},
		{x, 0, n - 2, got[:v]},
	} {
		if err := c.EvalHidden(bad.x, 0, bad.from, bad.first, bad.logits, nil); err == nil {
			t.Errorf("EvalHidden(%d values, from %d, first %d, %d logits) succeeded", len(bad.x), bad.from, bad.first, len(bad.logits))
		}
	}
}
