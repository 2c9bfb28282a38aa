// Package inspect describes a GGUF file, a safetensors file or a Hugging
// Face model directory: metadata, tensors and totals, as a Report that can
// be printed as a table or as JSON. Its JSON for GGUF files has the shape of
// the dumps made with llama.cpp's gguf-py, so the two compare directly.
package inspect

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"

	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/imatrix"
	"github.com/zqtool/zq/internal/filehash"
	"github.com/zqtool/zq/safetensors"
)

// summaryLimit is the array length above which metadata arrays are
// summarized (len, first entries, sha256) unless Options.Full is set.
const summaryLimit = 64

// headLen is how many leading elements a summarized array shows.
const headLen = 8

// Options selects what a Report contains.
type Options struct {
	Full   bool // print long arrays in full
	SHA256 bool // hash every tensor's data and the whole file
}

// Report is what inspect found.
type Report struct {
	Path       string                       `json:"path"`
	Format     string                       `json:"format"` // "gguf" or "safetensors"
	Version    uint32                       `json:"version,omitempty"`
	Alignment  uint64                       `json:"alignment,omitempty"`
	DataOffset int64                        `json:"data_offset,omitempty"`
	FileType   string                       `json:"file_type,omitempty"`    // general.file_type, e.g. "Q4_K_M"
	FileTypeID *uint32                      `json:"file_type_id,omitempty"` // its numeric value
	KVOrder    []string                     `json:"kv_order,omitempty"`
	KV         map[string]KVEntry           `json:"kv,omitempty"`
	Shards     map[string]map[string]string `json:"shard_metadata,omitempty"`
	Tensors    []Tensor                     `json:"tensors"`
	Totals     Totals                       `json:"totals"`
	FileSHA256 string                       `json:"file_sha256,omitempty"`
	Imatrix    *imatrix.Summary             `json:"imatrix,omitempty"` // importance matrices only
}

// KVEntry is one metadata value: its GGUF type ids ([9, elem] for arrays)
// and either the value or, for long arrays, its length, head and the sha256
// of its Python-style JSON text.
type KVEntry struct {
	Types  []int
	Value  any
	Len    int
	Head   any
	SHA256 string
	Summed bool
}

// MarshalJSON writes {"types", "value"} or {"types", "len", "head", "sha256"}.
func (e KVEntry) MarshalJSON() ([]byte, error) {
	if e.Summed {
		return json.Marshal(struct {
			Types  []int  `json:"types"`
			Len    int    `json:"len"`
			Head   any    `json:"head"`
			SHA256 string `json:"sha256"`
		}{e.Types, e.Len, e.Head, e.SHA256})
	}
	return json.Marshal(struct {
		Types []int `json:"types"`
		Value any   `json:"value"`
	}{e.Types, e.Value})
}

// Tensor is one tensor's description. GGUF tensors have NE (innermost
// first) and Offset (absolute); safetensors tensors have Shape (outermost
// first) and Shard.
type Tensor struct {
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	NE     []uint64 `json:"ne,omitempty"`
	Shape  []int64  `json:"shape,omitempty"`
	Shard  string   `json:"shard,omitempty"`
	Offset int64    `json:"offset"`
	NBytes int64    `json:"nbytes"`
	SHA256 string   `json:"sha256,omitempty"`
	params uint64
}

// Totals sums the tensors.
type Totals struct {
	Tensors       int     `json:"tensors"`
	Parameters    uint64  `json:"parameters"`
	Bytes         uint64  `json:"size_bytes"`
	BitsPerWeight float64 `json:"bits_per_weight"`
}

// Path inspects a GGUF file, a .safetensors file or a model directory.
func Path(path string, opts Options) (*Report, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() || strings.HasSuffix(path, ".safetensors") {
		return Safetensors(path, opts)
	}
	if !isGGUF(path) {
		// Not GGUF: perhaps a legacy .dat importance matrix.
		if f, err := imatrix.Read(path); err == nil {
			return datReport(path, f, opts)
		}
	}
	return GGUFPath(path, opts)
}

// isGGUF reports whether the file at path starts with the GGUF magic.
func isGGUF(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, len(gguf.Magic))
	_, err = io.ReadFull(f, b)
	return err == nil && string(b) == gguf.Magic
}

// datReport describes a legacy .dat importance matrix.
func datReport(path string, f *imatrix.File, opts Options) (*Report, error) {
	r := &Report{Path: path, Format: "imatrix-dat", Tensors: []Tensor{}, Imatrix: f.Summarize()}
	if opts.SHA256 {
		var err error
		if r.FileSHA256, err = filehash.SHA256(path); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// GGUFPath inspects the GGUF file at path.
func GGUFPath(path string, opts Options) (*Report, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := GGUF(f, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r.Path = path
	if imatrix.IsImatrix(f) {
		im, err := imatrix.FromGGUF(path, f)
		if err != nil {
			return nil, err
		}
		r.Imatrix = im.Summarize()
	}
	if opts.SHA256 {
		if r.FileSHA256, err = filehash.SHA256(path); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// GGUF describes an open GGUF file.
func GGUF(f *gguf.File, opts Options) (*Report, error) {
	r := &Report{Format: "gguf", Version: f.Version, Alignment: f.Alignment, DataOffset: f.DataOffset,
		KV: make(map[string]KVEntry, len(f.Metadata))}
	for _, kv := range f.Metadata {
		r.KVOrder = append(r.KVOrder, kv.Key)
		r.KV[kv.Key] = entry(kv.Value, opts.Full)
	}
	if ft, err := f.Metadata.Uint32("general.file_type"); err == nil {
		r.FileType, r.FileTypeID = ggml.FileType(ft).String(), &ft
	}
	for i := range f.Tensors {
		t := &f.Tensors[i]
		tt := Tensor{Name: t.Name, Type: t.Type.String(), NE: t.Dims,
			Offset: f.DataOffset + int64(t.Offset), NBytes: int64(t.Size()), params: t.NumElements()}
		if opts.SHA256 {
			h := sha256.New()
			if _, err := io.Copy(h, f.TensorReader(t)); err != nil {
				return nil, fmt.Errorf("tensor %q: %w", t.Name, err)
			}
			tt.SHA256 = hex.EncodeToString(h.Sum(nil))
		}
		r.Tensors = append(r.Tensors, tt)
	}
	r.total()
	return r, nil
}

// Safetensors inspects a .safetensors file or a model directory.
func Safetensors(path string, opts Options) (*Report, error) {
	m, err := safetensors.Open(path)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	r := &Report{Path: path, Format: "safetensors", Shards: map[string]map[string]string{}}
	for _, t := range m.Tensors() {
		tt := Tensor{Name: t.Name, Type: string(t.DType), Shape: t.Shape, Shard: t.Shard,
			Offset: t.Offset, NBytes: t.Size, params: uint64(t.NumElements())}
		if opts.SHA256 {
			b, err := m.Bytes(t.Name)
			if err != nil {
				return nil, err
			}
			sum := sha256.Sum256(b)
			tt.SHA256 = hex.EncodeToString(sum[:])
		}
		if _, ok := r.Shards[t.Shard]; !ok {
			if md := m.Metadata(t.Shard); len(md) > 0 {
				r.Shards[t.Shard] = md
			}
		}
		r.Tensors = append(r.Tensors, tt)
	}
	r.total()
	return r, nil
}

func (r *Report) total() {
	r.Totals = Totals{Tensors: len(r.Tensors)}
	for _, t := range r.Tensors {
		r.Totals.Parameters += t.params
		r.Totals.Bytes += uint64(t.NBytes)
	}
	if r.Totals.Parameters > 0 {
		r.Totals.BitsPerWeight = 8 * float64(r.Totals.Bytes) / float64(r.Totals.Parameters)
	}
}

func entry(v gguf.Value, full bool) KVEntry {
	e := KVEntry{Types: []int{int(v.Type)}}
	a, ok := v.AsArray()
	if !ok {
		e.Value = jsonScalar(v.Any())
		return e
	}
	e.Types = append(e.Types, int(a.Elem))
	items := jsonItems(a)
	if full || a.Len() <= summaryLimit {
		e.Value = items
		return e
	}
	e.Summed, e.Len = true, a.Len()
	e.Head = headOf(items)
	sum := sha256.Sum256([]byte(pyJSON(a.Items)))
	e.SHA256 = hex.EncodeToString(sum[:])
	return e
}

// jsonScalar widens float32 so JSON shows the value Python would print.
func jsonScalar(x any) any {
	if f, ok := x.(float32); ok {
		return float64(f)
	}
	return x
}

func jsonItems(a *gguf.Array) any {
	switch s := a.Items.(type) {
	case []float32:
		out := make([]float64, len(s))
		for i, f := range s {
			out[i] = float64(f)
		}
		return out
	case []*gguf.Array:
		out := make([]any, len(s))
		for i, in := range s {
			out[i] = jsonItems(in)
		}
		return out
	case []uint8:
		out := make([]int, len(s)) // not base64
		for i, x := range s {
			out[i] = int(x)
		}
		return out
	}
	return a.Items
}

func headOf(items any) any {
	v := reflect.ValueOf(items)
	if v.Kind() != reflect.Slice {
		return items
	}
	return v.Slice(0, min(headLen, v.Len())).Interface()
}
