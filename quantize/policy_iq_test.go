package quantize

import (
	"testing"

	"github.com/zqtool/zq/ggml"
)

// Shapes for the i-quant rules: TinyLlama-1.1B (22 layers, n_gqa 8),
// Llama-3.2-1B (16 layers, n_gqa 4), Llama-2-7B (no GQA), a GQA-2 model
// and the llama "70B" class (80 layers with GQA).
var (
	tinyLlama = synthShape{layers: 22, embd: 2048, ff: 5632, heads: 32, headsKV: 4, vocab: 32000}
	llama1B   = synthShape{layers: 16, embd: 2048, ff: 8192, heads: 32, headsKV: 8, vocab: 128256}
	llama2_7B = synthShape{layers: 32, embd: 4096, ff: 11008, heads: 32, headsKV: 32, vocab: 32000}
	gqa2Shape = synthShape{layers: 24, embd: 1024, ff: 2816, heads: 16, headsKV: 8, vocab: 32000}
	llama70B  = synthShape{layers: 80, embd: 8192, ff: 28672, heads: 64, headsKV: 8, vocab: 32000}
)

// TestPolicyIQShapes checks llama_tensor_get_type's i-quant rules on
// generated shapes: the IQ1/IQ2 branch (attn_v by GQA, the first eighth of
// ffn_down by running counter, attn_output), the IQ3 rules (IQ3_XS's middle
// ffn_gate/ffn_up, IQ3_XXS's importance-matrix-dependent attn_v and
// ffn_down) and the 70B bump, which the IQ1/IQ2 branch never reaches.
func TestPolicyIQShapes(t *testing.T) {
	im := PolicyOptions{HasImatrix: true}
	cases := []struct {
		name   string
		shape  synthShape
		preset string
		pol    PolicyOptions
		want   map[string]string
	}{
		{"TinyLlama IQ2_XXS", tinyLlama, "IQ2_XXS", im, map[string]string{
			"token_embd.weight": "q2_K", "output.weight": "q5_K", "blk.0.attn_v.weight": "q4_K",
			"blk.1.ffn_down.weight": "q2_K", "blk.2.ffn_down.weight": "iq2_xxs", "blk.21.ffn_down.weight": "iq2_xxs",
			"blk.5.attn_output.weight": "iq2_xxs", "blk.5.attn_k.weight": "iq2_xxs", "blk.5.ffn_up.weight": "iq2_xxs"}},
		{"TinyLlama IQ1_M", tinyLlama, "IQ1_M", im, map[string]string{
			"token_embd.weight": "q2_K", "output.weight": "q5_K", "blk.3.attn_output.weight": "iq2_xxs",
			"blk.0.ffn_down.weight": "q2_K", "blk.2.ffn_down.weight": "iq1_m", "blk.9.attn_q.weight": "iq1_m"}},
		{"TinyLlama IQ2_S", tinyLlama, "IQ2_S", im, map[string]string{
			"token_embd.weight": "iq3_s", "blk.1.ffn_down.weight": "iq3_s", "blk.2.ffn_down.weight": "iq2_xs",
			"blk.7.attn_output.weight": "iq3_s", "blk.7.ffn_gate.weight": "iq2_xs"}},
		{"TinyLlama IQ3_XS", tinyLlama, "IQ3_XS", PolicyOptions{}, map[string]string{
			"token_embd.weight": "iq3_s", "output.weight": "q6_K", "blk.0.attn_q.weight": "iq3_xxs",
			"blk.0.attn_k.weight": "iq3_xxs", "blk.0.attn_v.weight": "q4_K", "blk.1.ffn_gate.weight": "iq3_s",
			"blk.2.ffn_gate.weight": "iq3_xxs", "blk.18.ffn_up.weight": "iq3_xxs", "blk.19.ffn_up.weight": "iq3_s",
			"blk.10.ffn_down.weight": "iq3_s", "blk.10.attn_output.weight": "iq3_s"}},
		{"TinyLlama IQ3_M", tinyLlama, "IQ3_M", PolicyOptions{}, map[string]string{
			"blk.1.ffn_down.weight": "q4_K", "blk.2.ffn_down.weight": "iq3_s", "blk.2.attn_output.weight": "q4_K",
			"blk.2.attn_v.weight": "q4_K", "blk.2.ffn_gate.weight": "iq3_s"}},
		{"TinyLlama Q2_K_S", tinyLlama, "Q2_K_S", im, map[string]string{
			"token_embd.weight": "q2_K", "output.weight": "q6_K", "blk.1.ffn_down.weight": "q4_K",
			"blk.2.ffn_down.weight": "q2_K", "blk.4.attn_v.weight": "q4_K", "blk.4.attn_output.weight": "q2_K"}},
		{"Llama-3.2-1B IQ2_M", llama1B, "IQ2_M", im, map[string]string{
			"token_embd.weight": "iq3_s", "output.weight": "q5_K", "blk.0.attn_v.weight": "q4_K",
			"blk.1.ffn_down.weight": "iq3_s", "blk.2.ffn_down.weight": "iq2_s", "blk.2.attn_output.weight": "iq3_s"}},
		{"Llama-3.2-1B IQ3_XXS imatrix", llama1B, "IQ3_XXS", im, map[string]string{
			"blk.0.attn_v.weight": "q4_K", "blk.0.ffn_down.weight": "iq3_xxs", "blk.0.attn_k.weight": "iq2_s",
			"blk.0.attn_output.weight": "iq3_s", "token_embd.weight": "iq3_s", "output.weight": "q5_K"}},
		{"Llama-2-7B IQ2_XXS", llama2_7B, "IQ2_XXS", im, map[string]string{"blk.9.attn_v.weight": "q2_K"}},
		{"Llama-2-7B IQ2_M", llama2_7B, "IQ2_M", im, map[string]string{"blk.9.attn_v.weight": "iq3_s", "blk.3.ffn_down.weight": "iq3_s", "blk.4.ffn_down.weight": "iq2_s"}},
		{"Llama-2-7B IQ1_S", llama2_7B, "IQ1_S", im, map[string]string{"blk.9.attn_v.weight": "q2_K", "blk.9.attn_output.weight": "iq2_xxs"}},
		{"Llama-2-7B IQ3_XXS", llama2_7B, "IQ3_XXS", PolicyOptions{}, map[string]string{
			"blk.9.attn_v.weight": "iq3_s", "blk.3.ffn_down.weight": "q4_K", "blk.4.ffn_down.weight": "q3_K"}},
		{"Llama-2-7B IQ3_XXS imatrix", llama2_7B, "IQ3_XXS", im, map[string]string{
			"blk.9.attn_v.weight": "iq3_xxs", "blk.3.ffn_down.weight": "iq3_xxs"}},
		{"Llama-2-7B IQ3_XS", llama2_7B, "IQ3_XS", PolicyOptions{}, map[string]string{"blk.9.attn_v.weight": "iq3_s"}},
		{"Llama-2-7B IQ3_S", llama2_7B, "IQ3_S", PolicyOptions{}, map[string]string{"blk.9.attn_v.weight": "iq3_s"}},
		{"Llama-2-7B IQ3_M", llama2_7B, "IQ3_M", PolicyOptions{}, map[string]string{"blk.9.attn_v.weight": "q4_K"}},
		{"Llama-2-7B Q2_K_S", llama2_7B, "Q2_K_S", im, map[string]string{"blk.9.attn_v.weight": "q2_K", "blk.3.ffn_down.weight": "q4_K"}},
		{"GQA 2 IQ2_XS", gqa2Shape, "IQ2_XS", im, map[string]string{"blk.9.attn_v.weight": "q2_K", "blk.2.ffn_down.weight": "q2_K", "blk.3.ffn_down.weight": "iq2_xs"}},
		{"GQA 2 IQ3_S", gqa2Shape, "IQ3_S", PolicyOptions{}, map[string]string{"blk.9.attn_v.weight": "iq3_s"}},
		{"70B IQ3_XS", llama70B, "IQ3_XS", PolicyOptions{}, map[string]string{"blk.40.attn_v.weight": "q5_K"}},
		{"70B IQ3_M", llama70B, "IQ3_M", PolicyOptions{}, map[string]string{"blk.40.attn_v.weight": "q5_K", "blk.9.ffn_down.weight": "q4_K", "blk.10.ffn_down.weight": "iq3_s"}},
		{"70B IQ3_XXS", llama70B, "IQ3_XXS", im, map[string]string{"blk.40.attn_v.weight": "q5_K"}},
		{"70B IQ2_XXS", llama70B, "IQ2_XXS", im, map[string]string{"blk.40.attn_v.weight": "q4_K"}},
		{"70B Q2_K_S", llama70B, "Q2_K_S", im, map[string]string{"blk.40.attn_v.weight": "q5_K"}},
	}
	for _, c := range cases {
		plan, err := planFor(c.shape, c.preset, c.pol)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if plan.NFallback != 0 {
			t.Errorf("%s: %d fallbacks, want none", c.name, plan.NFallback)
		}
		for name, want := range c.want {
			if got := typeOf(plan, name); got != want {
				t.Errorf("%s: %s is %s, want %s", c.name, name, got, want)
			}
		}
	}
}

// TestPolicyIQFallbacks uses rows of 288 values (not a multiple of 256) and
// 1000 (not a multiple of 32): every i-quant and k-quant choice falls back
// (IQ types and Q2_K/Q3_K to IQ4_NL, Q4_K to Q5_0, Q5_K to Q5_1, Q6_K to
// Q8_0, then F16 when even that does not fit), and the output rule checks
// the preset's default block size first.
func TestPolicyIQFallbacks(t *testing.T) {
	s288 := synthShape{layers: 8, embd: 288, ff: 768, heads: 8, headsKV: 2, vocab: 512}
	im := PolicyOptions{HasImatrix: true}
	cases := []struct {
		preset string
		pol    PolicyOptions
		want   map[string]string
	}{
		{"IQ2_XXS", im, map[string]string{"token_embd.weight": "iq4_nl", "output.weight": "q8_0",
			"blk.0.attn_q.weight": "iq4_nl", "blk.0.attn_v.weight": "q5_0", "blk.0.ffn_down.weight": "q2_K",
			"blk.1.ffn_down.weight": "iq2_xxs", "blk.3.attn_output.weight": "iq4_nl"}},
		{"IQ1_S", im, map[string]string{"blk.3.attn_output.weight": "iq4_nl", "blk.1.ffn_down.weight": "iq1_s", "blk.1.ffn_up.weight": "iq4_nl"}},
		{"IQ1_M", im, map[string]string{"blk.1.ffn_down.weight": "iq1_m", "blk.1.ffn_gate.weight": "iq4_nl"}},
		{"IQ2_M", im, map[string]string{"token_embd.weight": "iq4_nl", "blk.0.ffn_down.weight": "iq3_s",
			"blk.5.ffn_down.weight": "iq2_s", "blk.5.attn_output.weight": "iq4_nl", "blk.5.attn_k.weight": "iq4_nl"}},
		{"IQ3_XXS", PolicyOptions{}, map[string]string{"token_embd.weight": "iq4_nl", "output.weight": "q8_0",
			"blk.0.attn_v.weight": "q5_0", "blk.0.ffn_down.weight": "q4_K", "blk.1.ffn_down.weight": "q3_K",
			"blk.1.attn_k.weight": "iq4_nl"}},
		{"IQ3_XS", PolicyOptions{}, map[string]string{"blk.4.ffn_gate.weight": "iq4_nl", "blk.4.attn_v.weight": "q5_0", "blk.4.ffn_down.weight": "iq3_s"}},
		{"IQ3_M", PolicyOptions{}, map[string]string{"blk.4.attn_output.weight": "q5_0", "blk.0.ffn_down.weight": "q4_K", "output.weight": "q8_0"}},
		{"Q2_K_S", im, map[string]string{"blk.4.attn_output.weight": "iq4_nl", "blk.0.ffn_down.weight": "q4_K", "blk.0.attn_v.weight": "q5_0"}},
	}
	for _, c := range cases {
		plan, err := planFor(s288, c.preset, c.pol)
		if err != nil {
			t.Fatalf("%s: %v", c.preset, err)
		}
		for name, want := range c.want {
			if got := typeOf(plan, name); got != want {
				t.Errorf("%s %s: %s, want %s", c.preset, name, got, want)
			}
		}
		// Every 288-wide tensor (6 per layer and token_embd) falls back.
		if plan.NFallback != 8*6+1 {
			t.Errorf("%s: %d fallbacks, want %d", c.preset, plan.NFallback, 8*6+1)
		}
	}

	// ne0 = 1000: the lattice types fall back to IQ4_NL, which does not fit
	// either (block of 32), so ffn_down becomes F16.
	s1000 := synthShape{layers: 8, embd: 256, ff: 1000, heads: 8, headsKV: 8, vocab: 512}
	for _, preset := range []string{"IQ2_XXS", "IQ2_S", "IQ1_S", "IQ3_XXS", "IQ3_S", "IQ3_M", "Q2_K_S"} {
		plan, err := planFor(s1000, preset, im)
		if err != nil {
			t.Fatalf("%s: %v", preset, err)
		}
		for _, name := range []string{"blk.0.ffn_down.weight", "blk.5.ffn_down.weight"} {
			if got := typeOf(plan, name); got != "f16" {
				t.Errorf("%s %s with ne0=1000: %s, want f16", preset, name, got)
			}
		}
		if plan.NFallback != 8 {
			t.Errorf("%s: %d fallbacks, want 8", preset, plan.NFallback)
		}
	}
}

// TestPolicyIQExperts calls the rules directly for mixture-of-experts
// shapes: 8 experts bump attn_k/attn_output/attn_v; n_expert >= 4 alone
// gives attn_v Q4_K in the IQ1/IQ2 branch; IQ3_M's ffn_down follows
// use_more_bits of the layer parsed from the name.
func TestPolicyIQExperts(t *testing.T) {
	role := func(name string, ne0, idx int) TensorRole {
		return TensorRole{Name: name, Kind: Classify(name, true), Index: idx, Ne: [4]int64{int64(ne0), 4096, 8, 1}}
	}
	moe8 := ModelShape{Arch: "llama", NLayer: 32, NHead: 32, NHeadKV: 8, NExpert: 8, NAttentionWV: 32, HasOutput: true}
	moe4 := ModelShape{Arch: "llama", NLayer: 32, NHead: 32, NHeadKV: 32, NExpert: 4, NAttentionWV: 32, HasOutput: true}
	cases := []struct {
		preset string
		shape  ModelShape
		role   TensorRole
		want   ggml.Type
	}{
		{"IQ2_XXS", moe8, role("blk.3.attn_k.weight", 4096, 0), ggml.TypeQ4_K},
		{"IQ2_XXS", moe8, role("blk.3.attn_output.weight", 4096, 0), ggml.TypeQ5_K},
		{"IQ1_S", moe8, role("blk.3.attn_output.weight", 4096, 0), ggml.TypeQ5_K},
		{"IQ2_XXS", moe8, role("blk.3.attn_v.weight", 4096, 3), ggml.TypeQ4_K},
		{"IQ2_XXS", moe4, role("blk.3.attn_v.weight", 4096, 3), ggml.TypeQ4_K},
		{"IQ2_M", moe4, role("blk.3.attn_k.weight", 4096, 0), ggml.TypeIQ2_S},
		// The IQ1/IQ2 branch counts ffn_down tensors, whatever their layer.
		{"IQ2_XS", moe8, role("blk.20.ffn_down_exps.weight", 14336, 3), ggml.TypeQ2_K},
		{"IQ2_XS", moe8, role("blk.2.ffn_down_exps.weight", 14336, 4), ggml.TypeIQ2_XS},
		{"IQ3_XS", moe8, role("blk.3.attn_k.weight", 4096, 0), ggml.TypeQ8_0},
		{"IQ3_XS", moe8, role("blk.3.attn_v.weight", 4096, 3), ggml.TypeQ8_0},
		{"IQ3_XS", moe8, role("blk.3.attn_output.weight", 4096, 0), ggml.TypeQ5_K},
		{"IQ3_XXS", moe8, role("blk.3.attn_output.weight", 4096, 0), ggml.TypeQ5_K},
		{"IQ3_S", moe8, role("blk.3.attn_output.weight", 4096, 0), ggml.TypeQ5_K},
		{"IQ3_M", moe8, role("blk.3.attn_output.weight", 4096, 0), ggml.TypeQ5_K},
		{"Q2_K_S", moe8, role("blk.3.attn_output.weight", 4096, 0), ggml.TypeQ2_K},
		{"IQ3_M", moe8, role("blk.9.ffn_down_exps.weight", 14336, 0), ggml.TypeQ4_K},   // (9-4)%3 == 2
		{"IQ3_M", moe8, role("blk.10.ffn_down_exps.weight", 14336, 0), ggml.TypeIQ3_S}, // not more bits
		{"IQ3_M", moe4, role("blk.9.ffn_down_exps.weight", 14336, 0), ggml.TypeIQ3_S},  // only 8 experts
		{"IQ3_XS", moe8, role("blk.5.ffn_gate_exps.weight", 4096, 0), ggml.TypeIQ3_XXS},
		{"IQ3_XS", moe8, role("blk.30.ffn_up_exps.weight", 4096, 0), ggml.TypeIQ3_S},
	}
	for _, c := range cases {
		p, err := ParsePreset(c.preset)
		if err != nil {
			t.Fatal(err)
		}
		d, err := TensorType(p, c.role, c.shape, PolicyOptions{HasImatrix: true})
		if err != nil {
			t.Fatalf("%s %s: %v", c.preset, c.role.Name, err)
		}
		if d.Type != c.want {
			t.Errorf("%s, %d experts, %s: %s, want %s", c.preset, c.shape.NExpert, c.role.Name, d.Type, c.want)
		}
	}
	// A mixture-of-experts ffn tensor whose layer cannot be parsed is an error.
	p, _ := ParsePreset("IQ3_M")
	if _, err := TensorType(p, role("ffn_down_exps.weight", 14336, 0), moe8, PolicyOptions{}); err == nil {
		t.Error("unparsable layer accepted")
	}
}

// TestNeedsWeights is llama-quantize's per-tensor refusal without
// importance data.
func TestNeedsWeights(t *testing.T) {
	cases := []struct {
		f    ggml.FileType
		t    ggml.Type
		name string
		want bool
	}{
		{ggml.FileTypeIQ2_M, ggml.TypeIQ2_S, "blk.0.attn_q.weight", true},
		{ggml.FileTypeIQ2_M, ggml.TypeIQ3_S, "blk.0.attn_output.weight", false},
		{ggml.FileTypeIQ3_XXS, ggml.TypeIQ2_S, "blk.0.attn_k.weight", true},
		{ggml.FileTypeIQ3_XXS, ggml.TypeIQ3_XXS, "blk.0.ffn_up.weight", false},
		{ggml.FileTypeIQ2_XXS, ggml.TypeIQ2_XXS, "token_embd.weight", true},
		{ggml.FileTypeIQ1_S, ggml.TypeIQ1_S, "blk.0.ffn_up.weight", true},
		{ggml.FileTypeIQ1_M, ggml.TypeIQ1_M, "blk.0.ffn_up.weight", true},
		{ggml.FileTypeIQ1_M, ggml.TypeIQ1_M, "token_embd.weight", false},
		{ggml.FileTypeIQ1_M, ggml.TypeIQ1_M, "output.weight", false},
		{ggml.FileTypeIQ1_M, ggml.TypeQ2_K, "token_embd.weight", false},
		{ggml.FileTypeQ2_K_S, ggml.TypeQ2_K, "blk.0.ffn_up.weight", true},
		{ggml.FileTypeQ2_K_S, ggml.TypeQ2_K, "token_embd.weight", false},
		{ggml.FileTypeQ2_K, ggml.TypeQ2_K, "blk.0.ffn_up.weight", false},
		{ggml.FileTypeIQ2_XS, ggml.TypeQ2_K, "blk.0.ffn_down.weight", false},
	}
	for _, c := range cases {
		if got := NeedsWeights(c.f, c.t, c.name); got != c.want {
			t.Errorf("NeedsWeights(%s, %s, %s) = %v", c.f, c.t, c.name, got)
		}
	}
}
