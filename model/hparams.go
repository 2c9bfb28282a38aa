package model

import (
	"fmt"
	"math"

	"github.com/zqtool/zq/gguf"
)

// Architecture is the only general.architecture this package evaluates.
const Architecture = "llama"

// Limits on hyperparameters read from untrusted files: anything larger is
// rejected before allocating.
const (
	maxDim    = 1 << 17 // embedding, feed-forward and head sizes
	maxLayers = 1 << 10
	maxHeads  = 1 << 10
	maxVocab  = 1 << 22
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
	RopeScale float32 // 1/llama.rope.scaling.factor for linear scaling, else 1
	RMSEps    float32 // llama.attention.layer_norm_rms_epsilon
	AttnScale float32 // 1/sqrt(HeadDim)
	// Window is llama.attention.sliding_window (0: full attention). Note
	// that llama.cpp ignores this key for the llama architecture (and its
	// converter does not write it), so a file that has it is evaluated
	// with a sliding window here and without one there.
	Window     int
	ContextLen int // llama.context_length (informational)
}

// QDim is the width of the query projection (Heads·HeadDim).
func (h Hparams) QDim() int { return h.Heads * h.HeadDim }

// KVDim is the width of the key and value projections (KVHeads·HeadDim).
func (h Hparams) KVDim() int { return h.KVHeads * h.HeadDim }

// key returns "llama." + name.
func key(name string) string { return Architecture + "." + name }

// ParseHparams decodes and validates the llama hyperparameters in md.
// vocab is the number of rows of token_embd.weight (the vocabulary size
// when llama.vocab_size is absent).
func ParseHparams(md gguf.Metadata, vocab int) (Hparams, error) {
	arch, err := md.String("general.architecture")
	if err != nil {
		return Hparams{}, err
	}
	if arch != Architecture {
		return Hparams{}, fmt.Errorf("general.architecture is %q; only %q models can be evaluated", arch, Architecture)
	}
	var h Hparams
	ints := []struct {
		dst      *int
		name     string
		required bool
		lo, hi   int64
	}{
		{&h.Embd, "embedding_length", true, 1, maxDim},
		{&h.FF, "feed_forward_length", true, 1, maxDim},
		{&h.Layers, "block_count", true, 1, maxLayers},
		{&h.Heads, "attention.head_count", true, 1, maxHeads},
		{&h.KVHeads, "attention.head_count_kv", false, 1, maxHeads},
		{&h.HeadDim, "attention.key_length", false, 1, maxDim},
		{&h.RopeDims, "rope.dimension_count", false, 0, maxDim},
		{&h.Window, "attention.sliding_window", false, 0, math.MaxInt32},
		{&h.ContextLen, "context_length", false, 0, math.MaxInt32},
		{&h.Vocab, "vocab_size", false, 1, maxVocab},
	}
	for _, f := range ints {
		v, ok := md.Get(key(f.name))
		if !ok {
			if f.required {
				return Hparams{}, fmt.Errorf("metadata key %q is missing", key(f.name))
			}
			continue
		}
		x, ok := v.AsInt64()
		if !ok {
			return Hparams{}, fmt.Errorf("metadata key %q has type %s, expected an integer", key(f.name), v.Describe())
		}
		if x < f.lo || x > f.hi {
			return Hparams{}, fmt.Errorf("metadata key %q = %d is out of range [%d, %d]", key(f.name), x, f.lo, f.hi)
		}
		*f.dst = int(x)
	}
	if h.Vocab == 0 {
		h.Vocab = vocab
	}
	if h.Vocab != vocab {
		return Hparams{}, fmt.Errorf("metadata key %q = %d but token_embd.weight has %d rows", key("vocab_size"), h.Vocab, vocab)
	}
	if h.KVHeads == 0 {
		h.KVHeads = h.Heads
	}
	if h.Heads%h.KVHeads != 0 {
		return Hparams{}, fmt.Errorf("%s = %d is not a multiple of %s = %d", key("attention.head_count"), h.Heads, key("attention.head_count_kv"), h.KVHeads)
	}
	if h.HeadDim == 0 {
		if h.Embd%h.Heads != 0 {
			return Hparams{}, fmt.Errorf("%s = %d is not a multiple of %s = %d", key("embedding_length"), h.Embd, key("attention.head_count"), h.Heads)
		}
		h.HeadDim = h.Embd / h.Heads
	}
	if vl, ok := md.Get(key("attention.value_length")); ok {
		if x, ok := vl.AsInt64(); !ok || x != int64(h.HeadDim) {
			return Hparams{}, fmt.Errorf("metadata key %q = %s must equal the key length %d", key("attention.value_length"), vl.Describe(), h.HeadDim)
		}
	}
	if h.RopeDims == 0 {
		h.RopeDims = h.HeadDim
	}
	if h.RopeDims != h.HeadDim {
		// llm_build_llama asserts n_rot == n_embd_head as well.
		return Hparams{}, fmt.Errorf("metadata key %q = %d must equal the head size %d for llama", key("rope.dimension_count"), h.RopeDims, h.HeadDim)
	}
	if h.HeadDim%2 != 0 {
		return Hparams{}, fmt.Errorf("head size %d must be even for RoPE", h.HeadDim)
	}
	if h.RMSEps, err = md.Float32(key("attention.layer_norm_rms_epsilon")); err != nil {
		return Hparams{}, err
	}
	if !(h.RMSEps > 0) || h.RMSEps > 1 {
		return Hparams{}, fmt.Errorf("metadata key %q = %g is not a positive epsilon", key("attention.layer_norm_rms_epsilon"), h.RMSEps)
	}
	h.RopeBase = 10000
	if _, ok := md.Get(key("rope.freq_base")); ok {
		if h.RopeBase, err = md.Float32(key("rope.freq_base")); err != nil {
			return Hparams{}, err
		}
		if !(h.RopeBase > 1) || math.IsInf(float64(h.RopeBase), 0) {
			return Hparams{}, fmt.Errorf("metadata key %q = %g must be a finite number > 1", key("rope.freq_base"), h.RopeBase)
		}
	}
	if h.RopeScale, err = ropeScale(md); err != nil {
		return Hparams{}, err
	}
	// llama.cpp's llama architecture ignores llama.attention.scale.
	h.AttnScale = float32(1 / math.Sqrt(float64(float32(h.HeadDim))))
	if _, ok := md.Get(key("expert_count")); ok {
		if n, _ := md.Int(key("expert_count")); n > 0 {
			return Hparams{}, fmt.Errorf("metadata key %q = %d: mixture-of-experts models are not supported", key("expert_count"), n)
		}
	}
	return h, nil
}

// ropeScale returns the frequency scale of linear RoPE scaling (1 when
// none); other scaling types are rejected.
func ropeScale(md gguf.Metadata) (float32, error) {
	typ := "linear"
	if _, ok := md.Get(key("rope.scaling.type")); ok {
		s, err := md.String(key("rope.scaling.type"))
		if err != nil {
			return 0, err
		}
		typ = s
	}
	if typ != "linear" && typ != "none" {
		return 0, fmt.Errorf("metadata key %q = %q: only linear RoPE scaling is supported", key("rope.scaling.type"), typ)
	}
	var factor float32
	for _, name := range []string{"rope.scaling.factor", "rope.scale_linear"} {
		if _, ok := md.Get(key(name)); ok {
			f, err := md.Float32(key(name))
			if err != nil {
				return 0, err
			}
			if f < 0 || math.IsInf(float64(f), 0) || f != f {
				return 0, fmt.Errorf("metadata key %q = %g is not a valid scale factor", key(name), f)
			}
			factor = f
			break
		}
	}
	if factor == 0 || typ == "none" {
		// llama.cpp never scales when the type is "none".
		return 1, nil
	}
	return 1 / factor, nil
}
