package safetensors

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
)

const microDir = "../testdata/micro-mistral"

// microConfig is the part of config.json that fixes the tensor shapes.
type microConfig struct {
	Hidden  int64 `json:"hidden_size"`
	Layers  int   `json:"num_hidden_layers"`
	Heads   int64 `json:"num_attention_heads"`
	KVHeads int64 `json:"num_key_value_heads"`
	FFN     int64 `json:"intermediate_size"`
	Vocab   int64 `json:"vocab_size"`
}

// expectedShapes derives the HF tensor shapes of a Mistral checkpoint from
// its config.
func expectedShapes(c microConfig) map[string][]int64 {
	headDim := c.Hidden / c.Heads
	want := map[string][]int64{
		"model.embed_tokens.weight": {c.Vocab, c.Hidden},
		"lm_head.weight":            {c.Vocab, c.Hidden},
		"model.norm.weight":         {c.Hidden},
	}
	for i := 0; i < c.Layers; i++ {
		p := fmt.Sprintf("model.layers.%d.", i)
		want[p+"input_layernorm.weight"] = []int64{c.Hidden}
		want[p+"post_attention_layernorm.weight"] = []int64{c.Hidden}
		want[p+"self_attn.q_proj.weight"] = []int64{c.Heads * headDim, c.Hidden}
		want[p+"self_attn.k_proj.weight"] = []int64{c.KVHeads * headDim, c.Hidden}
		want[p+"self_attn.v_proj.weight"] = []int64{c.KVHeads * headDim, c.Hidden}
		want[p+"self_attn.o_proj.weight"] = []int64{c.Hidden, c.Heads * headDim}
		want[p+"mlp.gate_proj.weight"] = []int64{c.FFN, c.Hidden}
		want[p+"mlp.up_proj.weight"] = []int64{c.FFN, c.Hidden}
		want[p+"mlp.down_proj.weight"] = []int64{c.Hidden, c.FFN}
	}
	return want
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func TestMicroMistral(t *testing.T) {
	var cfg microConfig
	readJSON(t, microDir+"/config.json", &cfg)
	if cfg.Hidden != 256 || cfg.Layers != 4 || cfg.Heads != 8 || cfg.KVHeads != 2 || cfg.FFN != 768 || cfg.Vocab != 4096 {
		t.Fatalf("unexpected config %+v", cfg)
	}
	want := expectedShapes(cfg)

	m, err := Open(microDir)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	tensors := m.Tensors()
	if len(tensors) != 39 || len(want) != 39 {
		t.Fatalf("got %d tensors, want 39 (expected table has %d)", len(tensors), len(want))
	}
	shards := m.Shards()
	if !slices.Equal(shards, []string{"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"}) {
		t.Errorf("Shards = %v", shards)
	}
	perShard := map[string]int{}
	for i, ti := range tensors {
		perShard[ti.Shard]++
		if ti.DType != BF16 {
			t.Errorf("%s: dtype %s, want BF16", ti.Name, ti.DType)
		}
		if w, ok := want[ti.Name]; !ok {
			t.Errorf("unexpected tensor %s", ti.Name)
		} else if !slices.Equal(ti.Shape, w) {
			t.Errorf("%s: shape %v, want %v", ti.Name, ti.Shape, w)
		}
		if ti.Size != 2*ti.NumElements() {
			t.Errorf("%s: size %d for %d elements", ti.Name, ti.Size, ti.NumElements())
		}
		// Converter order: shard order, then byte-wise name order.
		if i > 0 {
			p := tensors[i-1]
			if p.Shard > ti.Shard || (p.Shard == ti.Shard && p.Name >= ti.Name) {
				t.Errorf("order: %s/%s before %s/%s", p.Shard, p.Name, ti.Shard, ti.Name)
			}
		}
	}
	if len(perShard) != 2 || perShard[shards[0]] == 0 || perShard[shards[1]] == 0 {
		t.Errorf("tensors per shard = %v, want both shards used", perShard)
	}
	// Shard order comes before name order: lm_head.weight sorts first by
	// name but lives in the second shard.
	if tensors[0].Name != "model.embed_tokens.weight" || tensors[len(tensors)-1].Name != "model.norm.weight" {
		t.Errorf("first/last = %s/%s", tensors[0].Name, tensors[len(tensors)-1].Name)
	}
	if md := m.Metadata(shards[0]); md["format"] != "pt" {
		t.Errorf("metadata of %s = %v", shards[0], md)
	}
}

// TestMicroMistralMatchesConverter checks Float32 against the F32 tensors
// llama.cpp's converter wrote for tensors it does not permute: the bytes of
// the float32 values must hash the same.
func TestMicroMistralMatchesConverter(t *testing.T) {
	var ref struct {
		Tensors []struct {
			Name   string `json:"name"`
			Type   string `json:"type"`
			SHA256 string `json:"sha256"`
		} `json:"tensors"`
	}
	readJSON(t, "../testdata/reference/convert-f32.json", &ref)
	refHash := map[string]string{}
	for _, r := range ref.Tensors {
		if r.Type != "F32" {
			t.Fatalf("reference tensor %s has type %s", r.Name, r.Type)
		}
		refHash[r.Name] = r.SHA256
	}
	m, err := Open(microDir)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var buf []float32
	for _, tc := range []struct{ hf, gguf string }{
		{"model.embed_tokens.weight", "token_embd.weight"},
		{"lm_head.weight", "output.weight"},
		{"model.norm.weight", "output_norm.weight"},
		{"model.layers.0.mlp.down_proj.weight", "blk.0.ffn_down.weight"},
		{"model.layers.2.input_layernorm.weight", "blk.2.attn_norm.weight"},
		{"model.layers.3.self_attn.v_proj.weight", "blk.3.attn_v.weight"},
		{"model.layers.1.self_attn.o_proj.weight", "blk.1.attn_output.weight"},
	} {
		want, ok := refHash[tc.gguf]
		if !ok {
			t.Fatalf("reference has no %s", tc.gguf)
		}
		buf, err = m.Float32(tc.hf, buf)
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 0, 4*len(buf))
		for _, v := range buf {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != want {
			t.Errorf("%s: sha256 of float32 data %s, converter wrote %s for %s", tc.hf, got, want, tc.gguf)
		}
	}
}

func TestMicroMistralSingleShardFile(t *testing.T) {
	m, err := Open(microDir + "/model-00002-of-00002.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for _, ti := range m.Tensors() {
		if ti.Shard != "model-00002-of-00002.safetensors" {
			t.Errorf("%s: shard %s", ti.Name, ti.Shard)
		}
		if strings.Contains(ti.Name, "layers.0.") || strings.Contains(ti.Name, "embed_tokens") {
			t.Errorf("tensor %s should be in shard 1", ti.Name)
		}
	}
	if _, ok := m.Tensor("lm_head.weight"); !ok {
		t.Error("lm_head.weight missing from shard 2")
	}
}
