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
