// Package synth writes synthetic Hugging Face Llama/Mistral checkpoints of
// any shape: config.json, sharded safetensors files with seeded,
// realistically distributed weights, an index and tokenizer files copied
// from a real checkpoint. It is test tooling for the converter's tests and
// benchmarks, not a user feature.
package synth

import (
	"fmt"
	"sort"
	"strings"
)

// Spec is the shape of a synthetic checkpoint.
type Spec struct {
	Architecture  string  // config.json architectures[0], e.g. "MistralForCausalLM"
	ModelType     string  // config.json model_type, e.g. "mistral"
	Layers        int     // num_hidden_layers
	Hidden        int     // hidden_size
	FFN           int     // intermediate_size
	Heads         int     // num_attention_heads
	KVHeads       int     // num_key_value_heads
	HeadDim       int     // head_dim written to config.json; 0 omits the field
	Vocab         int     // vocab_size
	MaxPos        int     // max_position_embeddings
	RMSNormEps    float64 // rms_norm_eps
	RopeTheta     float64 // rope_theta
	Shards        int     // number of safetensors files (1 writes model.safetensors without an index)
	TieEmbeddings bool    // omit lm_head.weight and set tie_word_embeddings
	DType         string  // "BF16" (default), "F16" or "F32"
}

// Presets are the named shapes: micro (unit tests), 1b (benchmarks) and
// zephyr-7b (the shape of HuggingFaceH4/zephyr-7b-beta).
var Presets = map[string]Spec{
	"micro": {
		Architecture: "MistralForCausalLM", ModelType: "mistral",
		Layers: 2, Hidden: 256, FFN: 768, Heads: 8, KVHeads: 2, Vocab: 4096,
		MaxPos: 32768, RMSNormEps: 1e-5, RopeTheta: 10000, Shards: 2, DType: "BF16",
	},
	"1b": {
		Architecture: "LlamaForCausalLM", ModelType: "llama",
		Layers: 22, Hidden: 2048, FFN: 5632, Heads: 32, KVHeads: 4, Vocab: 32000,
		MaxPos: 2048, RMSNormEps: 1e-5, RopeTheta: 10000, Shards: 3, DType: "BF16",
	},
	"zephyr-7b": {
		Architecture: "MistralForCausalLM", ModelType: "mistral",
		Layers: 32, Hidden: 4096, FFN: 14336, Heads: 32, KVHeads: 8, Vocab: 32000,
		MaxPos: 32768, RMSNormEps: 1e-5, RopeTheta: 10000, Shards: 8, DType: "BF16",
	},
}

// Preset returns the named preset, or an error listing the known names.
func Preset(name string) (Spec, error) {
	s, ok := Presets[name]
	if !ok {
		names := make([]string, 0, len(Presets))
		for n := range Presets {
			names = append(names, n)
		}
		sort.Strings(names)
		return Spec{}, fmt.Errorf("unknown preset %q (known: %s)", name, strings.Join(names, ", "))
	}
	return s, nil
}

// headDim is the per-head dimension the tensors are shaped with.
func (s Spec) headDim() int {
	if s.HeadDim > 0 {
		return s.HeadDim
	}
	return s.Hidden / s.Heads
}

func (s Spec) validate() error {
	switch {
	case s.Layers <= 0 || s.Hidden <= 0 || s.FFN <= 0 || s.Vocab <= 0:
		return fmt.Errorf("spec needs positive layers, hidden, ffn and vocab sizes: %+v", s)
	case s.Heads <= 0 || s.KVHeads <= 0 || s.Heads%s.KVHeads != 0:
		return fmt.Errorf("spec: %d heads is not a positive multiple of %d KV heads", s.Heads, s.KVHeads)
	case s.HeadDim == 0 && s.Hidden%s.Heads != 0:
		return fmt.Errorf("spec: hidden size %d is not a multiple of %d heads", s.Hidden, s.Heads)
	case s.headDim()%2 != 0:
		return fmt.Errorf("spec: head dimension %d is odd", s.headDim())
	case s.Shards <= 0:
		return fmt.Errorf("spec: %d shards", s.Shards)
	}
	if _, err := dtypeSize(s.DType); err != nil {
		return err
	}
	return nil
}

func dtypeSize(dt string) (int, error) {
	switch dt {
	case "BF16", "F16":
		return 2, nil
	case "F32":
		return 4, nil
	}
	return 0, fmt.Errorf("spec: dtype %q is not BF16, F16 or F32", dt)
}
