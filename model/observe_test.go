package model

import (
	"fmt"
	"slices"
	"testing"
)

// TestObserverSeesEveryProduct checks that the observer sees every named product, in
// forward order, with the activation rows that enter it, and that watching
// changes nothing in the logits.
func TestObserverSeesEveryProduct(t *testing.T) {
	m := openModel(t, "convert-f16.gguf")
	toks := []int32{1, 450, 866, 3156, 338, 263, 1243, 29}
	n := len(toks)
	plain, err := m.NewContext(n)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float32, n*m.H.Vocab)
	if err := plain.Eval(toks, 0, want); err != nil {
		t.Fatal(err)
	}

	c, err := m.NewContext(n)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	inputs := map[string][]float32{}
	c.SetObserver(func(tensor string, x []float32, nTok, cols int) {
		if nTok != n || len(x) != nTok*cols {
			t.Errorf("%s: %d floats for %d×%d", tensor, len(x), nTok, cols)
		}
		names = append(names, tensor)
		inputs[tensor] = slices.Clone(x)
	})
	got := make([]float32, n*m.H.Vocab)
	if err := c.Eval(toks, 0, got); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Error("logits differ with an observer")
	}
	var order []string
	for il := range m.H.Layers {
		for _, s := range []string{"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"} {
			order = append(order, fmt.Sprintf("blk.%d.%s.weight", il, s))
		}
	}
	order = append(order, "output.weight")
	if !slices.Equal(names, order) {
		t.Fatalf("observed %v\nwant %v", names, order)
	}
	// Q, K and V share their input; the gate and up products too.
	for il := range m.H.Layers {
		b := fmt.Sprintf("blk.%d.", il)
		if !slices.Equal(inputs[b+"attn_q.weight"], inputs[b+"attn_v.weight"]) ||
			!slices.Equal(inputs[b+"ffn_gate.weight"], inputs[b+"ffn_up.weight"]) {
			t.Errorf("layer %d: products that share an input saw different rows", il)
		}
		if len(inputs[b+"ffn_down.weight"]) != n*m.H.FF {
			t.Errorf("layer %d: ffn_down input has %d floats, want %d", il, len(inputs[b+"ffn_down.weight"]), n*m.H.FF)
		}
	}
	// The first product's input is the normed embedding: not all zero.
	nz := slices.ContainsFunc(inputs["blk.0.attn_q.weight"], func(v float32) bool { return v != 0 })
	if !nz {
		t.Error("blk.0.attn_q.weight input is all zero")
	}
}
