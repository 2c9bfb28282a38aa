package convert

import (
	"fmt"
	"slices"
	"strings"
)

// Dim is a tensor dimension expressed in terms of the model config, so the
// registry can state shapes as data.
type Dim int

// Symbolic dimensions.
const (
	DimHidden Dim = iota // hidden_size
	DimFFN               // intermediate_size
	DimVocab             // vocab_size
	DimQ                 // num_attention_heads × head_dim
	DimKV                // num_key_value_heads × head_dim
)

// String names the config fields a dimension comes from.
func (d Dim) String() string {
	switch d {
	case DimHidden:
		return "hidden_size"
	case DimFFN:
		return "intermediate_size"
	case DimVocab:
		return "vocab_size"
	case DimQ:
		return "num_attention_heads*head_dim"
	case DimKV:
		return "num_key_value_heads*head_dim"
	}
	return fmt.Sprintf("Dim(%d)", int(d))
}

// PermuteKind says whether a tensor's rows are un-permuted from Hugging
// Face's rotate-half RoPE layout to llama.cpp's adjacent-pairs layout, and
// with which head count.
type PermuteKind int

// Permutation kinds.
const (
	NoPermute      PermuteKind = iota
	PermuteQHeads              // groups = num_attention_heads
	PermuteKVHeads             // groups = num_key_value_heads
)

// TensorRule maps one Hugging Face tensor (without its .weight/.bias
// suffix; "{bid}" stands for the block index) to its GGUF name.
type TensorRule struct {
	HF       string
	GGUF     string
	Shape    []Dim       // HF shape of the .weight tensor, outermost first
	Permute  PermuteKind // row un-permutation for the llama RoPE layout
	Optional bool        // may be absent (lm_head with tied embeddings)
	Bias     bool        // a 1-D .bias of Shape[0] may accompany the weight
}

// Arch describes how a family of Hugging Face checkpoints maps onto one
// GGUF architecture. Everything architecture-specific lives here as data.
type Arch struct {
	Name            string       // general.architecture
	HFArchitectures []string     // config.json architectures[0] values handled
	Global          []TensorRule // tensors outside the blocks
	Block           []TensorRule // tensors of every block
	Ignore          []string     // HF name suffixes dropped silently
	StripPrefixes   []string     // HF name prefixes removed before matching
}

var llamaArch = Arch{
	Name:            "llama",
	HFArchitectures: []string{"LlamaForCausalLM", "MistralForCausalLM"},
	Global: []TensorRule{
		{HF: "model.embed_tokens", GGUF: "token_embd", Shape: []Dim{DimVocab, DimHidden}},
		{HF: "model.norm", GGUF: "output_norm", Shape: []Dim{DimHidden}},
		{HF: "lm_head", GGUF: "output", Shape: []Dim{DimVocab, DimHidden}, Optional: true},
	},
	Block: []TensorRule{
		{HF: "model.layers.{bid}.input_layernorm", GGUF: "blk.{bid}.attn_norm", Shape: []Dim{DimHidden}},
		{HF: "model.layers.{bid}.self_attn.q_proj", GGUF: "blk.{bid}.attn_q", Shape: []Dim{DimQ, DimHidden}, Permute: PermuteQHeads, Bias: true},
		{HF: "model.layers.{bid}.self_attn.k_proj", GGUF: "blk.{bid}.attn_k", Shape: []Dim{DimKV, DimHidden}, Permute: PermuteKVHeads, Bias: true},
		{HF: "model.layers.{bid}.self_attn.v_proj", GGUF: "blk.{bid}.attn_v", Shape: []Dim{DimKV, DimHidden}, Bias: true},
		{HF: "model.layers.{bid}.self_attn.o_proj", GGUF: "blk.{bid}.attn_output", Shape: []Dim{DimHidden, DimQ}, Bias: true},
		{HF: "model.layers.{bid}.post_attention_layernorm", GGUF: "blk.{bid}.ffn_norm", Shape: []Dim{DimHidden}},
		{HF: "model.layers.{bid}.mlp.gate_proj", GGUF: "blk.{bid}.ffn_gate", Shape: []Dim{DimFFN, DimHidden}, Bias: true},
		{HF: "model.layers.{bid}.mlp.up_proj", GGUF: "blk.{bid}.ffn_up", Shape: []Dim{DimFFN, DimHidden}, Bias: true},
		{HF: "model.layers.{bid}.mlp.down_proj", GGUF: "blk.{bid}.ffn_down", Shape: []Dim{DimHidden, DimFFN}, Bias: true},
	},
	Ignore:        []string{".attention.masked_bias", ".attention.bias", ".rotary_emb.inv_freq"},
	StripPrefixes: []string{"language_model."},
}

// registry lists every supported architecture.
var registry = []*Arch{&llamaArch}

// SupportedArchitectures returns the config.json architecture names zq can
// convert, sorted.
func SupportedArchitectures() []string {
	var names []string
	for _, a := range registry {
		names = append(names, a.HFArchitectures...)
	}
	slices.Sort(names)
	return names
}

// LookupArch returns the registry entry for a config.json architecture
// name, or an error listing the supported ones.
func LookupArch(hfArch string) (*Arch, error) {
	for _, a := range registry {
		if slices.Contains(a.HFArchitectures, hfArch) {
			return a, nil
		}
	}
	return nil, fmt.Errorf("unsupported architecture %q (supported: %s)", hfArch, strings.Join(SupportedArchitectures(), ", "))
}
