package quantize

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

// Imatrix is an importance matrix as llama-quantize uses it: for every
// weight name, one importance value per input column (per expert for merged
// expert tensors), i.e. the mean squared activation.
type Imatrix struct {
	File       string               // the path it was loaded from
	Format     string               // "gguf" or "dat" (legacy)
	Datasets   []string             // calibration datasets, first one recorded in the output
	ChunkCount int                  // chunks the data was computed on; 0 when unknown
	ChunkSize  int                  // tokens per chunk (GGUF format only)
	Entries    map[string][]float32 // weight name → importance values
}

// Names returns the entry names in sorted order.
func (m *Imatrix) Names() []string {
	out := make([]string, 0, len(m.Entries))
	for k := range m.Entries {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Filter keeps only the entries whose names contain one of include (when
// given) and drops those containing one of exclude, like llama-quantize's
// --include-weights / --exclude-weights.
func (m *Imatrix) Filter(include, exclude []string) {
	for name := range m.Entries {
		drop := false
		for _, s := range exclude {
			if strings.Contains(name, s) {
				drop = true
			}
		}
		if len(include) > 0 {
			keep := false
			for _, s := range include {
				if strings.Contains(name, s) {
					keep = true
				}
			}
			drop = drop || !keep
		}
		if drop {
			delete(m.Entries, name)
		}
	}
}

// check returns an error for non-finite values, which llama-quantize rejects.
func (m *Imatrix) check() error {
	for _, name := range m.Names() {
		for j, v := range m.Entries[name] {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("imatrix %s: entry %q value %d is non-finite (%v)", m.File, name, j, v)
			}
		}
	}
	return nil
}

// LoadImatrix reads an importance matrix in llama.cpp's GGUF format
// (llama-imatrix's default output) or its legacy .dat format.
func LoadImatrix(path string) (*Imatrix, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(b, []byte(gguf.Magic)) {
		return parseImatrixGGUF(path, b)
	}
	return parseImatrixDat(path, b)
}

func parseImatrixGGUF(path string, b []byte) (*Imatrix, error) {
	f, err := gguf.ReadBytes(b)
	if err != nil {
		return nil, fmt.Errorf("imatrix %s: %w", path, err)
	}
	if len(f.Tensors) == 0 {
		return nil, fmt.Errorf("imatrix %s: no data (the file has no tensors)", path)
	}
	m := &Imatrix{File: path, Format: "gguf", Entries: map[string][]float32{}}
	ds, ok := f.Metadata.Get("imatrix.datasets")
	if !ok {
		return nil, fmt.Errorf("imatrix %s: metadata key %q is missing", path, "imatrix.datasets")
	}
	if m.Datasets, ok = ds.AsStrings(); !ok {
		return nil, fmt.Errorf("imatrix %s: metadata key %q has type %s, expected array[string]", path, "imatrix.datasets", ds.Describe())
	}
	cc, err := f.Metadata.Uint32("imatrix.chunk_count")
	if err != nil {
		return nil, fmt.Errorf("imatrix %s: %w", path, err)
	}
	cs, err := f.Metadata.Uint32("imatrix.chunk_size")
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
		if n, ok := strings.CutSuffix(t.Name, ".in_sum2"); ok {
			name, isSum = n, true
		} else if n, ok := strings.CutSuffix(t.Name, ".counts"); ok {
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
		vals, err := imatrixEntry(f, p.sums, p.counts)
		if err != nil {
			return nil, fmt.Errorf("imatrix %s: %w", path, err)
		}
		m.Entries[name] = vals
	}
	return m, nil
}

// imatrixEntry divides each row of the sums by its count (1 for rows that
// never saw a token), as llama-quantize does.
func imatrixEntry(f *gguf.File, sums, counts *gguf.TensorInfo) ([]float32, error) {
	for _, t := range []*gguf.TensorInfo{sums, counts} {
		if t.Type != ggml.TypeF32 {
			return nil, fmt.Errorf("tensor %q has type %s, expected f32", t.Name, t.Type)
		}
	}
	ne0 := sums.RowLen()
	ne1 := sums.Rows()
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
	out := make([]float32, ne0*ne1)
	for j := uint64(0); j < ne1; j++ {
		c := math.Float32frombits(binary.LittleEndian.Uint32(cb[4*j:]))
		row := out[j*ne0 : (j+1)*ne0]
		for i := range row {
			if c > 0 {
				s := math.Float32frombits(binary.LittleEndian.Uint32(sb[4*(j*ne0+uint64(i)):]))
				row[i] = s / c
			} else {
				row[i] = 1
			}
		}
	}
	return out, nil
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

func parseImatrixDat(path string, b []byte) (*Imatrix, error) {
	r := &datReader{path: path, b: b}
	n, err := r.i32("entry count")
	if err != nil || n < 1 {
		return nil, fmt.Errorf("imatrix %s: no data (not a GGUF file, and no legacy .dat entries)", path)
	}
	m := &Imatrix{File: path, Format: "dat", Entries: map[string][]float32{}}
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
		vals := make([]float32, nval)
		for k := range vals {
			vals[k] = math.Float32frombits(binary.LittleEndian.Uint32(vb[4*k:]))
			if ncall > 0 {
				vals[k] /= float32(ncall)
			}
		}
		m.Entries[name] = vals
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
