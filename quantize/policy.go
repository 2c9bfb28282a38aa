package quantize

import (
	"fmt"

	"github.com/zqtool/zq/ggml"
)

// ModelShape holds the model-wide facts the type rules depend on.
type ModelShape struct {
	Arch         string // general.architecture
	NLayer       int    // <arch>.block_count
	NHead        int    // attention heads of layer 0
	NHeadKV      int    // KV heads of layer 0
	NExpert      int    // <arch>.expert_count, 0 for dense models
	Is70B        bool   // llama.cpp's "70B" size class (80 layers with GQA for llama)
	NAttentionWV int    // tensors named *attn_v.weight, *attn_qkv.weight or *attn_kv_b.weight
	HasOutput    bool   // the model has an output.weight
}

// NGQA is n_head / n_head_kv of layer 0 (integer division; 0 without KV heads).
func (s ModelShape) NGQA() int {
	if s.NHeadKV == 0 {
		return 0
	}
	return s.NHead / s.NHeadKV
}

func (s ModelShape) falcon() bool { return s.Arch == "falcon" }

// PolicyOptions are the user choices that influence per-tensor types.
type PolicyOptions struct {
	Pure               bool       // no mixture: every quantized tensor gets the default type
	OutputTensorType   *ggml.Type // forced type for output.weight
	TokenEmbeddingType *ggml.Type // forced type for token_embd.weight
	HasImatrix         bool       // an importance matrix was supplied
}

// Decision is the outcome of the type rules for one tensor.
type Decision struct {
	Type     ggml.Type // the type to write
	Rules    bool      // the mixture rules ran (not --pure, quantized preset)
	Fallback bool      // the row length forced a fallback type
}

// TensorType chooses the type of a tensor that is to be quantized, as
// llama-quantize does: the preset's default type, then (unless Pure or the
// preset is not a quantized one) llama.cpp's mixture rules with their
// block-size fallback, then the forced token-embedding and output types.
func TensorType(p Preset, role TensorRole, shape ModelShape, opts PolicyOptions) (Decision, error) {
	d := Decision{Type: p.Default}
	if !opts.Pure && p.Quantized() {
		t, err := mixtureType(p.FileType, p.Default, role, shape, opts)
		if err != nil {
			return Decision{}, err
		}
		fb, err := fallbackType(t, role)
		if err != nil {
			return Decision{}, err
		}
		d.Rules, d.Fallback, d.Type = true, fb != t, fb
	}
	if opts.TokenEmbeddingType != nil && role.Name == "token_embd.weight" {
		d.Type = *opts.TokenEmbeddingType
	}
	if opts.OutputTensorType != nil && role.Name == "output.weight" {
		d.Type = *opts.OutputTensorType
	}
	return d, nil
}

// useMoreBits is llama.cpp's choice of layers that get extra bits: the first
// and last eighth, and every third layer in between.
func useMoreBits(i, n int) bool {
	return i < n/8 || i >= 7*n/8 || (i-n/8)%3 == 2
}

// veryLowBit are the IQ1/IQ2 presets with their own rule branch.
func veryLowBit(f ggml.FileType) bool {
	switch f {
	case ggml.FileTypeIQ2_XXS, ggml.FileTypeIQ2_XS, ggml.FileTypeIQ1_S,
		ggml.FileTypeIQ2_S, ggml.FileTypeIQ2_M, ggml.FileTypeIQ1_M:
		return true
	}
	return false
}

// layerInfo returns the layer index and layer count used by the ffn rules:
// the running counter for dense models, the number parsed from the name for
// mixture-of-experts models.
func layerInfo(role TensorRole, shape ModelShape) (int, int, error) {
	if shape.NExpert > 1 {
		l, ok := layerOf(role.Name)
		if !ok {
			return 0, 0, fmt.Errorf("tensor %q: failed to determine its layer", role.Name)
		}
		if l < 0 || l >= shape.NLayer {
			return 0, 0, fmt.Errorf("tensor %q: bad layer %d, must be in [0, %d)", role.Name, l, shape.NLayer)
		}
		return l, shape.NLayer, nil
	}
	return role.Index, shape.NLayer, nil
}

// mixtureType is llama.cpp's llama_tensor_get_type before the block-size
// fallback: it starts from the default type t.
func mixtureType(f ggml.FileType, t ggml.Type, role TensorRole, s ModelShape, o PolicyOptions) (ggml.Type, error) {
	switch role.Kind {
	case KindOutput:
		switch {
		case o.OutputTensorType != nil:
			return *o.OutputTensorType, nil
		case s.falcon() || role.Ne[0]%int64(t.BlockSize()) != 0:
			return ggml.TypeQ8_0, nil
		case veryLowBit(f) || f == ggml.FileTypeIQ3_XXS:
			return ggml.TypeQ5_K, nil
		case t != ggml.TypeQ8_0:
			return ggml.TypeQ6_K, nil
		}
		return t, nil
	case KindTokenEmbd:
		if o.TokenEmbeddingType != nil {
			return *o.TokenEmbeddingType, nil
		}
		switch f {
		case ggml.FileTypeIQ2_XXS, ggml.FileTypeIQ2_XS, ggml.FileTypeIQ1_S, ggml.FileTypeIQ1_M:
			return ggml.TypeQ2_K, nil
		case ggml.FileTypeIQ2_S, ggml.FileTypeIQ2_M, ggml.FileTypeIQ3_XXS:
			return ggml.TypeIQ3_S, nil
		case ggml.FileTypeTQ1_0, ggml.FileTypeTQ2_0:
			return ggml.TypeQ4_K, nil
		}
		return t, nil
	}
	if veryLowBit(f) {
		return veryLowBitType(f, t, role, s), nil
	}
	switch role.Kind {
	case KindAttnV:
		return attnVType(f, t, role, s, o), nil
	case KindAttnK:
		switch {
		case s.NExpert == 8:
			return ggml.TypeQ8_0, nil
		case f == ggml.FileTypeIQ3_XS:
			return ggml.TypeIQ3_XXS, nil
		case f == ggml.FileTypeIQ3_XXS:
			return ggml.TypeIQ2_S, nil
		}
	case KindAttnQ:
		switch f {
		case ggml.FileTypeIQ3_XS:
			return ggml.TypeIQ3_XXS, nil
		case ggml.FileTypeIQ3_XXS:
			return ggml.TypeIQ2_S, nil
		}
	case KindFFNDown:
		i, n, err := layerInfo(role, s)
		if err != nil {
			return 0, err
		}
		return ffnDownType(f, t, i, n, s, o), nil
	case KindAttnOutput:
		return attnOutputType(f, t, s), nil
	case KindAttnQKV:
		switch f {
		case ggml.FileTypeQ3_K_M, ggml.FileTypeQ3_K_L, ggml.FileTypeIQ3_M:
			return ggml.TypeQ4_K, nil
		case ggml.FileTypeQ4_K_M:
			return ggml.TypeQ5_K, nil
		case ggml.FileTypeQ5_K_M:
			return ggml.TypeQ6_K, nil
		}
	case KindFFNGate, KindFFNUp:
		i, n, err := layerInfo(role, s)
		if err != nil {
			return 0, err
		}
		if f == ggml.FileTypeIQ3_XS && i >= n/8 && i < 7*n/8 {
			return ggml.TypeIQ3_XXS, nil
		}
	}
	return t, nil
}

// veryLowBitType is the rule branch of the IQ1/IQ2 presets.
func veryLowBitType(f ggml.FileType, t ggml.Type, role TensorRole, s ModelShape) ggml.Type {
	iq2sm := f == ggml.FileTypeIQ2_S || f == ggml.FileTypeIQ2_M
	switch {
	case role.Kind == KindAttnV:
		if s.NGQA() >= 4 || s.NExpert >= 4 {
			return ggml.TypeQ4_K
		}
		if iq2sm {
			return ggml.TypeIQ3_S
		}
		return ggml.TypeQ2_K
	case role.Kind == KindAttnK && s.NExpert == 8:
		return ggml.TypeQ4_K
	case role.Kind == KindFFNDown:
		if role.Index < s.NLayer/8 {
			if iq2sm {
				return ggml.TypeIQ3_S
			}
			return ggml.TypeQ2_K
		}
	case role.Kind == KindAttnOutput:
		switch {
		case s.NExpert == 8:
			return ggml.TypeQ5_K
		case f == ggml.FileTypeIQ1_S || f == ggml.FileTypeIQ1_M:
			return ggml.TypeIQ2_XXS
		case iq2sm:
			return ggml.TypeIQ3_S
		}
	}
	return t
}

func attnVType(f ggml.FileType, t ggml.Type, role TensorRole, s ModelShape, o PolicyOptions) ggml.Type {
	gqa4 := s.NGQA() >= 4
	i := role.Index
	switch {
	case f == ggml.FileTypeQ2_K:
		t = ggml.TypeQ3_K
		if gqa4 {
			t = ggml.TypeQ4_K
		}
	case f == ggml.FileTypeQ2_K_S && gqa4:
		t = ggml.TypeQ4_K
	case f == ggml.FileTypeIQ3_XXS:
		switch {
		case gqa4:
			t = ggml.TypeQ4_K
		case !o.HasImatrix:
			t = ggml.TypeIQ3_S
		default:
			t = ggml.TypeIQ3_XXS
		}
	case (f == ggml.FileTypeIQ3_XS || f == ggml.FileTypeIQ3_S) && gqa4:
		t = ggml.TypeQ4_K
	case f == ggml.FileTypeIQ3_M:
		t = ggml.TypeQ4_K
	case f == ggml.FileTypeQ3_K_M:
		t = ggml.TypeQ4_K
		if i < 2 {
			t = ggml.TypeQ5_K
		}
	case f == ggml.FileTypeQ3_K_L:
		t = ggml.TypeQ5_K
	case (f == ggml.FileTypeIQ4_NL || f == ggml.FileTypeIQ4_XS) && gqa4:
		t = ggml.TypeQ5_K
	case (f == ggml.FileTypeQ4_K_M || f == ggml.FileTypeQ5_K_M) && useMoreBits(i, s.NAttentionWV):
		t = ggml.TypeQ6_K
	case f == ggml.FileTypeQ4_K_S && i < 4:
		t = ggml.TypeQ5_K
	}
	if s.Is70B && (t == ggml.TypeQ3_K || t == ggml.TypeQ4_K) {
		t = ggml.TypeQ5_K
	}
	if s.NExpert == 8 {
		t = ggml.TypeQ8_0
	}
	return t
}

func ffnDownType(f ggml.FileType, t ggml.Type, i, n int, s ModelShape, o PolicyOptions) ggml.Type {
	falcon := s.falcon()
	switch {
	case f == ggml.FileTypeQ2_K:
		return ggml.TypeQ3_K
	case f == ggml.FileTypeQ2_K_S:
		if i < n/8 {
			return ggml.TypeQ4_K
		}
	case f == ggml.FileTypeIQ3_XXS && !o.HasImatrix:
		if i < n/8 {
			return ggml.TypeQ4_K
		}
		return ggml.TypeQ3_K
	case f == ggml.FileTypeQ3_K_M:
		switch {
		case i < n/16:
			return ggml.TypeQ5_K
		case !falcon || useMoreBits(i, n):
			return ggml.TypeQ4_K
		}
		return ggml.TypeQ3_K
	case f == ggml.FileTypeIQ3_M && (i < n/8 || (s.NExpert == 8 && useMoreBits(i, n))):
		return ggml.TypeQ4_K
	case f == ggml.FileTypeQ3_K_L:
		if falcon {
			return ggml.TypeQ4_K
		}
		return ggml.TypeQ5_K
	case f == ggml.FileTypeQ4_K_M:
		if falcon {
			switch {
			case i < n/16:
				return ggml.TypeQ6_K
			case useMoreBits(i, n):
				return ggml.TypeQ5_K
			}
			return ggml.TypeQ4_K
		}
		if useMoreBits(i, n) {
			return ggml.TypeQ6_K
		}
	case i < n/8 && (f == ggml.FileTypeIQ4_NL || f == ggml.FileTypeIQ4_XS) && !o.HasImatrix:
		return ggml.TypeQ5_K
	case f == ggml.FileTypeQ5_K_M && useMoreBits(i, n):
		return ggml.TypeQ6_K
	case f == ggml.FileTypeQ4_K_S && !falcon && i < n/8:
		return ggml.TypeQ5_K
	case (f == ggml.FileTypeQ4_0 || f == ggml.FileTypeQ5_0) && o.HasImatrix && i < n/8:
		if f == ggml.FileTypeQ4_0 {
			return ggml.TypeQ4_1
		}
		return ggml.TypeQ5_1
	}
	return t
}

func attnOutputType(f ggml.FileType, t ggml.Type, s ModelShape) ggml.Type {
	if s.falcon() {
		if f == ggml.FileTypeQ3_K_L {
			return ggml.TypeQ4_K
		}
		return t
	}
	if s.NExpert == 8 {
		switch f {
		case ggml.FileTypeQ2_K, ggml.FileTypeIQ3_XS, ggml.FileTypeIQ3_XXS, ggml.FileTypeQ3_K_S,
			ggml.FileTypeQ3_K_M, ggml.FileTypeIQ4_NL, ggml.FileTypeQ4_K_S, ggml.FileTypeQ4_K_M,
			ggml.FileTypeIQ3_S, ggml.FileTypeIQ3_M, ggml.FileTypeIQ4_XS:
			return ggml.TypeQ5_K
		}
		return t
	}
	switch f {
	case ggml.FileTypeQ2_K:
		return ggml.TypeQ3_K
	case ggml.FileTypeIQ3_XXS:
		return ggml.TypeIQ3_S
	case ggml.FileTypeQ3_K_M, ggml.FileTypeIQ3_M:
		return ggml.TypeQ4_K
	case ggml.FileTypeQ3_K_L:
		return ggml.TypeQ5_K
	}
	return t
}

// fallbackType replaces t when the tensor's row length is not a multiple of
// t's block size, as llama.cpp does; it returns t itself when no fallback is
// needed.
func fallbackType(t ggml.Type, role TensorRole) (ggml.Type, error) {
	nx := role.Ne[0]
	if nx%int64(t.BlockSize()) == 0 {
		return t, nil
	}
	var fb ggml.Type
	switch t {
	case ggml.TypeTQ1_0, ggml.TypeTQ2_0:
		fb = ggml.TypeQ4_0
	case ggml.TypeIQ2_XXS, ggml.TypeIQ2_XS, ggml.TypeIQ2_S, ggml.TypeIQ3_XXS, ggml.TypeIQ3_S,
		ggml.TypeIQ1_S, ggml.TypeIQ1_M, ggml.TypeQ2_K, ggml.TypeQ3_K, ggml.TypeIQ4_XS:
		fb = ggml.TypeIQ4_NL
	case ggml.TypeQ4_K:
		fb = ggml.TypeQ5_0
	case ggml.TypeQ5_K:
		fb = ggml.TypeQ5_1
	case ggml.TypeQ6_K:
		fb = ggml.TypeQ8_0
	default:
		return 0, fmt.Errorf("tensor %q: row length %d is not a multiple of %s's block size %d and %s has no fallback type (unsupported tensor size)",
			role.Name, nx, t, t.BlockSize(), t)
	}
	if nx%int64(fb.BlockSize()) != 0 {
		fb = ggml.TypeF16
	}
	return fb, nil
}

// NeedsWeights reports whether llama-quantize refuses to quantize the tensor
// named name to type t under file type f without importance data for it:
// IQ2_XXS, IQ2_XS, IQ2_S and IQ1_S always, IQ1_M except for token_embd and
// output, and Q2_K under the Q2_K_S preset except for token_embd.
func NeedsWeights(f ggml.FileType, t ggml.Type, name string) bool {
	switch t {
	case ggml.TypeIQ2_XXS, ggml.TypeIQ2_XS, ggml.TypeIQ2_S, ggml.TypeIQ1_S:
		return true
	case ggml.TypeIQ1_M:
		return name != "token_embd.weight" && name != "output.weight"
	case ggml.TypeQ2_K:
		return f == ggml.FileTypeQ2_K_S && name != "token_embd.weight"
	}
	return false
}
