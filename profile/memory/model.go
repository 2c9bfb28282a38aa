// Package memory estimates what llama.cpp allocates to run a GGUF model:
// weights per device, KV cache, compute (graph) buffer, output buffer and a
// runtime reserve, at a given context, cache type, flash-attention setting
// and physical batch. The formulas follow llama.cpp c9ced49 and are checked
// against its own dry-run allocations (see the table test and
// docs/profile-notes.md §2).
package memory

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/internal/llamahp"
	"github.com/zqtool/zq/model"
)

// MiB is 2^20 bytes.
const MiB = 1 << 20

// GiB is 2^30 bytes.
const GiB = 1 << 30

// Model is what the estimate needs from a GGUF file: its shape and the bytes
// of its tensors grouped by where llama.cpp places them.
type Model struct {
	Path     string
	FileType string // e.g. "Q4_K_M" (from general.file_type), or "" when absent
	MixOf    string // a zq mix's target (zq.mix.target, e.g. "like Q4_K_M"), or ""
	FileSize int64

	Layers, Embd, FF, Heads, KVHeads, HeadDim, Vocab int
	CtxTrain                                         int // llama.context_length (0 if absent)

	Params      uint64   // elements of every tensor
	TensorBytes uint64   // bytes of every tensor
	TokEmbd     uint64   // token_embd.weight: stays on the host (only rows are gathered)
	Output      uint64   // output.weight + output_norm.weight: the "output layer"
	LayerBytes  []uint64 // per repeating block
	Other       uint64   // tensors outside the above (rope_freqs, ...)
	OutputTied  bool     // no output.weight: the embedding doubles as the head
	// Window holds each layer's sliding attention window (0: full
	// attention); llama.cpp gives such layers a smaller KV cache.
	Window []int
}

var blkName = regexp.MustCompile(`^blk\.(\d+)\.`)

// FromGGUF reads the shape and tensor sizes of a llama-architecture GGUF.
func FromGGUF(path string, f *gguf.File) (*Model, error) {
	te, ok := f.Lookup("token_embd.weight")
	if !ok || len(te.Dims) < 2 {
		return nil, fmt.Errorf("%s: no 2-D tensor token_embd.weight: not a llama-architecture model", path)
	}
	h, err := model.ParseHparams(f.Metadata, int(te.Dims[1]))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m := &Model{
		Path: path, FileSize: f.Size,
		Layers: h.Layers, Embd: h.Embd, FF: h.FF, Heads: h.Heads, KVHeads: h.KVHeads,
		HeadDim: h.HeadDim, Vocab: h.Vocab, CtxTrain: h.ContextLen,
		LayerBytes: make([]uint64, h.Layers),
		Window:     make([]int, h.Layers),
	}
	if h.SWAPattern > 0 { // llama.cpp's iSWA cache is for its SWA architectures only
		for il := range m.Window {
			m.Window[il] = llamahp.Hparams(h).SlidingWindow(il)
		}
	}
	if v, ok := f.Metadata.Get("general.file_type"); ok {
		if n, ok := v.AsInt64(); ok {
			m.FileType = ggml.FileType(n).String()
		}
	}
	if v, err := f.Metadata.String("zq.mix.target"); err == nil {
		m.MixOf = v
	}
	m.OutputTied = true
	for _, t := range f.Tensors {
		sz := t.Size()
		m.TensorBytes += sz
		m.Params += t.NumElements()
		switch {
		case t.Name == "token_embd.weight":
			m.TokEmbd += sz
		case t.Name == "output.weight":
			m.OutputTied = false
			m.Output += sz
		case t.Name == "output_norm.weight":
			m.Output += sz
		default:
			if s := blkName.FindStringSubmatch(t.Name); s != nil {
				i, _ := strconv.Atoi(s[1])
				if i < len(m.LayerBytes) {
					m.LayerBytes[i] += sz
					continue
				}
			}
			m.Other += sz
		}
	}
	if m.OutputTied {
		// llama.cpp loads a second copy of the embedding as the output
		// matrix on the output device.
		m.Output += m.TokEmbd
	}
	return m, nil
}

// Open reads the model at path (header only; tensor data is not touched).
func Open(path string) (*Model, error) {
	f, err := gguf.OpenFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return FromGGUF(path, f)
}

// CtxLimit is the largest context worth considering: the trained length,
// or 2^20 when the file does not say.
func (m *Model) CtxLimit() int {
	if m.CtxTrain > 0 {
		return m.CtxTrain
	}
	return 1 << 20
}

// Repeating is the bytes of all repeating blocks.
func (m *Model) Repeating() uint64 {
	var s uint64
	for _, b := range m.LayerBytes {
		s += b
	}
	return s
}

// BitsPerWeight is tensor bits over elements, as llama.cpp prints it.
func (m *Model) BitsPerWeight() float64 {
	if m.Params == 0 {
		return 0
	}
	return float64(m.TensorBytes) * 8 / float64(m.Params)
}

// StreamedPerToken is the weight bytes read once per generated token: every
// repeating block and the output layer (the embedding is only gathered).
func (m *Model) StreamedPerToken() uint64 { return m.Repeating() + m.Output + m.Other }

// KVBytesPerToken is the KV cache size of one context position for the
// given K and V cache types.
func (m *Model) KVBytesPerToken(kName, vName string) uint64 {
	k, err1 := ParseCacheType(kName)
	v, err2 := ParseCacheType(vName)
	if err1 != nil || err2 != nil {
		return 0
	}
	kvdim := int64(m.KVHeads * m.HeadDim)
	kr, err1 := k.RowSize(kvdim)
	vr, err2 := v.RowSize(kvdim)
	if err1 != nil || err2 != nil {
		return 0
	}
	return uint64(m.Layers) * uint64(kr+vr)
}
