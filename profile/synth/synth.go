// Package synth writes GGUF files with the exact tensor shapes and types of a
// real llama-architecture model and no data (the tensor bytes are a hole in a
// sparse file). Such a file is enough for memory estimates, for llama.cpp's
// dry-run allocation and for tests of both, at a few MiB of disk use.
package synth

import (
	"fmt"
	"strings"

	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/quantize"
)

// Shape is the set of hyperparameters that decide tensor shapes.
type Shape struct {
	Name     string
	Layers   int
	Embd     int
	FF       int
	Heads    int
	KVHeads  int
	Vocab    int
	CtxTrain int
}

// Mistral7B is Mistral-7B v0.1/v0.2's shape.
var Mistral7B = Shape{Name: "mistral-7b", Layers: 32, Embd: 4096, FF: 14336, Heads: 32, KVHeads: 8, Vocab: 32000, CtxTrain: 32768}

// Llama2_7B is Llama-2-7B's shape (full multi-head attention).
var Llama2_7B = Shape{Name: "llama-2-7b", Layers: 32, Embd: 4096, FF: 11008, Heads: 32, KVHeads: 32, Vocab: 32000, CtxTrain: 4096}

// Llama3_8B is Llama-3-8B's shape (128,256-token vocabulary).
var Llama3_8B = Shape{Name: "llama-3-8b", Layers: 32, Embd: 4096, FF: 14336, Heads: 32, KVHeads: 8, Vocab: 128256, CtxTrain: 8192}

// Metadata returns the GGUF metadata llama.cpp needs to load a model of this
// shape, with a placeholder SentencePiece-style vocabulary.
func (s Shape) Metadata() gguf.Metadata {
	tokens := make([]string, s.Vocab)
	scores := make([]float32, s.Vocab)
	types := make([]int32, s.Vocab)
	for i := range tokens {
		switch {
		case i == 0:
			tokens[i], types[i] = "<unk>", 2
		case i == 1:
			tokens[i], types[i] = "<s>", 3
		case i == 2:
			tokens[i], types[i] = "</s>", 3
		case i < 3+256:
			tokens[i], types[i] = fmt.Sprintf("<0x%02X>", i-3), 6
		default:
			tokens[i], types[i] = fmt.Sprintf("▁t%d", i), 1
		}
	}
	a := "llama."
	return gguf.Metadata{
		{Key: "general.architecture", Value: gguf.String("llama")},
		{Key: "general.name", Value: gguf.String(s.Name + " (synthetic, no weights)")},
		{Key: a + "context_length", Value: gguf.Uint32(uint32(s.CtxTrain))},
		{Key: a + "embedding_length", Value: gguf.Uint32(uint32(s.Embd))},
		{Key: a + "block_count", Value: gguf.Uint32(uint32(s.Layers))},
		{Key: a + "feed_forward_length", Value: gguf.Uint32(uint32(s.FF))},
		{Key: a + "rope.dimension_count", Value: gguf.Uint32(uint32(s.Embd / s.Heads))},
		{Key: a + "attention.head_count", Value: gguf.Uint32(uint32(s.Heads))},
		{Key: a + "attention.head_count_kv", Value: gguf.Uint32(uint32(s.KVHeads))},
		{Key: a + "attention.layer_norm_rms_epsilon", Value: gguf.Float32(1e-5)},
		{Key: a + "rope.freq_base", Value: gguf.Float32(10000)},
		{Key: "general.file_type", Value: gguf.Uint32(1)},
		{Key: "tokenizer.ggml.model", Value: gguf.String("llama")},
		{Key: "tokenizer.ggml.tokens", Value: gguf.Strings(tokens)},
		{Key: "tokenizer.ggml.scores", Value: gguf.Float32s(scores)},
		{Key: "tokenizer.ggml.token_type", Value: gguf.Int32s(types)},
		{Key: "tokenizer.ggml.bos_token_id", Value: gguf.Uint32(1)},
		{Key: "tokenizer.ggml.eos_token_id", Value: gguf.Uint32(2)},
		{Key: "tokenizer.ggml.unknown_token_id", Value: gguf.Uint32(0)},
	}
}

// F16Tensors lists the tensors of an F16 conversion of the shape, in the
// order llama.cpp's converter writes them.
func (s Shape) F16Tensors() []gguf.TensorInfo {
	kv := uint64(s.Embd / s.Heads * s.KVHeads)
	e, ff := uint64(s.Embd), uint64(s.FF)
	t := []gguf.TensorInfo{{Name: "token_embd.weight", Dims: []uint64{e, uint64(s.Vocab)}, Type: ggml.TypeF16}}
	for l := range s.Layers {
		p := fmt.Sprintf("blk.%d.", l)
		t = append(t,
			gguf.TensorInfo{Name: p + "attn_norm.weight", Dims: []uint64{e}, Type: ggml.TypeF32},
			gguf.TensorInfo{Name: p + "ffn_down.weight", Dims: []uint64{ff, e}, Type: ggml.TypeF16},
			gguf.TensorInfo{Name: p + "ffn_gate.weight", Dims: []uint64{e, ff}, Type: ggml.TypeF16},
			gguf.TensorInfo{Name: p + "ffn_up.weight", Dims: []uint64{e, ff}, Type: ggml.TypeF16},
			gguf.TensorInfo{Name: p + "ffn_norm.weight", Dims: []uint64{e}, Type: ggml.TypeF32},
			gguf.TensorInfo{Name: p + "attn_k.weight", Dims: []uint64{e, kv}, Type: ggml.TypeF16},
			gguf.TensorInfo{Name: p + "attn_output.weight", Dims: []uint64{e, e}, Type: ggml.TypeF16},
			gguf.TensorInfo{Name: p + "attn_q.weight", Dims: []uint64{e, e}, Type: ggml.TypeF16},
			gguf.TensorInfo{Name: p + "attn_v.weight", Dims: []uint64{e, kv}, Type: ggml.TypeF16},
		)
	}
	return append(t,
		gguf.TensorInfo{Name: "output_norm.weight", Dims: []uint64{e}, Type: ggml.TypeF32},
		gguf.TensorInfo{Name: "output.weight", Dims: []uint64{e, uint64(s.Vocab)}, Type: ggml.TypeF16})
}

// Layout returns the metadata and tensor list of the shape quantized with
// preset (e.g. "Q4_K_M", or "F16"), with the per-tensor types llama-quantize
// would choose.
func (s Shape) Layout(preset string) (gguf.Metadata, []gguf.TensorInfo, error) {
	md, ts := s.Metadata(), s.F16Tensors()
	if strings.EqualFold(preset, "f16") {
		return md, ts, nil
	}
	p, err := quantize.ParsePreset(preset)
	if err != nil {
		return nil, nil, err
	}
	plan, err := quantize.NewPlan(md, ts, quantize.PlanOptions{Preset: p})
	if err != nil {
		return nil, nil, err
	}
	out := make([]gguf.TensorInfo, len(plan.Tensors))
	for i, pt := range plan.Tensors {
		out[i] = gguf.TensorInfo{Name: pt.Name, Dims: pt.Dims, Type: pt.To}
	}
	return quantize.OutputMetadata(md, p, nil), out, nil
}

// Write creates a sparse GGUF at path with the shape's layout for preset.
// It returns the file size (almost none of which is allocated on disk).
func Write(path string, s Shape, preset string) (int64, error) {
	md, ts, err := s.Layout(preset)
	if err != nil {
		return 0, err
	}
	w, err := gguf.Create(path, md, ts)
	if err != nil {
		return 0, err
	}
	defer w.Abort()
	for i := range ts {
		if err := w.SkipTensor(i); err != nil {
			return 0, err
		}
	}
	size := w.Size()
	return size, w.Close()
}
