package quantize

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/zqtool/zq/ggml"
)

// layerRule gives the expected type of a per-layer tensor at layer i.
type layerRule func(i int) string

func always(t string) layerRule { return func(int) string { return t } }

func below(k int, a, b string) layerRule {
	return func(i int) string {
		if i < k {
			return a
		}
		return b
	}
}

// moreBits32 is use_more_bits for 32 layers, written out.
var moreBits32 = map[int]bool{0: true, 1: true, 2: true, 3: true, 6: true, 9: true, 12: true, 15: true,
	18: true, 21: true, 24: true, 27: true, 28: true, 29: true, 30: true, 31: true}

func more(a, b string) layerRule {
	return func(i int) string {
		if moreBits32[i] {
			return a
		}
		return b
	}
}

// mix is the expected mixture for a 32-layer model with n_head/n_head_kv = 4
// and all row lengths multiples of 256 (quantization-and-evaluation.md §6).
type mix struct {
	tokenEmbd, output, qkgu string // qkgu: attn_q, attn_k, ffn_gate, ffn_up
	attnV, attnOut, ffnDown layerRule
	qk                      string    // attn_q and attn_k when they differ from qkgu
	gateUp                  layerRule // ffn_gate and ffn_up when they differ from qkgu
}

// middle gives a for the middle layers of 32 (n/8 <= i < 7n/8), b elsewhere.
func middle(a, b string) layerRule {
	return func(i int) string {
		if i >= 4 && i < 28 {
			return a
		}
		return b
	}
}

var mistralMixes = map[string]mix{
	"Q4_0":   {"q4_0", "q6_K", "q4_0", always("q4_0"), always("q4_0"), always("q4_0"), "", nil},
	"Q4_1":   {"q4_1", "q6_K", "q4_1", always("q4_1"), always("q4_1"), always("q4_1"), "", nil},
	"Q5_0":   {"q5_0", "q6_K", "q5_0", always("q5_0"), always("q5_0"), always("q5_0"), "", nil},
	"Q5_1":   {"q5_1", "q6_K", "q5_1", always("q5_1"), always("q5_1"), always("q5_1"), "", nil},
	"Q8_0":   {"q8_0", "q8_0", "q8_0", always("q8_0"), always("q8_0"), always("q8_0"), "", nil},
	"Q2_K":   {"q2_K", "q6_K", "q2_K", always("q4_K"), always("q3_K"), always("q3_K"), "", nil},
	"Q2_K_S": {"q2_K", "q6_K", "q2_K", always("q4_K"), always("q2_K"), below(4, "q4_K", "q2_K"), "", nil},
	"Q3_K_S": {"q3_K", "q6_K", "q3_K", always("q3_K"), always("q3_K"), always("q3_K"), "", nil},
	"Q3_K_M": {"q3_K", "q6_K", "q3_K", below(2, "q5_K", "q4_K"), always("q4_K"), below(2, "q5_K", "q4_K"), "", nil},
	"Q3_K":   {"q3_K", "q6_K", "q3_K", below(2, "q5_K", "q4_K"), always("q4_K"), below(2, "q5_K", "q4_K"), "", nil},
	"Q3_K_L": {"q3_K", "q6_K", "q3_K", always("q5_K"), always("q5_K"), always("q5_K"), "", nil},
	"Q4_K_S": {"q4_K", "q6_K", "q4_K", below(4, "q5_K", "q4_K"), always("q4_K"), below(4, "q5_K", "q4_K"), "", nil},
	"Q4_K_M": {"q4_K", "q6_K", "q4_K", more("q6_K", "q4_K"), always("q4_K"), more("q6_K", "q4_K"), "", nil},
	"Q4_K":   {"q4_K", "q6_K", "q4_K", more("q6_K", "q4_K"), always("q4_K"), more("q6_K", "q4_K"), "", nil},
	"Q5_K_S": {"q5_K", "q6_K", "q5_K", always("q5_K"), always("q5_K"), always("q5_K"), "", nil},
	"Q5_K_M": {"q5_K", "q6_K", "q5_K", more("q6_K", "q5_K"), always("q5_K"), more("q6_K", "q5_K"), "", nil},
	"Q5_K":   {"q5_K", "q6_K", "q5_K", more("q6_K", "q5_K"), always("q5_K"), more("q6_K", "q5_K"), "", nil},
	"Q6_K":   {"q6_K", "q6_K", "q6_K", always("q6_K"), always("q6_K"), always("q6_K"), "", nil},
	"IQ4_NL": {"iq4_nl", "q6_K", "iq4_nl", always("q5_K"), always("iq4_nl"), below(4, "q5_K", "iq4_nl"), "", nil},
	"IQ4_XS": {"iq4_xs", "q6_K", "iq4_xs", always("q5_K"), always("iq4_xs"), below(4, "q5_K", "iq4_xs"), "", nil},
	// The i-quants (llama_tensor_get_type's IQ1/IQ2 branch and the IQ3 rules).
	"IQ2_XXS": {"q2_K", "q5_K", "iq2_xxs", always("q4_K"), always("iq2_xxs"), below(4, "q2_K", "iq2_xxs"), "", nil},
	"IQ2_XS":  {"q2_K", "q5_K", "iq2_xs", always("q4_K"), always("iq2_xs"), below(4, "q2_K", "iq2_xs"), "", nil},
	"IQ2_S":   {"iq3_s", "q5_K", "iq2_xs", always("q4_K"), always("iq3_s"), below(4, "iq3_s", "iq2_xs"), "", nil},
	"IQ2_M":   {"iq3_s", "q5_K", "iq2_s", always("q4_K"), always("iq3_s"), below(4, "iq3_s", "iq2_s"), "", nil},
	"IQ1_S":   {"q2_K", "q5_K", "iq1_s", always("q4_K"), always("iq2_xxs"), below(4, "q2_K", "iq1_s"), "", nil},
	"IQ1_M":   {"q2_K", "q5_K", "iq1_m", always("q4_K"), always("iq2_xxs"), below(4, "q2_K", "iq1_m"), "", nil},
	// IQ3_XXS without an importance matrix (ffn_down differs with one).
	"IQ3_XXS": {"iq3_s", "q5_K", "iq3_xxs", always("q4_K"), always("iq3_s"), below(4, "q4_K", "q3_K"), "iq2_s", nil},
	"IQ3_XS":  {"iq3_s", "q6_K", "iq3_s", always("q4_K"), always("iq3_s"), always("iq3_s"), "iq3_xxs", middle("iq3_xxs", "iq3_s")},
	"IQ3_S":   {"iq3_s", "q6_K", "iq3_s", always("q4_K"), always("iq3_s"), always("iq3_s"), "", nil},
	"IQ3_M":   {"iq3_s", "q6_K", "iq3_s", always("q4_K"), always("q4_K"), below(4, "q4_K", "iq3_s"), "", nil},
	"TQ1_0":   {"q4_K", "q6_K", "tq1_0", always("tq1_0"), always("tq1_0"), always("tq1_0"), "", nil},
	"TQ2_0":   {"q4_K", "q6_K", "tq2_0", always("tq2_0"), always("tq2_0"), always("tq2_0"), "", nil},
	"F16":     {"f16", "f16", "f16", always("f16"), always("f16"), always("f16"), "", nil},
	"BF16":    {"bf16", "bf16", "bf16", always("bf16"), always("bf16"), always("bf16"), "", nil},
	"F32":     {"f32", "f32", "f32", always("f32"), always("f32"), always("f32"), "", nil},
}

// TestPolicyEveryPreset checks every tensor of a Mistral-7B-shaped model
// for every preset (Q2_K_S needs an importance matrix and is checked with one).
func TestPolicyEveryPreset(t *testing.T) {
	for _, p := range Presets() {
		m, ok := mistralMixes[p.Name]
		if !ok {
			t.Errorf("preset %s has no expected mixture in the table", p.Name)
			continue
		}
		t.Run(p.Name, func(t *testing.T) {
			plan, err := planFor(mistral7B, p.Name, PolicyOptions{HasImatrix: p.NeedsImatrix})
			if err != nil {
				t.Fatal(err)
			}
			if plan.NFallback != 0 {
				t.Errorf("%d fallbacks, want none", plan.NFallback)
			}
			for _, pt := range plan.Tensors {
				want := expectedType(m, pt.Name)
				if got := pt.To.String(); got != want {
					t.Errorf("%s: %s, want %s", pt.Name, got, want)
				}
			}
		})
	}
}

func expectedType(m mix, name string) string {
	if strings.HasSuffix(name, "_norm.weight") {
		return "f32"
	}
	switch name {
	case "token_embd.weight":
		return m.tokenEmbd
	case "output.weight":
		return m.output
	}
	var layer int
	var kind string
	if _, err := fmt.Sscanf(name, "blk.%d.%s", &layer, &kind); err != nil {
		return "unparsed " + name
	}
	switch kind {
	case "attn_v.weight":
		return m.attnV(layer)
	case "attn_output.weight":
		return m.attnOut(layer)
	case "ffn_down.weight":
		return m.ffnDown(layer)
	case "attn_q.weight", "attn_k.weight":
		if m.qk != "" {
			return m.qk
		}
	case "ffn_gate.weight", "ffn_up.weight":
		if m.gateUp != nil {
			return m.gateUp(layer)
		}
	}
	return m.qkgu
}

// TestPolicyMistralCounts checks the per-type tensor counts llama-quantize
// reported for Mistral 7B (§6.1).
func TestPolicyMistralCounts(t *testing.T) {
	cases := map[string]map[string]int{
		"Q4_K_M": {"f32": 65, "q4_K": 193, "q6_K": 33},
		"Q3_K_M": {"f32": 65, "q3_K": 129, "q4_K": 92, "q5_K": 4, "q6_K": 1},
		"Q2_K":   {"f32": 65, "q2_K": 129, "q3_K": 64, "q4_K": 32, "q6_K": 1},
	}
	for preset, want := range cases {
		plan, err := planFor(mistral7B, preset, PolicyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := typeCounts(plan); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v, want %v", preset, got, want)
		}
		if len(plan.Tensors) != 291 {
			t.Errorf("%s: %d tensors, want 291", preset, len(plan.Tensors))
		}
	}
}

// TestPolicyFallbacks uses row lengths that are not multiples of 256 (288)
// or of 32 (1000 for ffn) and checks the substitutes.
func TestPolicyFallbacks(t *testing.T) {
	s288 := synthShape{layers: 8, embd: 288, ff: 768, heads: 8, headsKV: 2, vocab: 512}
	cases := []struct {
		preset string
		want   map[string]string
		nFB    int
	}{
		// ne0 = 288 for everything but ffn_down (768).
		{"Q4_K_M", map[string]string{"token_embd.weight": "q5_0", "output.weight": "q8_0",
			"blk.0.attn_q.weight": "q5_0", "blk.0.attn_v.weight": "q8_0", "blk.4.attn_v.weight": "q5_0",
			"blk.0.ffn_down.weight": "q6_K", "blk.4.ffn_down.weight": "q4_K", "blk.0.ffn_up.weight": "q5_0"}, 8*6 + 1},
		{"Q2_K", map[string]string{"token_embd.weight": "iq4_nl", "blk.0.attn_v.weight": "q5_0",
			"blk.3.attn_output.weight": "iq4_nl", "blk.3.ffn_down.weight": "q3_K", "blk.3.ffn_gate.weight": "iq4_nl"}, 8*6 + 1},
		{"Q3_K_M", map[string]string{"blk.0.attn_v.weight": "q5_1", "blk.5.attn_v.weight": "q5_0",
			"blk.2.attn_q.weight": "iq4_nl", "blk.2.attn_output.weight": "q5_0"}, 8*6 + 1},
		{"Q5_K_S", map[string]string{"token_embd.weight": "q5_1", "blk.1.attn_k.weight": "q5_1",
			"blk.1.ffn_down.weight": "q5_K", "output.weight": "q8_0"}, 8*6 + 1},
		{"TQ1_0", map[string]string{"token_embd.weight": "q5_0", "blk.1.attn_k.weight": "q4_0",
			"blk.1.ffn_down.weight": "tq1_0", "output.weight": "q8_0"}, 8*6 + 1},
		{"IQ4_XS", map[string]string{"token_embd.weight": "iq4_nl", "blk.0.attn_v.weight": "q5_1",
			"blk.0.ffn_down.weight": "q5_K", "blk.1.ffn_down.weight": "iq4_xs"}, 8*6 + 1},
		// The output rule picks Q6_K (288 is a multiple of Q4_0's 32), which then falls back to Q8_0.
		{"Q4_0", map[string]string{"token_embd.weight": "q4_0", "output.weight": "q8_0"}, 1},
	}
	for _, c := range cases {
		plan, err := planFor(s288, c.preset, PolicyOptions{})
		if err != nil {
			t.Fatalf("%s: %v", c.preset, err)
		}
		for name, want := range c.want {
			if got := typeOf(plan, name); got != want {
				t.Errorf("%s %s: %s, want %s", c.preset, name, got, want)
			}
		}
		if plan.NFallback != c.nFB {
			t.Errorf("%s: %d fallbacks, want %d", c.preset, plan.NFallback, c.nFB)
		}
	}

	// ne0 = 1000 (not a multiple of 32): k-quants fall back to F16, but the
	// output falls to Q8_0 first, which has no fallback: llama.cpp refuses.
	s1000 := synthShape{layers: 4, embd: 256, ff: 1000, heads: 8, headsKV: 8, vocab: 512}
	plan, err := planFor(s1000, "Q4_K_S", PolicyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := typeOf(plan, "blk.0.ffn_down.weight"); got != "f16" {
		t.Errorf("ffn_down with ne0=1000: %s, want f16", got)
	}
	if _, err := planFor(s1000, "Q8_0", PolicyOptions{}); err == nil || !strings.Contains(err.Error(), "blk.0.ffn_down.weight") {
		t.Errorf("Q8_0 with ne0=1000: error %v, want one naming blk.0.ffn_down.weight", err)
	}
	// --pure has no fallback: the plan is refused instead.
	if _, err := planFor(s288, "Q4_K_M", PolicyOptions{Pure: true}); err == nil {
		t.Error("pure Q4_K_M on 288-wide rows: no error")
	}
}

// TestPolicyShapes covers GQA, tied embeddings, the 70B class, forced
// types, --pure and importance-matrix-dependent rules.
func TestPolicyShapes(t *testing.T) {
	noGQA := synthShape{layers: 32, embd: 512, ff: 1024, heads: 8, headsKV: 8, vocab: 1024}
	gqa2 := synthShape{layers: 16, embd: 512, ff: 1024, heads: 8, headsKV: 4, vocab: 1024}
	tied := synthShape{layers: 8, embd: 256, ff: 512, heads: 4, headsKV: 1, vocab: 1024, tied: true}
	big := synthShape{layers: 80, embd: 512, ff: 1024, heads: 64, headsKV: 8, vocab: 1024}
	q8 := ggml.TypeQ8_0
	f16 := ggml.TypeF16
	cases := []struct {
		name   string
		shape  synthShape
		preset string
		pol    PolicyOptions
		want   map[string]string
	}{
		{"Q2_K no GQA", noGQA, "Q2_K", PolicyOptions{}, map[string]string{"blk.5.attn_v.weight": "q3_K"}},
		{"IQ4_NL GQA 2", gqa2, "IQ4_NL", PolicyOptions{}, map[string]string{"blk.5.attn_v.weight": "iq4_nl", "blk.1.ffn_down.weight": "q5_K", "blk.2.ffn_down.weight": "iq4_nl"}},
		{"IQ4_NL imatrix", gqa2, "IQ4_NL", PolicyOptions{HasImatrix: true}, map[string]string{"blk.1.ffn_down.weight": "iq4_nl"}},
		{"Q4_0 imatrix", noGQA, "Q4_0", PolicyOptions{HasImatrix: true}, map[string]string{"blk.3.ffn_down.weight": "q4_1", "blk.4.ffn_down.weight": "q4_0"}},
		{"Q5_0 imatrix", noGQA, "Q5_0", PolicyOptions{HasImatrix: true}, map[string]string{"blk.0.ffn_down.weight": "q5_1", "blk.4.ffn_down.weight": "q5_0"}},
		{"Q4_K_M 16 layers", gqa2, "Q4_K_M", PolicyOptions{}, map[string]string{
			"blk.1.attn_v.weight": "q6_K", "blk.2.attn_v.weight": "q4_K", "blk.4.attn_v.weight": "q6_K",
			"blk.13.ffn_down.weight": "q6_K", "blk.12.ffn_down.weight": "q4_K", "blk.10.ffn_down.weight": "q6_K"}},
		{"tied Q4_K_M", tied, "Q4_K_M", PolicyOptions{}, map[string]string{"token_embd.weight": "q6_K"}},
		{"tied Q8_0", tied, "Q8_0", PolicyOptions{}, map[string]string{"token_embd.weight": "q8_0"}},
		{"tied Q4_0", tied, "Q4_0", PolicyOptions{}, map[string]string{"token_embd.weight": "q6_K"}},
		{"70B Q4_K_M", big, "Q4_K_M", PolicyOptions{}, map[string]string{"blk.20.attn_v.weight": "q5_K", "blk.0.attn_v.weight": "q6_K", "blk.20.ffn_down.weight": "q4_K"}},
		{"70B Q2_K", big, "Q2_K", PolicyOptions{}, map[string]string{"blk.20.attn_v.weight": "q5_K"}},
		{"70B Q5_K_S", big, "Q5_K_S", PolicyOptions{}, map[string]string{"blk.20.attn_v.weight": "q5_K"}},
		{"forced types", noGQA, "Q4_K_M", PolicyOptions{OutputTensorType: &q8, TokenEmbeddingType: &f16},
			map[string]string{"output.weight": "q8_0", "token_embd.weight": "f16"}},
		{"pure", noGQA, "Q4_K_M", PolicyOptions{Pure: true}, map[string]string{"output.weight": "q4_K", "blk.0.attn_v.weight": "q4_K", "blk.0.ffn_down.weight": "q4_K"}},
		{"pure forced", noGQA, "Q4_K_M", PolicyOptions{Pure: true, OutputTensorType: &q8}, map[string]string{"output.weight": "q8_0", "token_embd.weight": "q4_K"}},
		{"F16 forced output", noGQA, "F16", PolicyOptions{OutputTensorType: &q8}, map[string]string{"output.weight": "q8_0", "blk.0.attn_v.weight": "f16"}},
	}
	for _, c := range cases {
		plan, err := planFor(c.shape, c.preset, c.pol)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for name, want := range c.want {
			if got := typeOf(plan, name); got != want {
				t.Errorf("%s: %s is %s, want %s", c.name, name, got, want)
			}
		}
	}
}

func TestUseMoreBits(t *testing.T) {
	for i := 0; i < 32; i++ {
		if got := useMoreBits(i, 32); got != moreBits32[i] {
			t.Errorf("useMoreBits(%d, 32) = %v", i, got)
		}
	}
}

func TestLoaderOrder(t *testing.T) {
	md, ts := synthModel(synthShape{layers: 12, embd: 64, ff: 128, heads: 4, headsKV: 4, vocab: 100})
	p, _ := ParsePreset("q8_0")
	plan, err := NewPlan(md, ts, PlanOptions{Preset: p})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, pt := range plan.Tensors[:6] {
		names = append(names, pt.Name)
	}
	want := []string{"output.weight", "output_norm.weight", "token_embd.weight", "blk.0.attn_k.weight", "blk.0.attn_norm.weight", "blk.0.attn_output.weight"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("order %v, want %v", names, want)
	}
	// Layers sort numerically: blk.2 before blk.10.
	last := -1
	for _, pt := range plan.Tensors {
		if l, ok := layerOf(pt.Name); ok {
			if l < last {
				t.Fatalf("%s after layer %d", pt.Name, last)
			}
			last = l
		}
	}
	for _, c := range []struct {
		name string
		l    int
		ok   bool
	}{{"blk.7.attn_q.weight", 7, true}, {"blk.12x", 12, true}, {"blk.-3.a", -3, true}, {"blk.x.1", 0, false}, {"output.weight", 0, false}} {
		l, ok := layerOf(c.name)
		if l != c.l || ok != c.ok {
			t.Errorf("layerOf(%q) = %d, %v; want %d, %v", c.name, l, ok, c.l, c.ok)
		}
	}
}

func TestQuantizable(t *testing.T) {
	cases := []struct {
		name  string
		dims  []uint64
		leave bool
		want  bool
	}{
		{"blk.0.attn_q.weight", []uint64{64, 64}, false, true},
		{"blk.0.attn_norm.weight", []uint64{64}, false, false},
		{"blk.0.attn_q.weight", []uint64{64, 1, 1}, false, false},
		{"blk.0.attn_q.bias", []uint64{64, 64}, false, false},
		{"output.weight", []uint64{64, 64}, true, false},
		{"output.weight", []uint64{64, 64}, false, true},
		{"blk.0.ffn_gate_inp.weight", []uint64{64, 8}, false, false},
		{"rope_freqs.weight", []uint64{32}, false, false},
		{"blk.0.ffn_down_exps.weight", []uint64{64, 64, 8}, false, true},
	}
	for _, c := range cases {
		if got := Quantizable(c.name, c.dims, c.leave); got != c.want {
			t.Errorf("Quantizable(%s, %v, %v) = %v", c.name, c.dims, c.leave, got)
		}
	}
}

func TestParsePreset(t *testing.T) {
	for _, c := range []struct{ in, name string }{
		{"q4_k_m", "Q4_K_M"}, {"Q4_K", "Q4_K"}, {"15", "Q4_K"}, {"iq4_xs", "IQ4_XS"}, {"f32", "F32"}, {"0", "F32"}, {"bf16", "BF16"},
	} {
		p, err := ParsePreset(c.in)
		if err != nil || p.Name != c.name {
			t.Errorf("ParsePreset(%q) = %v, %v; want %s", c.in, p.Name, err, c.name)
		}
	}
	_, err := ParsePreset("q4_k_x")
	if err == nil || !strings.Contains(err.Error(), "q4_k_m") || !strings.Contains(err.Error(), "iq4_nl") {
		t.Errorf("unknown preset error %v should list the valid types", err)
	}
	// llama-quantize's QUANT_OPTIONS order, less MXFP4_MOE and COPY.
	order := []string{"Q4_0", "Q4_1", "Q5_0", "Q5_1", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ2_M", "IQ1_S", "IQ1_M",
		"TQ1_0", "TQ2_0", "Q2_K", "Q2_K_S", "IQ3_XXS", "IQ3_S", "IQ3_M", "Q3_K", "IQ3_XS", "Q3_K_S", "Q3_K_M",
		"Q3_K_L", "IQ4_NL", "IQ4_XS", "Q4_K", "Q4_K_S", "Q4_K_M", "Q5_K", "Q5_K_S", "Q5_K_M", "Q6_K", "Q8_0",
		"F16", "BF16", "F32"}
	var got []string
	needs := map[string]bool{}
	for _, p := range Presets() {
		got = append(got, p.Name)
		if p.NeedsImatrix {
			needs[p.Name] = true
		}
	}
	if !reflect.DeepEqual(got, order) {
		t.Errorf("presets %v,\nwant %v", got, order)
	}
	// tools/quantize refuses these without an importance matrix (IQ2_M is not among them).
	if want := map[string]bool{"IQ1_S": true, "IQ1_M": true, "IQ2_XXS": true, "IQ2_XS": true, "IQ2_S": true, "Q2_K_S": true}; !reflect.DeepEqual(needs, want) {
		t.Errorf("presets needing an imatrix %v, want %v", needs, want)
	}
	for _, c := range []struct{ in, name string }{{"iq2_m", "IQ2_M"}, {"29", "IQ2_M"}, {"Iq3_xs", "IQ3_XS"}, {"22", "IQ3_XS"}, {"21", "Q2_K_S"}} {
		if p, err := ParsePreset(c.in); err != nil || p.Name != c.name {
			t.Errorf("ParsePreset(%q) = %v, %v; want %s", c.in, p.Name, err, c.name)
		}
	}
	want := []string{"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K_S", "Q3_K_M", "Q3_K_L", "Q4_K_S", "Q4_K_M",
		"Q5_K_S", "Q5_K_M", "Q6_K", "IQ4_NL", "IQ4_XS", "TQ1_0", "TQ2_0", "F16", "BF16", "F32",
		"IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ2_M", "IQ1_S", "IQ1_M", "Q2_K_S", "IQ3_XXS", "IQ3_XS", "IQ3_S", "IQ3_M"}
	for _, n := range want {
		p, err := ParsePreset(n)
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		if p.FileType.String() != n {
			t.Errorf("%s: file type %s", n, p.FileType)
		}
	}
}
