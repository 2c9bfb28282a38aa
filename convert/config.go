package convert

import (
	"fmt"
	"strings"

	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/hf"
	"github.com/zqtool/zq/internal/llamahp"
)

// modelConfig is the part of a Hugging Face config the converter uses,
// with transformers' defaults already applied.
type modelConfig struct {
	File           string // config.json path, for error messages
	Architecture   string // architectures[0]
	Layers         int64  // num_hidden_layers
	Hidden         int64  // hidden_size
	FFN            int64  // intermediate_size
	Heads          int64  // num_attention_heads
	KVHeads        int64  // num_key_value_heads
	Vocab          int64  // vocab_size
	HeadDim        int64  // head_dim, or hidden_size / num_attention_heads
	HeadDimPresent bool   // head_dim is in the (defaulted) config: write key/value_length
	Context        int64  // max_position_embeddings; 0 when absent
	RopeTheta      float64
	Rope           map[string]any // rope_parameters or rope_scaling, nil when absent
	HParams        map[string]any // the converter's hparams (config plus defaults)
}

// loadConfig reads dir/config.json through package hf (transformers
// defaults applied) and returns both views.
func loadConfig(dir string) (*modelConfig, *hf.Config, error) {
	c, err := hf.LoadConfig(dir)
	if err != nil {
		return nil, nil, err
	}
	return &modelConfig{
		File: c.Path, Architecture: c.Architecture,
		Layers: int64(c.NumLayers), Hidden: int64(c.HiddenSize), FFN: int64(c.IntermediateSize),
		Heads: int64(c.NumHeads), KVHeads: int64(c.NumKVHeads), Vocab: int64(c.VocabSize),
		HeadDim: int64(c.HeadDim), HeadDimPresent: c.HeadDimPresent,
		Context: int64(c.MaxPositionEmbeddings), RopeTheta: c.RopeTheta,
		Rope: c.RopeScaling, HParams: c.HParams,
	}, c, nil
}

// dim resolves a symbolic dimension.
func (c *modelConfig) dim(d Dim) int64 {
	switch d {
	case DimHidden:
		return c.Hidden
	case DimFFN:
		return c.FFN
	case DimVocab:
		return c.Vocab
	case DimQ:
		return c.Heads * c.HeadDim
	case DimKV:
		return c.KVHeads * c.HeadDim
	}
	return -1
}

// validate checks the fields the plan depends on.
func (c *modelConfig) validate() error {
	const limit = 1 << 31
	for _, f := range []struct {
		key string
		v   int64
	}{
		{"num_hidden_layers", c.Layers}, {"hidden_size", c.Hidden}, {"intermediate_size", c.FFN},
		{"num_attention_heads", c.Heads}, {"num_key_value_heads", c.KVHeads},
		{"vocab_size", c.Vocab}, {"head_dim", c.HeadDim},
	} {
		if f.v <= 0 || f.v >= limit {
			return fmt.Errorf("%s: %q is %d, expected a positive integer below 2^31", c.File, f.key, f.v)
		}
	}
	if c.Context < 0 || c.Context >= 1<<32 {
		return fmt.Errorf("%s: \"max_position_embeddings\" is %d, expected 0 … 2^32-1", c.File, c.Context)
	}
	return nil
}

// hfKeys names the config.json keys behind the GGUF hyperparameters.
var hfKeys = []struct{ gguf, hf string }{
	{"embedding_length", "hidden_size"},
	{"feed_forward_length", "intermediate_size"},
	{"block_count", "num_hidden_layers"},
	{"attention.head_count_kv", "num_key_value_heads"},
	{"attention.head_count", "num_attention_heads"},
	{"attention.key_length", "head_dim"},
	{"attention.value_length", "head_dim"},
	{"rope.dimension_count", "head_dim"},
	{"attention.layer_norm_rms_epsilon", "rms_norm_eps"},
	{"rope.freq_base", "rope_theta"},
	{"vocab_size", "vocab_size"},
	{"context_length", "max_position_embeddings"},
	{"attention.sliding_window", "sliding_window"},
}

// checkRunnable applies to the hyperparameters this config gives the
// rules the forward pass applies when it loads a model (package llamahp:
// positive sizes within bounds, heads dividing hidden_size, KV heads
// dividing heads, an even head size, rms_norm_eps in (0, 1], rope_theta
// above 1), so convert never writes a model that cannot run. Errors name
// the config.json keys.
func checkRunnable(arch *Arch, c *modelConfig, hc *hf.Config) error {
	if _, ok := llamahp.Specs[arch.Name]; !ok {
		return nil
	}
	kvs, err := modelKVs(arch, hc, ggml.FileTypeMostlyF16)
	if err != nil {
		return err
	}
	md := gguf.Metadata{{Key: "general.architecture", Value: gguf.String(arch.Name)}}
	md = appendKVs(md, kvs)
	if _, err := llamahp.Parse(md, int(c.Vocab)); err != nil {
		var keys []string
		for _, k := range hfKeys {
			if strings.Contains(err.Error(), arch.Name+"."+k.gguf) && !strings.Contains(strings.Join(keys, " "), k.hf) {
				keys = append(keys, k.hf)
			}
		}
		from := ""
		if len(keys) > 0 {
			from = " (from " + strings.Join(keys, ", ") + ")"
		}
		return fmt.Errorf("%s: %w%s: the converted model could not be run by llama.cpp or zq", c.File, err, from)
	}
	return nil
}
