package quantize

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/zqtool/zq/codec"

	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/gguf"
)

// synthShape describes a llama-architecture model for tests.
type synthShape struct {
	layers, embd, ff, heads, headsKV, vocab int
	tied                                    bool // no output.weight
}

// synthModel returns the metadata and tensor infos (no data, F16 weights,
// F32 norms) a converter would produce for s, in converter order.
func synthModel(s synthShape) (gguf.Metadata, []gguf.TensorInfo) {
	md := gguf.Metadata{
		{Key: "general.architecture", Value: gguf.String("llama")},
		{Key: "general.name", Value: gguf.String("synthetic")},
		{Key: "llama.block_count", Value: gguf.Uint32(uint32(s.layers))},
		{Key: "llama.embedding_length", Value: gguf.Uint32(uint32(s.embd))},
		{Key: "llama.feed_forward_length", Value: gguf.Uint32(uint32(s.ff))},
		{Key: "llama.attention.head_count", Value: gguf.Uint32(uint32(s.heads))},
		{Key: "llama.attention.head_count_kv", Value: gguf.Uint32(uint32(s.headsKV))},
		{Key: "general.file_type", Value: gguf.Uint32(1)},
		{Key: "general.quantization_version", Value: gguf.Uint32(2)},
	}
	kv := s.embd / s.heads * s.headsKV
	w := func(name string, dims ...int) gguf.TensorInfo {
		t := gguf.TensorInfo{Name: name, Type: ggml.TypeF16}
		for _, d := range dims {
			t.Dims = append(t.Dims, uint64(d))
		}
		if len(dims) == 1 {
			t.Type = ggml.TypeF32
		}
		return t
	}
	ts := []gguf.TensorInfo{w("token_embd.weight", s.embd, s.vocab)}
	for l := 0; l < s.layers; l++ {
		p := fmt.Sprintf("blk.%d.", l)
		ts = append(ts,
			w(p+"attn_norm.weight", s.embd),
			w(p+"ffn_down.weight", s.ff, s.embd),
			w(p+"ffn_gate.weight", s.embd, s.ff),
			w(p+"ffn_up.weight", s.embd, s.ff),
			w(p+"ffn_norm.weight", s.embd),
			w(p+"attn_k.weight", s.embd, kv),
			w(p+"attn_output.weight", s.embd, s.embd),
			w(p+"attn_q.weight", s.embd, s.embd),
			w(p+"attn_v.weight", s.embd, kv),
		)
	}
	ts = append(ts, w("output_norm.weight", s.embd))
	if !s.tied {
		ts = append(ts, w("output.weight", s.embd, s.vocab))
	}
	return md, ts
}

var mistral7B = synthShape{layers: 32, embd: 4096, ff: 14336, heads: 32, headsKV: 8, vocab: 32000}

// typeCounts counts output tensor types of a plan ("q4_K": 193, ...).
func typeCounts(p *Plan) map[string]int {
	out := map[string]int{}
	for _, t := range p.Tensors {
		out[t.To.String()]++
	}
	return out
}

func planFor(s synthShape, preset string, pol PolicyOptions) (*Plan, error) {
	p, err := ParsePreset(preset)
	if err != nil {
		return nil, err
	}
	md, ts := synthModel(s)
	return NewPlan(md, ts, PlanOptions{Preset: p, Policy: pol})
}

// typeOf returns the planned type of the named tensor.
func typeOf(p *Plan, name string) string {
	for _, t := range p.Tensors {
		if t.Name == name {
			return t.To.String()
		}
	}
	return "missing"
}

// writeSynthGGUF writes s as an F16 GGUF file with seeded pseudo-random
// weights (roughly N(0, 0.02²), with a few larger values) and returns its path.
func writeSynthGGUF(tb testing.TB, dir string, s synthShape, seed uint64) string {
	tb.Helper()
	md, ts := synthModel(s)
	path := filepath.Join(dir, fmt.Sprintf("synth-%d.gguf", seed))
	w, err := gguf.Create(path, md, ts)
	if err != nil {
		tb.Fatal(err)
	}
	defer w.Abort()
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	for i, t := range ts {
		n := int(t.NumElements())
		vals := make([]float32, n)
		for j := range vals {
			v := float32(rng.NormFloat64() * 0.02)
			if rng.IntN(512) == 0 {
				v *= 20
			}
			vals[j] = v
		}
		if t.Type == ggml.TypeF32 {
			for j := range vals {
				vals[j] += 1
			}
		}
		data := make([]byte, t.Size())
		if err := codec.QuantizeRow(t.Type, data, vals, nil); err != nil {
			tb.Fatal(err)
		}
		if err := w.WriteTensor(i, data); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}
