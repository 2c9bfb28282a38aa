// Package llamahp decodes and validates the llama hyperparameters of GGUF
// metadata: the one set of rules that both the forward pass (package
// model, when it loads a file) and the converter (package convert, before
// it writes one) apply, so zq never writes a model it would refuse to run,
// nor one llama.cpp could not load.
package llamahp

import (
	"fmt"
	"math"

	"github.com/zqtool/zq/gguf"
)

// Architecture is the original general.architecture these rules are for;
// Specs lists every one the forward pass evaluates.
const Architecture = "llama"

// Spec is what distinguishes one supported architecture's transformer
// block from llama's, as data: a fourth family is one more entry.
type Spec struct {
	NeoX       bool // RoPE rotates (i, i+dims/2) pairs (GGML_ROPE_TYPE_NEOX)
	SWAPattern int  // > 0: layer il uses the sliding window iff il%SWAPattern < SWAPattern-1 (llama.cpp's set_swa_pattern)
	SWADefault int  // window when attention.sliding_window is absent (0: none)
	GELU       bool // GELU-tanh gate instead of SiLU
	EmbdScale  bool // embeddings scaled by sqrt(n_embd)
	PostNorms  bool // post_attention_norm and post_ffw_norm in every block
	QScale     bool // queries scaled by 1/sqrt(head_dim) before attention (Gemma's f_attention_scale), scores not
}

// Specs are the architectures the forward pass evaluates.
var Specs = map[string]Spec{
	"llama":  {},
	"qwen2":  {NeoX: true},
	"gemma2": {NeoX: true, SWAPattern: 2, SWADefault: 4096, GELU: true, EmbdScale: true, PostNorms: true, QScale: true},
}

// Limits on hyperparameters read from untrusted files: anything larger is
// rejected before allocating.
const (
	MaxDim    = 1 << 17 // embedding, feed-forward and head sizes
	MaxLayers = 1 << 10
	MaxHeads  = 1 << 10
	MaxVocab  = 1 << 22
)

// Hparams are the llama hyperparameters, decoded once from GGUF metadata.
type Hparams struct {
	Vocab     int     // number of tokens (rows of token_embd)
	Embd      int     // llama.embedding_length
	FF        int     // llama.feed_forward_length
	Layers    int     // llama.block_count
	Heads     int     // llama.attention.head_count
	KVHeads   int     // llama.attention.head_count_kv (defaults to Heads)
	HeadDim   int     // llama.attention.key_length (defaults to Embd/Heads)
	RopeDims  int     // llama.rope.dimension_count (defaults to HeadDim)
	RopeBase  float32 // llama.rope.freq_base (default 10000)
	RopeScale float32 // 1/llama.rope.scaling.factor for linear scaling, else 1 (set by package model)
	RMSEps    float32 // llama.attention.layer_norm_rms_epsilon
	AttnScale float32 // 1/sqrt(HeadDim)
	// Window is llama.attention.sliding_window (0: full attention). Note
	// that llama.cpp ignores this key for the llama architecture (and its
	// converter does not write it), so a file that has it is evaluated
	// with a sliding window here and without one there.
	Window     int
	ContextLen int // llama.context_length (informational)

	Arch         string  // general.architecture: the key prefix
	Spec                 // the architecture's block shape
	AttnSoftcap  float32 // <arch>.attn_logit_softcapping (0: none)
	FinalSoftcap float32 // <arch>.final_logit_softcapping (0: none)
	QScaleValue  float32 // the query scale when Spec.QScale
}

// SlidingWindow returns the window of layer il (0: full attention).
func (h Hparams) SlidingWindow(il int) int {
	if h.SWAPattern > 0 && il%h.SWAPattern >= h.SWAPattern-1 {
		return 0
	}
	return h.Window
}

// Key returns the metadata key "llama." + name.
func Key(name string) string { return Architecture + "." + name }

// Parse decodes and validates the llama hyperparameters in md: the sizes
// and their relations (heads dividing the embedding, KV heads dividing the
// heads, an even head size equal to the rotary dimensions), a positive
// RMS epsilon, a RoPE base above 1. vocab is the number of rows of
// token_embd.weight (the vocabulary size when llama.vocab_size is absent).
// RoPE scaling and expert keys are left to the caller.
func Parse(md gguf.Metadata, vocab int) (Hparams, error) {
	arch, err := md.String("general.architecture")
	if err != nil {
		return Hparams{}, err
	}
	spec, ok := Specs[arch]
	if !ok {
		return Hparams{}, fmt.Errorf("general.architecture is %q; only llama, qwen2 and gemma2 models can be evaluated", arch)
	}
	Key := func(name string) string { return arch + "." + name }
	h := Hparams{Arch: arch, Spec: spec, Window: spec.SWADefault}
	ints := []struct {
		dst      *int
		name     string
		required bool
		lo, hi   int64
	}{
		{&h.Embd, "embedding_length", true, 1, MaxDim},
		{&h.FF, "feed_forward_length", true, 1, MaxDim},
		{&h.Layers, "block_count", true, 1, MaxLayers},
		{&h.Heads, "attention.head_count", true, 1, MaxHeads},
		{&h.KVHeads, "attention.head_count_kv", false, 1, MaxHeads},
		{&h.HeadDim, "attention.key_length", false, 1, MaxDim},
		{&h.RopeDims, "rope.dimension_count", false, 0, MaxDim},
		{&h.Window, "attention.sliding_window", false, 0, math.MaxInt32},
		{&h.ContextLen, "context_length", false, 0, math.MaxInt32},
		{&h.Vocab, "vocab_size", false, 1, MaxVocab},
	}
	for _, f := range ints {
		v, ok := md.Get(Key(f.name))
		if !ok {
			if f.required {
				return Hparams{}, fmt.Errorf("metadata key %q is missing", Key(f.name))
			}
			continue
		}
		x, ok := v.AsInt64()
		if !ok {
			return Hparams{}, fmt.Errorf("metadata key %q has type %s, expected an integer", Key(f.name), v.Describe())
		}
		if x < f.lo || x > f.hi {
			return Hparams{}, fmt.Errorf("metadata key %q = %d is out of range [%d, %d]", Key(f.name), x, f.lo, f.hi)
		}
		*f.dst = int(x)
	}
	if h.Vocab == 0 {
		h.Vocab = vocab
	}
	if h.Vocab != vocab {
		return Hparams{}, fmt.Errorf("metadata key %q = %d but token_embd.weight has %d rows", Key("vocab_size"), h.Vocab, vocab)
	}
	if h.KVHeads == 0 {
		h.KVHeads = h.Heads
	}
	if h.Heads%h.KVHeads != 0 {
		return Hparams{}, fmt.Errorf("%s = %d is not a multiple of %s = %d", Key("attention.head_count"), h.Heads, Key("attention.head_count_kv"), h.KVHeads)
	}
	if h.HeadDim == 0 {
		if h.Embd%h.Heads != 0 {
			return Hparams{}, fmt.Errorf("%s = %d is not a multiple of %s = %d", Key("embedding_length"), h.Embd, Key("attention.head_count"), h.Heads)
		}
		h.HeadDim = h.Embd / h.Heads
	}
	if vl, ok := md.Get(Key("attention.value_length")); ok {
		if x, ok := vl.AsInt64(); !ok || x != int64(h.HeadDim) {
			return Hparams{}, fmt.Errorf("metadata key %q = %s must equal the key length %d", Key("attention.value_length"), vl.Describe(), h.HeadDim)
		}
	}
	if h.RopeDims == 0 {
		h.RopeDims = h.HeadDim
	}
	if h.RopeDims != h.HeadDim {
		// llm_build_llama asserts n_rot == n_embd_head as well.
		return Hparams{}, fmt.Errorf("metadata key %q = %d must equal the head size %d for llama", Key("rope.dimension_count"), h.RopeDims, h.HeadDim)
	}
	if h.HeadDim%2 != 0 {
		return Hparams{}, fmt.Errorf("head size %d (%s, else %s / %s) must be even for RoPE", h.HeadDim, Key("attention.key_length"), Key("embedding_length"), Key("attention.head_count"))
	}
	if h.RMSEps, err = md.Float32(Key("attention.layer_norm_rms_epsilon")); err != nil {
		return Hparams{}, err
	}
	if !(h.RMSEps > 0) || h.RMSEps > 1 {
		return Hparams{}, fmt.Errorf("metadata key %q = %g is not a positive epsilon", Key("attention.layer_norm_rms_epsilon"), h.RMSEps)
	}
	h.RopeBase = 10000
	if _, ok := md.Get(Key("rope.freq_base")); ok {
		if h.RopeBase, err = md.Float32(Key("rope.freq_base")); err != nil {
			return Hparams{}, err
		}
		if !(h.RopeBase > 1) || math.IsInf(float64(h.RopeBase), 0) {
			return Hparams{}, fmt.Errorf("metadata key %q = %g must be a finite number > 1", Key("rope.freq_base"), h.RopeBase)
		}
	}
	h.RopeScale = 1
	// llama.cpp's llama architecture ignores llama.attention.scale.
	h.AttnScale = float32(1 / math.Sqrt(float64(float32(h.HeadDim))))
	if spec.QScale {
		// gemma2: 1/sqrt(n_embd/n_head) for the 46-layer 27B, else 1/sqrt(head_dim).
		h.QScaleValue = h.AttnScale
		if h.Layers == 46 {
			h.QScaleValue = float32(1 / math.Sqrt(float64(float32(h.Embd/h.Heads))))
		}
		h.AttnScale = 1
	}
	for _, c := range []struct {
		dst  *float32
		name string
	}{{&h.AttnSoftcap, "attn_logit_softcapping"}, {&h.FinalSoftcap, "final_logit_softcapping"}} {
		if _, ok := md.Get(Key(c.name)); !ok {
			continue
		}
		if *c.dst, err = md.Float32(Key(c.name)); err != nil {
			return Hparams{}, err
		}
		if !(*c.dst >= 0) || math.IsInf(float64(*c.dst), 0) {
			return Hparams{}, fmt.Errorf("metadata key %q = %g must be a finite number ≥ 0", Key(c.name), *c.dst)
		}
	}
	if spec.GELU && h.AttnSoftcap == 0 {
		// llama.cpp's gemma2 soft-caps attention whenever the key is absent too (default 50).
		h.AttnSoftcap = 50
	}
	if spec.GELU && h.FinalSoftcap == 0 {
		h.FinalSoftcap = 30
	}
	return h, nil
}
