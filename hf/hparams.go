package hf

import (
	"fmt"
	"math"
	"strings"

	"github.com/zqtool/zq/gguf"
)

// Arch is the GGUF architecture name of LlamaForCausalLM / MistralForCausalLM.
const Arch = "llama"

// HyperParameters returns the model-shape keys llama.cpp's
// TextModel.set_gguf_parameters writes between the authorship keys and
// general.file_type (doc §2.2 rows 10–19): llama.block_count,
// context_length, embedding_length, feed_forward_length, head counts, rope
// scaling, rope.freq_base, the norm epsilons, expert keys when the config
// has them, and key_length/value_length when head_dim is known.
func HyperParameters(cfg *Config) (gguf.Metadata, error) {
	return TextHyperParameters(cfg, Arch)
}

// TextHyperParameters is HyperParameters for any architecture that takes
// llama.cpp's generic TextModel keys (llama, qwen2, …), prefixed by arch.
func TextHyperParameters(cfg *Config, arch string) (gguf.Metadata, error) {
	var md gguf.Metadata
	hp, path := cfg.hp, cfg.Path
	var err error
	u32 := func(key, src string, v any) {
		if err != nil {
			return
		}
		var x uint32
		if x, err = toUint32(path, src, v); err == nil {
			md.Set(key, gguf.Uint32(x))
		}
	}
	f32 := func(key, src string, v any) {
		if err != nil {
			return
		}
		var x float32
		if x, err = toFloat32(path, src, v); err == nil {
			md.Set(key, gguf.Float32(x))
		}
	}
	opt := func(key string, keys []string, put func(string, string, any)) {
		if k, v := findKey(hp, keys); k != "" && v != nil {
			put(key, k, v)
		}
	}
	a := arch + "."
	u32(a+"block_count", "num_hidden_layers", pyInt{v: int64(cfg.NumLayers)})
	opt(a+"context_length", keysContext, u32)
	opt(a+"embedding_length", keysEmbedding, u32)
	opt(a+"feed_forward_length", keysFFN, u32)
	opt(a+"attention.head_count", keysHeads, u32)
	opt(a+"attention.head_count_kv", keysKVHeads, u32)
	if err != nil {
		return nil, err
	}

	rp, err := cfg.ropeParams()
	if err != nil {
		return nil, err
	}
	params := rp
	if fa, ok := rp.get("full_attention"); ok {
		if params, ok = fa.(*object); !ok {
			return nil, fmt.Errorf("%s: key %q: is %s, expected an object", path, "rope_parameters.full_attention", describe(fa))
		}
	}
	if err := ropeScaling(&md, arch, path, params); err != nil {
		return nil, err
	}
	if ms, ok := rp.get("mrope_section"); ok {
		secs, ok := ms.([]any)
		if !ok {
			return nil, fmt.Errorf("%s: key %q: is %s, expected an array of integers", path, "mrope_section", describe(ms))
		}
		out := make([]int32, 4)
		for i := 0; i < len(secs) && i < 4; i++ {
			x, ok := secs[i].(pyInt)
			if !ok || x.big || x.v < math.MinInt32 || x.v > math.MaxInt32 {
				return nil, fmt.Errorf("%s: key %q: entry %d is not a 32-bit integer", path, "mrope_section", i)
			}
			out[i] = int32(x.v)
		}
		md.Set(a+"rope.dimension_sections", gguf.Int32s(out))
	}
	if v, _ := params.get("rope_theta"); v != nil {
		f32(a+"rope.freq_base", "rope_theta", v)
	}
	opt(a+"attention.layer_norm_rms_epsilon", keysRMSEps, f32)
	opt(a+"attention.layer_norm_epsilon", keysNormEps, f32)
	for _, e := range []struct{ key, src string }{
		{"expert_count", "num_local_experts"},
		{"expert_used_count", "num_experts_per_tok"},
		{"expert_group_count", "n_group"},
		{"expert_group_used_count", "topk_group"},
	} {
		if v, _ := hp.get(e.src); v != nil {
			u32(a+e.key, e.src, v)
		}
	}
	if err != nil {
		return nil, err
	}
	if k, v := findKey(hp, keysScoreFunc); k != "" && v != nil {
		switch v {
		case "softmax":
			md.Set(a+"expert_gating_func", gguf.Uint32(1))
		case "sigmoid":
			md.Set(a+"expert_gating_func", gguf.Uint32(2))
		default:
			return nil, fmt.Errorf("%s: key %q: unsupported expert gating function %v", path, k, v)
		}
	}
	if v, _ := hp.get("head_dim"); v != nil {
		u32(a+"attention.key_length", "head_dim", v)
		u32(a+"attention.value_length", "head_dim", v)
	}
	if err != nil {
		return nil, err
	}
	return md, nil
}

// RopeDimensionCount is llama.rope.dimension_count: head_dim, else
// hidden_size / num_attention_heads.
func RopeDimensionCount(cfg *Config) uint32 { return uint32(cfg.HeadDim) }

// ropeScaling writes the llama.rope.scaling.* keys for rope_type linear,
// yarn and longrope (llama3 needs a rope_freqs tensor instead; dynamic and
// unknown types write nothing).
func ropeScaling(md *gguf.Metadata, arch, path string, rp *object) error {
	t, _ := rp.get("rope_type")
	if t == nil {
		return nil
	}
	typ, ok := t.(string)
	if !ok {
		return fmt.Errorf("%s: key %q: is %s, expected a string", path, "rope_scaling.rope_type", describe(t))
	}
	a := arch + ".rope.scaling."
	factor, _ := rp.get("factor")
	put := func(key, src string, v any) error {
		x, err := toFloat32(path, "rope_scaling."+src, v)
		if err == nil {
			md.Set(a+key, gguf.Float32(x))
		}
		return err
	}
	switch {
	case typ == "linear" && factor != nil:
		md.Set(a+"type", gguf.String("linear"))
		return put("factor", "factor", factor)
	case typ == "yarn" && factor != nil:
		md.Set(a+"type", gguf.String("yarn"))
		if err := put("factor", "factor", factor); err != nil {
			return err
		}
		oc, ok := rp.get("original_max_position_embeddings")
		if !ok {
			return fmt.Errorf("%s: key %q: is missing (needed for yarn)", path, "rope_scaling.original_max_position_embeddings")
		}
		n, err := toUint32(path, "rope_scaling.original_max_position_embeddings", oc)
		if err != nil {
			return err
		}
		md.Set(a+"original_context_length", gguf.Uint32(n))
		attn, _ := rp.get("attention_factor")
		if attn == nil {
			attn, _ = rp.get("attn_factor")
		}
		ext, _ := rp.get("extrapolation_factor")
		fast, _ := rp.get("beta_fast")
		slow, _ := rp.get("beta_slow")
		for _, o := range []struct {
			key, src string
			v        any
		}{
			{"yarn_ext_factor", "extrapolation_factor", ext},
			{"yarn_attn_factor", "attention_factor", attn},
			{"yarn_beta_fast", "beta_fast", fast},
			{"yarn_beta_slow", "beta_slow", slow},
		} {
			if o.v != nil {
				if err := put(o.key, o.src, o.v); err != nil {
					return err
				}
			}
		}
	case typ == "su" || typ == "longrope":
		md.Set(a+"type", gguf.String("longrope"))
	case typ == "dynamic" || strings.ToLower(typ) == "llama3":
		// dynamic: handled per model elsewhere; llama3: a rope_freqs tensor.
	}
	return nil
}

// toUint32 converts a JSON integer for a UINT32 key, as struct.pack("I") would.
func toUint32(path, key string, v any) (uint32, error) {
	i, ok := asPyInt(v)
	if !ok || i.big || i.v < 0 || i.v > math.MaxUint32 {
		return 0, fmt.Errorf("%s: key %q: %s is not an integer in 0 … %d", path, key, describeValue(v), uint32(math.MaxUint32))
	}
	return uint32(i.v), nil
}

// toFloat32 converts a JSON number for a FLOAT32 key (rounded to nearest).
func toFloat32(path, key string, v any) (float32, error) {
	var f float64
	switch t := v.(type) {
	case float64:
		f = t
	case pyInt:
		f = float64(t.v)
	case bool:
		if t {
			f = 1
		}
	default:
		return 0, fmt.Errorf("%s: key %q: is %s, expected a number", path, key, describe(v))
	}
	x := float32(f)
	if math.IsInf(float64(x), 0) && !math.IsInf(f, 0) {
		return 0, fmt.Errorf("%s: key %q: %g does not fit a float32", path, key, f)
	}
	return x, nil
}

// describeValue is describe plus the value itself for scalars.
func describeValue(v any) string {
	switch t := v.(type) {
	case pyInt:
		if !t.big {
			return fmt.Sprintf("%d", t.v)
		}
	case float64:
		return fmt.Sprintf("%g", t)
	case string:
		return fmt.Sprintf("%q", t)
	}
	return describe(v)
}
