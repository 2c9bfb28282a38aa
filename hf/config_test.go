package hf

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadConfigMicroMistral(t *testing.T) {
	c, err := LoadConfig(microDir)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintln(c.Architecture, c.ModelType, c.NumLayers, c.HiddenSize, c.IntermediateSize, c.NumHeads,
		c.NumKVHeads, c.VocabSize, c.MaxPositionEmbeddings, c.HeadDim, c.HeadDimPresent, c.RMSNormEps, c.RopeTheta,
		c.RopeScaling == nil, c.TieWordEmbeddings, c.TransformersDefaults)
	want := "MistralForCausalLM mistral 4 256 768 8 2 4096 32768 32 true 1e-05 10000 true false true\n"
	if got != want {
		t.Errorf("config = %s\nwant     %s", got, want)
	}
	if c.Raw["_name_or_path"] != "micro-mistral" || c.HParams["head_dim"] != int64(32) {
		t.Errorf("Raw/HParams not filled: %v %v", c.Raw["_name_or_path"], c.HParams["head_dim"])
	}
	if _, ok := c.Raw["head_dim"]; ok {
		t.Error("Raw must be config.json verbatim")
	}
}

func TestHyperParameters(t *testing.T) {
	const base = `"architectures": ["X"], "hidden_size": 256, "num_attention_heads": 8, "num_hidden_layers": 2, "vocab_size": 300`
	cases := []struct {
		name, config string
		want         []string
	}{
		{
			name:   "mistral defaults: kv heads 8, context 131072, head_dim synthesized",
			config: `{"model_type": "mistral", ` + base + `}`,
			want: []string{"llama.block_count=uint32:2", "llama.context_length=uint32:131072",
				"llama.embedding_length=uint32:256", "llama.attention.head_count=uint32:8",
				"llama.attention.head_count_kv=uint32:8", "llama.rope.freq_base=float32:10000",
				"llama.attention.layer_norm_rms_epsilon=float32:1e-06",
				"llama.attention.key_length=uint32:32", "llama.attention.value_length=uint32:32"},
		},
		{
			name:   "llama defaults: kv heads = heads, context 2048",
			config: `{"model_type": "llama", "num_key_value_heads": null, "intermediate_size": 688, ` + base + `}`,
			want: []string{"llama.block_count=uint32:2", "llama.context_length=uint32:2048",
				"llama.embedding_length=uint32:256", "llama.feed_forward_length=uint32:688",
				"llama.attention.head_count=uint32:8", "llama.attention.head_count_kv=uint32:8",
				"llama.rope.freq_base=float32:10000", "llama.attention.layer_norm_rms_epsilon=float32:1e-06",
				"llama.attention.key_length=uint32:32", "llama.attention.value_length=uint32:32"},
		},
		{
			name:   "unknown model_type: raw JSON, no defaults",
			config: `{"model_type": "somethingelse", "rms_norm_eps": 1e-5, ` + base + `}`,
			want: []string{"llama.block_count=uint32:2", "llama.embedding_length=uint32:256",
				"llama.attention.head_count=uint32:8", "llama.attention.layer_norm_rms_epsilon=float32:1e-05"},
		},
		{
			name:   "linear rope scaling, integer rope_theta",
			config: `{"rope_scaling": {"type": "linear", "factor": 2}, "rope_theta": 1000000, ` + base + `}`,
			want: []string{"llama.block_count=uint32:2", "llama.embedding_length=uint32:256",
				"llama.attention.head_count=uint32:8", "llama.rope.scaling.type=string:linear",
				"llama.rope.scaling.factor=float32:2", "llama.rope.freq_base=float32:1e+06"},
		},
		{
			name: "yarn rope scaling",
			config: `{"rope_scaling": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 4096,
 "beta_fast": 32, "attn_factor": 0.5}, ` + base + `}`,
			want: []string{"llama.block_count=uint32:2", "llama.embedding_length=uint32:256",
				"llama.attention.head_count=uint32:8", "llama.rope.scaling.type=string:yarn",
				"llama.rope.scaling.factor=float32:4", "llama.rope.scaling.original_context_length=uint32:4096",
				"llama.rope.scaling.yarn_attn_factor=float32:0.5", "llama.rope.scaling.yarn_beta_fast=float32:32"},
		},
		{
			name:   "llama3 rope type writes no key",
			config: `{"rope_scaling": {"rope_type": "llama3", "factor": 8.0}, ` + base + `}`,
			want: []string{"llama.block_count=uint32:2", "llama.embedding_length=uint32:256",
				"llama.attention.head_count=uint32:8"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeFiles(t, t.TempDir(), map[string]string{"config.json": c.config})
			cfg, err := LoadConfig(dir)
			if err != nil {
				t.Fatal(err)
			}
			md, err := HyperParameters(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got := kvs(md); strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

func TestLoadConfigErrors(t *testing.T) {
	const ok = `"architectures": ["MistralForCausalLM"], "model_type": "mistral", "num_attention_heads": 8,
 "num_hidden_layers": 2, "vocab_size": 300`
	cases := []struct {
		name, config, key string
	}{
		{"missing hidden_size", `{` + ok + `}`, "hidden_size"},
		{"string hidden_size", `{"hidden_size": "256", ` + ok + `}`, "hidden_size"},
		{"float hidden_size", `{"hidden_size": 256.0, ` + ok + `}`, "hidden_size"},
		{"missing vocab_size", `{"hidden_size": 256, "architectures": ["A"], "num_attention_heads": 8, "num_hidden_layers": 2}`, "vocab_size"},
		{"missing architectures", `{"hidden_size": 256, "num_attention_heads": 8, "num_hidden_layers": 2, "vocab_size": 3}`, "architectures"},
		{"architectures not a list", `{"hidden_size": 256, "architectures": "A", "num_attention_heads": 8, "num_hidden_layers": 2, "vocab_size": 3}`, "architectures"},
		{"negative layers", `{"hidden_size": 256, "architectures": ["A"], "num_attention_heads": 8, "num_hidden_layers": -2, "vocab_size": 3}`, "num_hidden_layers"},
		{"zero heads", `{"hidden_size": 256, "architectures": ["A"], "num_attention_heads": 0, "num_hidden_layers": 2, "vocab_size": 3}`, "num_attention_heads"},
		{"string rms_norm_eps", `{"hidden_size": 256, "rms_norm_eps": "1e-5", ` + ok + `}`, "rms_norm_eps"},
		{"model_type not a string", `{"hidden_size": 256, "architectures": ["A"], "model_type": 1, "num_attention_heads": 8, "num_hidden_layers": 2, "vocab_size": 3}`, "model_type"},
		{"not JSON", `{"hidden_size": `, "invalid JSON"},
		{"not an object", `[1, 2]`, "object"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeFiles(t, t.TempDir(), map[string]string{"config.json": c.config})
			_, err := LoadConfig(dir)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), filepath.Join(dir, "config.json")) || !strings.Contains(err.Error(), c.key) {
				t.Errorf("error %q should name config.json and %s", err, c.key)
			}
		})
	}
	if _, err := LoadConfig(t.TempDir()); err == nil || !strings.Contains(err.Error(), "config.json") {
		t.Errorf("missing config.json: error %v", err)
	}
}

func TestHyperParametersErrors(t *testing.T) {
	const base = `"architectures": ["X"], "hidden_size": 256, "num_attention_heads": 8, "num_hidden_layers": 2, "vocab_size": 300`
	cases := []struct{ name, config, key string }{
		{"float context", `{"max_position_embeddings": 4096.5, ` + base + `}`, "max_position_embeddings"},
		{"yarn without original length", `{"rope_scaling": {"type": "yarn", "factor": 2}, ` + base + `}`, "original_max_position_embeddings"},
		{"rope_scaling not an object", `{"rope_scaling": "linear", ` + base + `}`, "rope_scaling"},
		{"bad gating function", `{"scoring_func": "tanh", ` + base + `}`, "scoring_func"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeFiles(t, t.TempDir(), map[string]string{"config.json": c.config})
			cfg, err := LoadConfig(dir)
			if err == nil {
				_, err = HyperParameters(cfg)
			}
			if err == nil || !strings.Contains(err.Error(), "config.json") || !strings.Contains(err.Error(), c.key) {
				t.Errorf("error %v should name config.json and %s", err, c.key)
			}
		})
	}
}

func TestDecodeJSON(t *testing.T) {
	v, err := decodeJSON([]byte(`{"b": 1, "a": [1.0, true, null, "x"], "b": 2, "big": 1000000000000000019884624838656}`))
	if err != nil {
		t.Fatal(err)
	}
	o := v.(*object)
	if strings.Join(o.keys, ",") != "b,a,big" || o.vals["b"] != (pyInt{v: 2}) {
		t.Errorf("keys %v b=%v", o.keys, o.vals["b"])
	}
	if big := o.vals["big"].(pyInt); !big.big {
		t.Error("huge integer not flagged")
	}
	for _, bad := range []string{`{"a": 1} x`, `{"a"`, strings.Repeat("[", 300) + strings.Repeat("]", 300)} {
		if _, err := decodeJSON([]byte(bad)); err == nil {
			t.Errorf("decodeJSON(%.20q) gave no error", bad)
		}
	}
}
