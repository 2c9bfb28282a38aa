// Package imatrix reads, merges, accumulates and writes importance matrices
// in llama.cpp's two formats: the GGUF one llama-imatrix writes by default
// (general.type = imatrix; per weight a "<name>.in_sum2" tensor of summed
// squared activations per input column and a "<name>.counts" tensor of
// token counts) and the legacy .dat one (per weight the mean squared
// activation times the chunk count).
//
// File is a file as stored, which llama-quantize reads (Importance); Set is
// llama-imatrix's running state, which new activations (Add) and earlier
// files (Merge) accumulate into and which writes either format.
package imatrix

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"

	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/gguf"
)

// Format names.
const (
	FormatGGUF = "gguf"
	FormatDat  = "dat"
)

// Metadata keys of the GGUF format.
const (
	KeyDatasets   = "imatrix.datasets"
	KeyChunkCount = "imatrix.chunk_count"
	KeyChunkSize  = "imatrix.chunk_size"
)

// Tensor name suffixes of the GGUF format.
const (
	SuffixSums   = ".in_sum2"
	SuffixCounts = ".counts"
)

// File is an importance matrix file as stored.
type File struct {
	Path       string
	Format     string   // FormatGGUF or FormatDat
	Datasets   []string // calibration texts
	ChunkCount int      // chunks the data was computed on; 0 when unknown
	ChunkSize  int      // tokens per chunk (GGUF only; 0 for .dat)
	Entries    map[string]*Entry
}

// Entry is one weight's data as stored. In a GGUF file Sums holds Mats rows
// of Cols summed squared activations and Counts the tokens behind each row;
// in a .dat file Sums holds the mean squared activations multiplied by
// NCall (the chunks they were computed on) and Counts is nil.
type Entry struct {
	Cols, Mats int
	Sums       []float32
	Counts     []float32
	NCall      int32
}

// Names returns the entry names in sorted order.
func (f *File) Names() []string {
	out := make([]string, 0, len(f.Entries))
	for k := range f.Entries {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Importance returns entry e's importance values as llama-quantize computes
// them: each GGUF row divided by its count (1 for rows that never saw a
// token), .dat values divided by their chunk count, in float32.
func (e *Entry) Importance() []float32 {
	out := make([]float32, len(e.Sums))
	if e.Counts == nil {
		for i, v := range e.Sums {
			if e.NCall > 0 {
				v /= float32(e.NCall)
			}
			out[i] = v
		}
		return out
	}
	for j := 0; j < e.Mats; j++ {
		c := e.Counts[j]
		for i := j * e.Cols; i < (j+1)*e.Cols; i++ {
			if c > 0 {
				out[i] = e.Sums[i] / c
			} else {
				out[i] = 1
			}
		}
	}
	return out
}

// Read reads an importance matrix in the GGUF format or, when the file is
// not GGUF, the legacy .dat format.
func Read(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(b, []byte(gguf.Magic)) {
		return parseGGUF(path, b)
	}
	return parseDat(path, b)
}

func parseGGUF(path string, b []byte) (*File, error) {
	f, err := gguf.ReadBytes(b)
	if err != nil {
		return nil, fmt.Errorf("imatrix %s: %w", path, err)
	}
	return FromGGUF(path, f)
}

// IsImatrix reports whether a GGUF file says it is an importance matrix
// (general.type = imatrix).
func IsImatrix(f *gguf.File) bool {
	t, err := f.Metadata.String("general.type")
	return err == nil && t == "imatrix"
}

// FromGGUF reads the importance matrix in an open GGUF file; path is for
// messages.
func FromGGUF(path string, f *gguf.File) (*File, error) {
	if len(f.Tensors) == 0 {
		return nil, fmt.Errorf("imatrix %s: no data (the file has no tensors)", path)
	}
	m := &File{Path: path, Format: FormatGGUF, Entries: map[string]*Entry{}}
	ds, ok := f.Metadata.Get(KeyDatasets)
	if !ok {
		return nil, fmt.Errorf("imatrix %s: metadata key %q is missing", path, KeyDatasets)
	}
	if m.Datasets, ok = ds.AsStrings(); !ok {
		return nil, fmt.Errorf("imatrix %s: metadata key %q has type %s, expected array[string]", path, KeyDatasets, ds.Describe())
	}
	cc, err := f.Metadata.Uint32(KeyChunkCount)
	if err != nil {
		return nil, fmt.Errorf("imatrix %s: %w", path, err)
	}
	cs, err := f.Metadata.Uint32(KeyChunkSize)
	if err != nil {
		return nil, fmt.Errorf("imatrix %s: %w", path, err)
	}
	m.ChunkCount, m.ChunkSize = int(int32(cc)), int(cs)

	type pair struct{ sums, counts *gguf.TensorInfo }
	pairs := map[string]*pair{}
	for i := range f.Tensors {
		t := &f.Tensors[i]
		var name string
		var isSum bool
		if n, ok := strings.CutSuffix(t.Name, SuffixSums); ok {
			name, isSum = n, true
		} else if n, ok := strings.CutSuffix(t.Name, SuffixCounts); ok {
			name = n
		} else {
			continue
		}
		if name == "" {
			continue
		}
		p := pairs[name]
		if p == nil {
			p = &pair{}
			pairs[name] = p
		}
		if isSum {
			p.sums = t
		} else {
			p.counts = t
		}
	}
	for name, p := range pairs {
		if p.sums == nil || p.counts == nil {
			return nil, fmt.Errorf("imatrix %s: mismatched sums and counts for %q", path, name)
		}
		e, err := ggufEntry(f, p.sums, p.counts)
		if err != nil {
			return nil, fmt.Errorf("imatrix %s: %w", path, err)
		}
		m.Entries[name] = e
	}
	return m, nil
}

// ggufEntry reads one pair of sums and counts tensors.
func ggufEntry(f *gguf.File, sums, counts *gguf.TensorInfo) (*Entry, error) {
	for _, t := range []*gguf.TensorInfo{sums, counts} {
		if t.Type != ggml.TypeF32 {
			return nil, fmt.Errorf("tensor %q has type %s, expected f32", t.Name, t.Type)
		}
	}
	ne0, ne1 := sums.RowLen(), sums.Rows()
	if ne0 == 0 || ne1 == 0 {
		return nil, fmt.Errorf("tensor %q is empty", sums.Name)
	}
	if counts.NumElements() < ne1 {
		return nil, fmt.Errorf("tensor %q has %d counts for %d rows of %q", counts.Name, counts.NumElements(), ne1, sums.Name)
	}
	sb, err := f.TensorData(sums)
	if err != nil {
		return nil, err
	}
	cb, err := f.TensorData(counts)
	if err != nil {
		return nil, err
	}
	return &Entry{Cols: int(ne0), Mats: int(ne1), Sums: floats(sb), Counts: floats(cb)[:ne1]}, nil
}

// floats decodes little-endian float32s.
func floats(b []byte) []float32 {
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

// datReader reads little-endian fields of a legacy .dat imatrix with bounds checks.
type datReader struct {
	path string
	b    []byte
	off  int
}

func (r *datReader) i32(what string) (int32, error) {
	if len(r.b)-r.off < 4 {
		return 0, fmt.Errorf("imatrix %s: truncated reading %s at byte %d", r.path, what, r.off)
	}
	v := int32(binary.LittleEndian.Uint32(r.b[r.off:]))
	r.off += 4
	return v, nil
}

func (r *datReader) bytes(n int, what string) ([]byte, error) {
	if n < 0 || len(r.b)-r.off < n {
		return nil, fmt.Errorf("imatrix %s: %s needs %d bytes at byte %d, file has %d left", r.path, what, n, r.off, len(r.b)-r.off)
	}
	v := r.b[r.off : r.off+n]
	r.off += n
	return v, nil
}

func parseDat(path string, b []byte) (*File, error) {
	r := &datReader{path: path, b: b}
	n, err := r.i32("entry count")
	if err != nil || n < 1 {
		return nil, fmt.Errorf("imatrix %s: no data (not a GGUF file, and no legacy .dat entries)", path)
	}
	m := &File{Path: path, Format: FormatDat, Entries: map[string]*Entry{}}
	for i := 0; i < int(n); i++ {
		l, err := r.i32("name length")
		if err != nil {
			return nil, err
		}
		nb, err := r.bytes(int(l), fmt.Sprintf("name of entry %d", i+1))
		if err != nil {
			return nil, err
		}
		name := string(nb)
		if k := strings.IndexByte(name, 0); k >= 0 {
			name = name[:k]
		}
		ncall, err := r.i32("call count")
		if err != nil {
			return nil, err
		}
		nval, err := r.i32("value count")
		if err != nil {
			return nil, err
		}
		if nval < 1 {
			return nil, fmt.Errorf("imatrix %s: entry %q has %d values", path, name, nval)
		}
		vb, err := r.bytes(int(nval)*4, fmt.Sprintf("values of entry %q", name))
		if err != nil {
			return nil, err
		}
		m.Entries[name] = &Entry{Cols: int(nval), Mats: 1, Sums: floats(vb), NCall: ncall}
	}
	if r.off < len(b) {
		last, err := r.i32("chunk count")
		if err != nil {
			return nil, err
		}
		dl, err := r.i32("dataset name length")
		if err != nil {
			return nil, err
		}
		ds, err := r.bytes(int(dl), "dataset name")
		if err != nil {
			return nil, err
		}
		m.ChunkCount = int(last)
		m.Datasets = []string{string(ds)}
	}
	return m, nil
}
