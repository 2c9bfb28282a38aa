package convert

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zqtool/zq/testdata/gencheckpoint/synth"
)

// TestUnsupportedRopeType: a rope_scaling type the architecture's forward
// pass lacks is refused before anything is written, naming the
// architecture and the key.
func TestUnsupportedRopeType(t *testing.T) {
	for _, c := range []struct{ arch, model, typ string }{
		{"LlamaForCausalLM", "llama", "yarn"},
		{"LlamaForCausalLM", "llama", "longrope"},
		{"Qwen2ForCausalLM", "qwen2", "llama3"},
	} {
		t.Run(c.arch+"/"+c.typ, func(t *testing.T) {
			dir := genMicro(t, func(s *synth.Spec) { s.Architecture, s.ModelType, s.Layers = c.arch, c.model, 1 })
			editJSON(t, filepath.Join(dir, "config.json"), func(m map[string]any) {
				m["rope_scaling"] = map[string]any{"rope_type": c.typ, "factor": 4.0, "original_max_position_embeddings": 4096}
			})
			out := filepath.Join(t.TempDir(), "out.gguf")
			p, err := NewPlan(dir, Options{OutType: "f16"})
			if err == nil {
				p.Close()
				t.Fatal("no error")
			}
			for _, want := range []string{c.arch, "rope_scaling.rope_type", c.typ} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %q", err, want)
				}
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("output exists: %v", err)
			}
		})
	}
}

// TestQwen2Plan: qwen2 keeps Q/K rows as they are (NEOX rotation) and
// writes the generic keys under "qwen2." without vocab_size and
// rope.dimension_count.
func TestQwen2Plan(t *testing.T) {
	dir := genMicro(t, func(s *synth.Spec) { s.Architecture, s.ModelType, s.Layers = "Qwen2ForCausalLM", "qwen2", 1 })
	p, err := NewPlan(dir, Options{OutType: "f16"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, s := range p.Steps() {
		if s.Permute != 0 {
			t.Errorf("%s permuted", s.Name)
		}
	}
	md := p.Metadata()
	if a, _ := md.String("general.architecture"); a != "qwen2" {
		t.Errorf("general.architecture %q", a)
	}
	for _, k := range []string{"qwen2.block_count", "qwen2.rope.freq_base", "qwen2.attention.head_count_kv"} {
		if _, ok := md.Get(k); !ok {
			t.Errorf("%s missing", k)
		}
	}
	for _, k := range []string{"qwen2.vocab_size", "qwen2.rope.dimension_count", "llama.block_count"} {
		if _, ok := md.Get(k); ok {
			t.Errorf("%s written", k)
		}
	}
}
