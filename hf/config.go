// Package hf reads the metadata files of a Hugging Face model directory
// (config.json, generation_config.json, README.md, tokenizer.model,
// tokenizer.json, tokenizer_config.json, …) and turns them into the GGUF
// key/value pairs llama.cpp's convert_hf_to_gguf.py writes for
// LlamaForCausalLM / MistralForCausalLM checkpoints, in the same order and
// with the same types.
package hf

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
)

// Config is config.json as llama.cpp's converter sees it: transformers
// (4.57) defaults applied for the llama and mistral model types (e.g.
// head_dim synthesized when absent) and text_config merged over the top
// level.
type Config struct {
	Path         string         // path of config.json
	Architecture string         // architectures[0] (text_config's when it has one)
	ModelType    string         // model_type, "" when absent
	Raw          map[string]any // config.json verbatim (objects as maps, integers as int64)
	HParams      map[string]any // the converter's hparams: Raw plus defaults, text_config merged

	NumLayers             int // num_hidden_layers (or n_layers, n_layer, num_layers)
	HiddenSize            int // hidden_size (or n_embd, dim)
	IntermediateSize      int // intermediate_size (or n_inner, hidden_dim); 0 when absent
	NumHeads              int // num_attention_heads (or n_head, n_heads)
	NumKVHeads            int // num_key_value_heads (or n_kv_heads); NumHeads when absent
	VocabSize             int // vocab_size
	MaxPositionEmbeddings int // max_position_embeddings or a fallback key; 0 when absent
	HeadDim               int // head_dim, else HiddenSize / NumHeads
	HeadDimPresent        bool
	RMSNormEps            float64        // rms_norm_eps (or norm_eps); 0 when absent
	RopeTheta             float64        // rope_theta; 0 when absent
	RopeScaling           map[string]any // rope_parameters or rope_scaling as written, nil when absent or empty
	TieWordEmbeddings     bool

	// TransformersDefaults reports whether model_type was one whose
	// transformers config defaults are emulated (llama, mistral); otherwise
	// llama.cpp falls back to the raw JSON and so does Config.
	TransformersDefaults bool

	raw *object // config.json, ordered
	hp  *object // hparams, ordered
}

// Key lists the converter searches (llama.cpp: TextModel.set_gguf_parameters).
var (
	keysBlockCount = []string{"n_layers", "num_hidden_layers", "n_layer", "num_layers"}
	keysContext    = []string{"max_position_embeddings", "n_ctx", "n_positions", "max_length", "max_sequence_length", "model_max_length"}
	keysEmbedding  = []string{"hidden_size", "n_embd", "dim"}
	keysFFN        = []string{"intermediate_size", "n_inner", "hidden_dim"}
	keysHeads      = []string{"num_attention_heads", "n_head", "n_heads"}
	keysKVHeads    = []string{"num_key_value_heads", "n_kv_heads"}
	keysRMSEps     = []string{"rms_norm_eps", "norm_eps"}
	keysNormEps    = []string{"layer_norm_eps", "layer_norm_epsilon", "norm_epsilon"}
	keysRopeTheta  = []string{"rope_theta", "global_rope_theta", "rotary_emb_base"}
	keysScoreFunc  = []string{"score_function", "scoring_func", "score_func"}
)

// transformersDefaults are the constructor defaults of the transformers
// config classes the converter relies on (4.57: LlamaConfig, MistralConfig)
// for the keys whose absence would change the GGUF output.
var transformersDefaults = map[string][]struct {
	key string
	val any
}{
	"llama": {
		{"max_position_embeddings", pyInt{v: 2048}},
		{"rms_norm_eps", 1e-6},
		{"rope_theta", 10000.0},
		{"tie_word_embeddings", false},
		{"rope_scaling", nil},
	},
	"mistral": {
		{"num_key_value_heads", pyInt{v: 8}},
		{"max_position_embeddings", pyInt{v: 4096 * 32}},
		{"rms_norm_eps", 1e-6},
		{"rope_theta", 10000.0},
		{"sliding_window", pyInt{v: 4096}},
		{"tie_word_embeddings", false},
	},
}

// LoadConfig reads dir/config.json. A missing file, a missing required key
// (architectures, the layer count, hidden_size, num_attention_heads,
// vocab_size) or a value of the wrong JSON type is an error naming
// config.json and the key. Shape-defining keys must be in the file itself:
// unlike transformers, zq does not invent them from class defaults.
func LoadConfig(dir string) (*Config, error) {
	path := filepath.Join(dir, "config.json")
	raw, err := readJSONObject(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s is not a Hugging Face model directory: it has no config.json", dir)
	}
	if err != nil {
		return nil, err
	}
	c := &Config{Path: path, raw: raw, Raw: toPlain(raw).(map[string]any)}
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("%s: key %q: %s", path, key, fmt.Sprintf(format, args...))
	}

	if v, ok := raw.get("model_type"); ok && v != nil {
		s, ok := v.(string)
		if !ok {
			return nil, bad("model_type", "is %s, expected a string", describe(v))
		}
		c.ModelType = s
	}

	hp := newObject()
	for _, k := range raw.keys {
		hp.set(k, raw.vals[k])
	}
	// The required keys are checked against the file itself (merged with
	// text_config), before any class default could fill them in.
	if tc, ok := raw.get("text_config"); ok {
		if tco, ok := tc.(*object); ok {
			for _, k := range tco.keys {
				hp.set(k, tco.vals[k])
			}
		} else if tc != nil {
			return nil, bad("text_config", "is %s, expected an object", describe(tc))
		}
	}
	for _, req := range [][]string{keysBlockCount, keysEmbedding, keysHeads, {"vocab_size"}} {
		if k, _ := findKey(hp, req); k == "" {
			return nil, bad(req[0], "is missing")
		}
	}

	if defs, ok := transformersDefaults[c.ModelType]; ok {
		c.TransformersDefaults = true
		for _, d := range defs {
			if !hp.has(d.key) {
				hp.set(d.key, d.val)
			}
		}
		if v, _ := hp.get("num_key_value_heads"); v == nil {
			hv, _ := hp.get("num_attention_heads")
			hp.set("num_key_value_heads", hv)
		}
		if v, _ := hp.get("head_dim"); v == nil {
			h, err := intKey(hp, path, "hidden_size")
			if err != nil {
				return nil, err
			}
			n, err := intKey(hp, path, "num_attention_heads")
			if err != nil {
				return nil, err
			}
			if n <= 0 {
				return nil, bad("num_attention_heads", "is %d, expected a positive integer", n)
			}
			hp.set("head_dim", pyInt{v: floorDiv(h, n)})
		}
	}
	c.hp = hp
	c.HParams = toPlain(hp).(map[string]any)

	if err := c.readArchitecture(); err != nil {
		return nil, err
	}
	if err := c.readShape(); err != nil {
		return nil, err
	}
	return c, nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func (c *Config) readArchitecture() error {
	arch := func(o *object, where string) (string, bool, error) {
		v, ok := o.get("architectures")
		if !ok || v == nil {
			return "", false, nil
		}
		a, ok := v.([]any)
		if !ok {
			return "", false, fmt.Errorf("%s: key %q: is %s, expected an array of strings", c.Path, where, describe(v))
		}
		if len(a) == 0 {
			return "", false, nil
		}
		s, ok := a[0].(string)
		if !ok {
			return "", false, fmt.Errorf("%s: key %q: first entry is %s, expected a string", c.Path, where, describe(a[0]))
		}
		return s, true, nil
	}
	s, ok, err := arch(c.raw, "architectures")
	if err != nil {
		return err
	}
	if tc, _ := c.raw.get("text_config"); tc != nil {
		ts, tok, err := arch(tc.(*object), "text_config.architectures")
		if err != nil {
			return err
		}
		if tok {
			s, ok = ts, true
		}
	}
	if !ok {
		return fmt.Errorf("%s: key %q: is missing or empty, cannot tell the model architecture", c.Path, "architectures")
	}
	c.Architecture = s
	return nil
}

func (c *Config) readShape() error {
	hp, path := c.hp, c.Path
	var err error
	geti := func(keys []string, dst *int, required bool) {
		if err != nil {
			return
		}
		k, _ := findKey(hp, keys)
		if k == "" {
			if required {
				err = fmt.Errorf("%s: key %q: is missing", path, keys[0])
			}
			return
		}
		var v int64
		v, err = intKey(hp, path, k)
		if err == nil && (v < 0 || v > math.MaxUint32) {
			err = fmt.Errorf("%s: key %q: %d is out of range (0 … %d)", path, k, v, uint32(math.MaxUint32))
		}
		*dst = int(v)
	}
	getf := func(keys []string, dst *float64) {
		if err != nil {
			return
		}
		if k, _ := findKey(hp, keys); k != "" {
			*dst, _, err = floatKey(hp, path, k)
		}
	}
	geti(keysBlockCount, &c.NumLayers, true)
	geti(keysEmbedding, &c.HiddenSize, true)
	geti(keysHeads, &c.NumHeads, true)
	geti([]string{"vocab_size"}, &c.VocabSize, true)
	geti(keysFFN, &c.IntermediateSize, false)
	geti(keysKVHeads, &c.NumKVHeads, false)
	geti(keysContext, &c.MaxPositionEmbeddings, false)
	getf(keysRMSEps, &c.RMSNormEps)
	getf(keysRopeTheta, &c.RopeTheta)
	if err != nil {
		return err
	}
	if c.NumHeads == 0 {
		return fmt.Errorf("%s: key %q: is 0, expected a positive integer", path, "num_attention_heads")
	}
	if k, _ := findKey(hp, keysKVHeads); k == "" {
		c.NumKVHeads = c.NumHeads
	}
	if v, _ := hp.get("head_dim"); v != nil {
		geti([]string{"head_dim"}, &c.HeadDim, true)
		if err != nil {
			return err
		}
		c.HeadDimPresent = true
	} else {
		c.HeadDim = c.HiddenSize / c.NumHeads
	}
	if v, ok := hp.get("tie_word_embeddings"); ok && v != nil {
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("%s: key %q: is %s, expected a boolean", path, "tie_word_embeddings", describe(v))
		}
		c.TieWordEmbeddings = b
	}
	if _, err := c.ropeParams(); err != nil {
		return err
	}
	v, ok := hp.get("rope_parameters")
	if !ok {
		v, _ = hp.get("rope_scaling")
	}
	if o, ok := v.(*object); ok && len(o.keys) > 0 {
		c.RopeScaling = toPlain(o).(map[string]any)
	}
	return nil
}

// findKey returns the first of keys present in o (llama.cpp's find_hparam).
func findKey(o *object, keys []string) (string, any) {
	for _, k := range keys {
		if v, ok := o.get(k); ok {
			return k, v
		}
	}
	return "", nil
}

// intKey returns o[key] as an integer; anything else is an error naming the file and key.
func intKey(o *object, path, key string) (int64, error) {
	v, _ := o.get(key)
	i, ok := v.(pyInt)
	if !ok {
		return 0, fmt.Errorf("%s: key %q: is %s, expected an integer", path, key, describe(v))
	}
	if i.big {
		return 0, fmt.Errorf("%s: key %q: integer out of range", path, key)
	}
	return i.v, nil
}

// floatKey returns o[key] as a float (integers accepted); present is false for null.
func floatKey(o *object, path, key string) (float64, bool, error) {
	v, _ := o.get(key)
	switch t := v.(type) {
	case nil:
		return 0, false, nil
	case float64:
		return t, true, nil
	case pyInt:
		if !t.big {
			return float64(t.v), true, nil
		}
	}
	return 0, false, fmt.Errorf("%s: key %q: is %s, expected a number", path, key, describe(v))
}

// ropeParams returns the converter's rope_parameters dict: rope_parameters
// or rope_scaling, with rope_theta and rope_type mirrored into it.
func (c *Config) ropeParams() (*object, error) {
	// hparams.get("rope_parameters", hparams.get("rope_scaling")) or {}
	key := "rope_parameters"
	v, ok := c.hp.get(key)
	if !ok {
		key = "rope_scaling"
		v, _ = c.hp.get(key)
	}
	rp := newObject()
	if truthy(v) {
		o, ok := v.(*object)
		if !ok {
			return nil, fmt.Errorf("%s: key %q: is %s, expected an object", c.Path, key, describe(v))
		}
		for _, k := range o.keys {
			rp.set(k, o.vals[k])
		}
	}
	if !rp.has("full_attention") && !rp.has("sliding_attention") {
		if !rp.has("rope_theta") {
			if _, tv := findKey(c.hp, keysRopeTheta); tv != nil {
				rp.set("rope_theta", tv)
			}
		}
		if !rp.has("rope_type") {
			if t, _ := rp.get("type"); t != nil {
				rp.set("rope_type", t)
			}
		}
	}
	return rp, nil
}
