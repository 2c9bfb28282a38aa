package convert

import (
	"fmt"
	"strings"

	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/hf"
)

// QuantizationVersion is general.quantization_version (GGML_QNT_VERSION).
const QuantizationVersion = 2

// modelKVs returns the architecture's hyperparameter keys in the order
// llama.cpp's TextModel/LlamaModel writes them: block_count through
// key/value_length (package hf), general.file_type, then vocab_size and
// rope.dimension_count.
func modelKVs(arch string, c *hf.Config, ft ggml.FileType) (gguf.Metadata, error) {
	if arch != hf.Arch {
		return nil, fmt.Errorf("no hyperparameter writer for architecture %q", arch)
	}
	md, err := hf.HyperParameters(c)
	if err != nil {
		return nil, err
	}
	md.Set("general.file_type", gguf.Uint32(uint32(ft)))
	md.Set(arch+".vocab_size", gguf.Uint32(uint32(c.VocabSize)))
	md.Set(arch+".rope.dimension_count", gguf.Uint32(hf.RopeDimensionCount(c)))
	return md, nil
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
