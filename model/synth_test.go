package model

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/zqtool/zq/codec"
	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/gguf"
)

// synthSpec describes a random llama model written by writeSynth.
type synthSpec struct {
	embd, ff, layers, heads, kvHeads, vocab int
	typ, outType                            ggml.Type // matrices; output.weight
	window                                  int       // attention.sliding_window when > 0
	biases                                  bool      // add attn_q/k/v/output biases
	drop                                    string    // tensor to leave out
	edit                                    func(md *gguf.Metadata)
	retype                                  map[string]ggml.Type
}

func tinySpec() synthSpec {
	return synthSpec{embd: 64, ff: 96, layers: 2, heads: 4, kvHeads: 2, vocab: 300, typ: ggml.TypeF32, outType: ggml.TypeF32}
}

type synthTensor struct {
	info gguf.TensorInfo
	data func() ([]byte, error) // generated when written
}

// synthMatrix makes a rows×cols tensor of type t. To stay fast for large
// shapes only 16 distinct rows are quantized; row r repeats one of them.
func synthMatrix(rng *rand.Rand, name string, t ggml.Type, cols, rows int, scale float32) (synthTensor, error) {
	rb, err := t.RowSize(int64(cols))
	if err != nil {
		return synthTensor{}, err
	}
	seed := rng.Uint64()
	gen := func() ([]byte, error) {
		rng := rand.New(rand.NewPCG(seed, 7))
		const variants = 16
		src := make([]float32, cols)
		rowsData := make([][]byte, min(variants, rows))
		for i := range rowsData {
			for j := range src {
				src[j] = float32(rng.NormFloat64()) * scale
			}
			rowsData[i] = make([]byte, rb)
			if err := codec.QuantizeRow(t, rowsData[i], src, nil); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
		data := make([]byte, int(rb)*rows)
		for r := 0; r < rows; r++ {
			copy(data[r*int(rb):], rowsData[(r*7+r/variants)%len(rowsData)])
		}
		return data, nil
	}
	return synthTensor{gguf.TensorInfo{Name: name, Dims: []uint64{uint64(cols), uint64(rows)}, Type: t}, gen}, nil
}

// synthVector makes a 1-D F32 tensor of values base + noise.
func synthVector(rng *rand.Rand, name string, n int, base, noise float32) synthTensor {
	v := make([]float32, n)
	for i := range v {
		v[i] = base + float32(rng.NormFloat64())*noise
	}
	gen := func() ([]byte, error) {
		data := make([]byte, 4*n)
		return data, codec.QuantizeRow(ggml.TypeF32, data, v, nil)
	}
	return synthTensor{gguf.TensorInfo{Name: name, Dims: []uint64{uint64(n)}, Type: ggml.TypeF32}, gen}
}

// writeSynth writes a random llama model to dir and returns its path.
func writeSynth(tb testing.TB, dir string, s synthSpec) string {
	tb.Helper()
	hd := s.embd / s.heads
	md := gguf.Metadata{
		{Key: "general.architecture", Value: gguf.String("llama")},
		{Key: "llama.block_count", Value: gguf.Uint32(uint32(s.layers))},
		{Key: "llama.context_length", Value: gguf.Uint32(4096)},
		{Key: "llama.embedding_length", Value: gguf.Uint32(uint32(s.embd))},
		{Key: "llama.feed_forward_length", Value: gguf.Uint32(uint32(s.ff))},
		{Key: "llama.attention.head_count", Value: gguf.Uint32(uint32(s.heads))},
		{Key: "llama.attention.head_count_kv", Value: gguf.Uint32(uint32(s.kvHeads))},
		{Key: "llama.rope.freq_base", Value: gguf.Float32(10000)},
		{Key: "llama.attention.layer_norm_rms_epsilon", Value: gguf.Float32(1e-5)},
		{Key: "llama.rope.dimension_count", Value: gguf.Uint32(uint32(hd))},
		{Key: "llama.vocab_size", Value: gguf.Uint32(uint32(s.vocab))},
	}
	if s.window > 0 {
		md.Set("llama.attention.sliding_window", gguf.Uint32(uint32(s.window)))
	}
	if s.edit != nil {
		s.edit(&md)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var ts []synthTensor
	add := func(t synthTensor, err error) {
		if err != nil {
			tb.Fatal(err)
		}
		if t.info.Name == s.drop {
			return
		}
		if nt, ok := s.retype[t.info.Name]; ok {
			t.info.Type = nt
			n, err := nt.RowSize(int64(t.info.Dims[0]))
			if err != nil {
				tb.Fatal(err)
			}
			t.data = func() ([]byte, error) { return make([]byte, int(n)*int(t.info.Rows())), nil }
		}
		ts = append(ts, t)
	}
	add(synthMatrix(rng, "token_embd.weight", s.typ, s.embd, s.vocab, 1))
	add(synthVector(rng, "output_norm.weight", s.embd, 1, 0.1), nil)
	add(synthMatrix(rng, "output.weight", s.outType, s.embd, s.vocab, 0.1))
	kv := s.kvHeads * hd
	for i := 0; i < s.layers; i++ {
		n := func(x string) string { return fmt.Sprintf("blk.%d.%s", i, x) }
		add(synthVector(rng, n("attn_norm.weight"), s.embd, 1, 0.1), nil)
		add(synthMatrix(rng, n("attn_q.weight"), s.typ, s.embd, s.embd, 0.15))
		add(synthMatrix(rng, n("attn_k.weight"), s.typ, s.embd, kv, 0.15))
		add(synthMatrix(rng, n("attn_v.weight"), s.typ, s.embd, kv, 0.15))
		add(synthMatrix(rng, n("attn_output.weight"), s.typ, s.embd, s.embd, 0.1))
		if s.biases {
			add(synthVector(rng, n("attn_q.bias"), s.embd, 0, 0.1), nil)
			add(synthVector(rng, n("attn_k.bias"), kv, 0, 0.1), nil)
			add(synthVector(rng, n("attn_v.bias"), kv, 0, 0.1), nil)
			add(synthVector(rng, n("attn_output.bias"), s.embd, 0, 0.1), nil)
		}
		add(synthVector(rng, n("ffn_norm.weight"), s.embd, 1, 0.1), nil)
		add(synthMatrix(rng, n("ffn_gate.weight"), s.typ, s.embd, s.ff, 0.1))
		add(synthMatrix(rng, n("ffn_up.weight"), s.typ, s.embd, s.ff, 0.1))
		add(synthMatrix(rng, n("ffn_down.weight"), s.typ, s.ff, s.embd, 0.1))
	}
	infos := make([]gguf.TensorInfo, len(ts))
	for i, t := range ts {
		infos[i] = t.info
	}
	path := filepath.Join(dir, "synth.gguf")
	w, err := gguf.Create(path, md, infos)
	if err != nil {
		tb.Fatal(err)
	}
	defer w.Abort()
	for i, t := range ts {
		data, err := t.data()
		if err != nil {
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
