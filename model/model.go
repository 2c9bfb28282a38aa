package model

import (
	"fmt"
	"io"

	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/internal/llamahp"
)

// Layer holds one transformer block's weights. Bias vectors are nil when
// the file has none.
type Layer struct {
	AttnNorm, FFNNorm []float32
	AttnPostNorm      []float32 // post_attention_norm (gemma2) or nil
	FFNPostNorm       []float32 // post_ffw_norm (gemma2) or nil
	Q, K, V, O        *Weight
	Gate, Up, Down    *Weight

	BQ, BK, BV, BO    []float32
	BGate, BUp, BDown []float32
}

// Model is a llama-architecture model whose weights stay encoded (and, when
// opened with Open, memory-mapped) until used.
type Model struct {
	H          Hparams
	Metadata   gguf.Metadata
	TokEmbd    *Weight
	Output     *Weight // output.weight, or token_embd.weight when tied
	OutputNorm []float32
	RopeFreqs  []float32 // rope_freqs.weight (llama 3 frequency factors) or nil
	Layers     []Layer

	// WeightBytes and Params total every tensor in the file: the weights'
	// size as stored and their element count.
	WeightBytes, Params uint64

	closers []io.Closer
}

// Open memory-maps and loads the GGUF model at path.
func Open(path string) (*Model, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return nil, err
	}
	m, err := Load(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m.closers = append(m.closers, f)
	return m, nil
}

// Close releases the file mapping of a model made by Open. The model and
// every context made from it must not be used afterwards.
func (m *Model) Close() error {
	var first error
	for _, c := range m.closers {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	m.closers = nil
	return first
}

// Load validates the llama model in f and wraps its tensors. Tensor bytes
// are referenced, not copied, when f holds the file in memory (mmap); f
// must then stay open while the model is used.
func Load(f *gguf.File) (*Model, error) {
	te, ok := f.Lookup("token_embd.weight")
	if !ok {
		if arch := f.ArchPrefix(); !supported(arch) {
			return nil, fmt.Errorf("general.architecture is %q; only llama, qwen2 and gemma2 models can be evaluated", arch)
		}
		return nil, fmt.Errorf("tensor %q is missing", "token_embd.weight")
	}
	if len(te.Dims) != 2 || te.Dims[1] == 0 || te.Dims[1] > maxVocab {
		return nil, fmt.Errorf("tensor %q has shape %v, expected [n_embd, n_vocab]", te.Name, te.Dims)
	}
	h, err := ParseHparams(f.Metadata, int(te.Dims[1]))
	if err != nil {
		return nil, err
	}
	m := &Model{H: h, Metadata: f.Metadata}
	for _, t := range f.Tensors {
		m.WeightBytes += t.Size()
		m.Params += t.NumElements()
	}
	if m.TokEmbd, err = newWeight(f, "token_embd.weight", h.Embd, h.Vocab); err != nil {
		return nil, err
	}
	if _, ok := f.Lookup("output.weight"); ok {
		if m.Output, err = newWeight(f, "output.weight", h.Embd, h.Vocab); err != nil {
			return nil, err
		}
	} else {
		m.Output = m.TokEmbd
	}
	if m.OutputNorm, err = vector(f, "output_norm.weight", h.Embd); err != nil {
		return nil, err
	}
	if m.RopeFreqs, err = optionalVector(f, "rope_freqs.weight", h.RopeDims/2); err != nil {
		return nil, err
	}
	m.Layers = make([]Layer, h.Layers)
	for i := range m.Layers {
		if err := loadLayer(f, h, i, &m.Layers[i]); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// loadLayer fills l with block i's tensors.
func loadLayer(f *gguf.File, h Hparams, i int, l *Layer) error {
	if _, ok := f.Lookup(fmt.Sprintf("blk.%d.ffn_gate_inp.weight", i)); ok {
		return fmt.Errorf("tensor %q: mixture-of-experts layers are not supported", fmt.Sprintf("blk.%d.ffn_gate_inp.weight", i))
	}
	name := func(s string) string { return fmt.Sprintf("blk.%d.%s", i, s) }
	var err error
	mats := []struct {
		dst        **Weight
		name       string
		cols, rows int
	}{
		{&l.Q, "attn_q.weight", h.Embd, h.QDim()},
		{&l.K, "attn_k.weight", h.Embd, h.KVDim()},
		{&l.V, "attn_v.weight", h.Embd, h.KVDim()},
		{&l.O, "attn_output.weight", h.QDim(), h.Embd},
		{&l.Gate, "ffn_gate.weight", h.Embd, h.FF},
		{&l.Up, "ffn_up.weight", h.Embd, h.FF},
		{&l.Down, "ffn_down.weight", h.FF, h.Embd},
	}
	for _, mt := range mats {
		if *mt.dst, err = newWeight(f, name(mt.name), mt.cols, mt.rows); err != nil {
			return err
		}
	}
	vecs := []struct {
		dst      *[]float32
		name     string
		n        int
		optional bool
	}{
		{&l.AttnNorm, "attn_norm.weight", h.Embd, false},
		{&l.FFNNorm, "ffn_norm.weight", h.Embd, false},
		{&l.AttnPostNorm, "post_attention_norm.weight", h.Embd, !h.PostNorms},
		{&l.FFNPostNorm, "post_ffw_norm.weight", h.Embd, !h.PostNorms},
		{&l.BQ, "attn_q.bias", h.QDim(), true},
		{&l.BK, "attn_k.bias", h.KVDim(), true},
		{&l.BV, "attn_v.bias", h.KVDim(), true},
		{&l.BO, "attn_output.bias", h.Embd, true},
		{&l.BGate, "ffn_gate.bias", h.FF, true},
		{&l.BUp, "ffn_up.bias", h.FF, true},
		{&l.BDown, "ffn_down.bias", h.Embd, true},
	}
	for _, v := range vecs {
		if v.optional {
			*v.dst, err = optionalVector(f, name(v.name), v.n)
		} else {
			*v.dst, err = vector(f, name(v.name), v.n)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// supported reports whether the forward pass evaluates arch.
func supported(arch string) bool {
	_, ok := llamahp.Specs[arch]
	return ok
}

// Matrices returns every weight matrix of the model once: the token
// embedding, each layer's Q, K, V, O, gate, up and down, then the output
// head (left out when tied to the token embedding).
func (m *Model) Matrices() []*Weight {
	out := []*Weight{m.TokEmbd}
	for i := range m.Layers {
		l := &m.Layers[i]
		out = append(out, l.Q, l.K, l.V, l.O, l.Gate, l.Up, l.Down)
	}
	if m.Output != m.TokEmbd {
		out = append(out, m.Output)
	}
	return out
}
