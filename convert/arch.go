package convert

import (
	"fmt"
	"slices"
	"strings"

	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/hf"
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

	// Keys lists the hyperparameter keys in write order when the
	// architecture has its own set_gguf_parameters (gemma2); nil means
	// llama.cpp's generic TextModel keys (package hf).
	Keys []KeySpec
	// ExtraKeys follow general.file_type (llama: vocab_size, rope.dimension_count).
	ExtraKeys []KeySpec
	// RopeTypes are the rope_scaling types accepted besides none/"default".
	RopeTypes []string
	// NormShift is added to every *norm.weight in the source precision
	// (Gemma stores norms as w-1).
	NormShift float32
	// NoSpacePrefix writes tokenizer.ggml.add_space_prefix = false after
	// the vocabulary (Gemma's SentencePiece).
	NoSpacePrefix bool
	// Vocab writes the tokenizer.* keys; nil means hf.Tokenizer (llama.cpp's
	// LlamaModel.set_vocab).
	Vocab func(dir string, cfg *hf.Config) (gguf.Metadata, error)
}

// KeyKind is the GGUF type of a hyperparameter key.
type KeyKind int

// Key kinds.
const (
	KeyU32 KeyKind = iota
	KeyF32
	KeyFileType // general.file_type, at its place in the list
)

// KeySpec is one "<arch>.<GGUF>" key taken from config.json's HF key.
type KeySpec struct {
	GGUF string
	HF   string
	Kind KeyKind
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
	ExtraKeys:     []KeySpec{{GGUF: "vocab_size", HF: "vocab_size"}, {GGUF: "rope.dimension_count", HF: "head_dim"}},
	RopeTypes:     []string{"linear", "llama3"},
}

// qwen2Arch is llama without the Q/K permutation (NEOX rotation), with
// q/k/v biases and no vocab_size / rope.dimension_count keys.
var qwen2Arch = Arch{
	Name:            "qwen2",
	HFArchitectures: []string{"Qwen2ForCausalLM"},
	Global:          llamaArch.Global,
	Block:           unpermuted(llamaArch.Block),
	Ignore:          llamaArch.Ignore,
	StripPrefixes:   llamaArch.StripPrefixes,
	RopeTypes:       []string{"linear"},
	Vocab:           hf.TokenizerSPMOrGPT2,
}

// gemma2Arch: four norms per block, norms stored minus one, soft-capping
// and sliding-window keys, tied embeddings only.
var gemma2Arch = Arch{
	Name:            "gemma2",
	HFArchitectures: []string{"Gemma2ForCausalLM"},
	Global: []TensorRule{
		{HF: "model.embed_tokens", GGUF: "token_embd", Shape: []Dim{DimVocab, DimHidden}},
		{HF: "model.norm", GGUF: "output_norm", Shape: []Dim{DimHidden}},
	},
	Block: []TensorRule{
		{HF: "model.layers.{bid}.input_layernorm", GGUF: "blk.{bid}.attn_norm", Shape: []Dim{DimHidden}},
		{HF: "model.layers.{bid}.self_attn.q_proj", GGUF: "blk.{bid}.attn_q", Shape: []Dim{DimQ, DimHidden}},
		{HF: "model.layers.{bid}.self_attn.k_proj", GGUF: "blk.{bid}.attn_k", Shape: []Dim{DimKV, DimHidden}},
		{HF: "model.layers.{bid}.self_attn.v_proj", GGUF: "blk.{bid}.attn_v", Shape: []Dim{DimKV, DimHidden}},
		{HF: "model.layers.{bid}.self_attn.o_proj", GGUF: "blk.{bid}.attn_output", Shape: []Dim{DimHidden, DimQ}},
		{HF: "model.layers.{bid}.post_attention_layernorm", GGUF: "blk.{bid}.post_attention_norm", Shape: []Dim{DimHidden}},
		{HF: "model.layers.{bid}.pre_feedforward_layernorm", GGUF: "blk.{bid}.ffn_norm", Shape: []Dim{DimHidden}},
		{HF: "model.layers.{bid}.post_feedforward_layernorm", GGUF: "blk.{bid}.post_ffw_norm", Shape: []Dim{DimHidden}},
		{HF: "model.layers.{bid}.mlp.gate_proj", GGUF: "blk.{bid}.ffn_gate", Shape: []Dim{DimFFN, DimHidden}},
		{HF: "model.layers.{bid}.mlp.up_proj", GGUF: "blk.{bid}.ffn_up", Shape: []Dim{DimFFN, DimHidden}},
		{HF: "model.layers.{bid}.mlp.down_proj", GGUF: "blk.{bid}.ffn_down", Shape: []Dim{DimHidden, DimFFN}},
	},
	Ignore: []string{".rotary_emb.inv_freq", "lm_head.weight"},
	Keys: []KeySpec{
		{GGUF: "context_length", HF: "max_position_embeddings"},
		{GGUF: "embedding_length", HF: "hidden_size"},
		{GGUF: "block_count", HF: "num_hidden_layers"},
		{GGUF: "feed_forward_length", HF: "intermediate_size"},
		{GGUF: "attention.head_count", HF: "num_attention_heads"},
		{GGUF: "attention.head_count_kv", HF: "num_key_value_heads"},
		{GGUF: "attention.layer_norm_rms_epsilon", HF: "rms_norm_eps", Kind: KeyF32},
		{GGUF: "attention.key_length", HF: "head_dim"},
		{GGUF: "attention.value_length", HF: "head_dim"},
		{Kind: KeyFileType},
		{GGUF: "attn_logit_softcapping", HF: "attn_logit_softcapping", Kind: KeyF32},
		{GGUF: "final_logit_softcapping", HF: "final_logit_softcapping", Kind: KeyF32},
		{GGUF: "attention.sliding_window", HF: "sliding_window"},
	},
	NormShift:     1,
	NoSpacePrefix: true,
}

// unpermuted copies rules without their RoPE row permutation.
func unpermuted(rules []TensorRule) []TensorRule {
	out := slices.Clone(rules)
	for i := range out {
		out[i].Permute = NoPermute
	}
	return out
}

// registry lists every supported architecture.
var registry = []*Arch{&llamaArch, &qwen2Arch, &gemma2Arch}

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
