package convert

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/hf"
)

// QuantizationVersion is general.quantization_version (GGML_QNT_VERSION).
const QuantizationVersion = 2

// modelKVs returns the architecture's hyperparameter keys in the order
// llama.cpp writes them: either the architecture's own key list, or
// TextModel's generic keys (package hf) then general.file_type; then the
// architecture's extra keys (llama: vocab_size, rope.dimension_count).
func modelKVs(arch *Arch, c *hf.Config, ft ggml.FileType) (gguf.Metadata, error) {
	var md gguf.Metadata
	if arch.Keys == nil {
		var err error
		if md, err = hf.TextHyperParameters(c, arch.Name); err != nil {
			return nil, err
		}
		md.Set("general.file_type", gguf.Uint32(uint32(ft)))
	} else if err := putKeys(&md, arch, c, ft, arch.Keys); err != nil {
		return nil, err
	}
	if err := putKeys(&md, arch, c, ft, arch.ExtraKeys); err != nil {
		return nil, err
	}
	return md, nil
}

// putKeys writes keys from config.json's (defaulted) hyperparameters;
// each must be present.
func putKeys(md *gguf.Metadata, arch *Arch, c *hf.Config, ft ggml.FileType, keys []KeySpec) error {
	for _, k := range keys {
		if k.Kind == KeyFileType {
			md.Set("general.file_type", gguf.Uint32(uint32(ft)))
			continue
		}
		v, ok := c.HParams[k.HF]
		if k.HF == "head_dim" {
			v, ok = int64(c.HeadDim), true
		}
		if !ok || v == nil {
			return fmt.Errorf("%s: key %q is missing, but %s needs it for %s.%s", c.Path, k.HF, c.Architecture, arch.Name, k.GGUF)
		}
		f, err := configFloat(c.Path, k.HF, v)
		if err != nil {
			return err
		}
		switch k.Kind {
		case KeyF32:
			md.Set(arch.Name+"."+k.GGUF, gguf.Float32(float32(f)))
		default:
			i, isInt := v.(int64)
			if !isInt || i < 0 || i > math.MaxUint32 {
				return fmt.Errorf("%s: key %q is %v, expected an integer in 0 … %d", c.Path, k.HF, v, uint32(math.MaxUint32))
			}
			md.Set(arch.Name+"."+k.GGUF, gguf.Uint32(uint32(i)))
		}
	}
	return nil
}

// checkRopeType rejects a rope_scaling type the architecture's forward
// pass does not implement, naming the architecture and the key.
func checkRopeType(arch *Arch, c *modelConfig) error {
	t, _ := ropeParams(c)["rope_type"].(string)
	if t == "" || t == "default" || slices.ContainsFunc(arch.RopeTypes, func(s string) bool { return strings.EqualFold(s, t) }) {
		return nil
	}
	ok := "none"
	if len(arch.RopeTypes) > 0 {
		ok += ", " + strings.Join(arch.RopeTypes, ", ")
	}
	return fmt.Errorf("%s: %s: key %q is %q, which zq does not support for this architecture (supported: %s)", c.File, c.Architecture, "rope_scaling.rope_type", t, ok)
}

// ropeParams returns llama.cpp's view of the RoPE parameters: the
// rope_parameters or rope_scaling dict (its full_attention entry when it
// has one) with rope_theta and rope_type mirrored into it.
func ropeParams(c *modelConfig) map[string]any {
	p := map[string]any{}
	for k, v := range c.Rope {
		p[k] = v
	}
	if fa, ok := p["full_attention"].(map[string]any); ok {
		return fa
	}
	if _, ok := p["sliding_attention"]; ok {
		return p
	}
	if _, ok := p["rope_theta"]; !ok && c.RopeTheta != 0 {
		p["rope_theta"] = c.RopeTheta
	}
	if _, ok := p["rope_type"]; !ok {
		if t, ok := p["type"]; ok && t != nil {
			p["rope_type"] = t
		}
	}
	return p
}

// configFloat converts a decoded JSON number to float64.
func configFloat(file, key string, v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case float32:
		return float64(x), nil
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	}
	return 0, fmt.Errorf("%s: %q is %v (%T), expected a number", file, key, v, v)
}

// isLlama3Rope reports whether the RoPE parameters ask for llama3
// frequency scaling.
func isLlama3Rope(p map[string]any) bool {
	t, _ := p["rope_type"].(string)
	return strings.EqualFold(t, "llama3")
}
