package quantize

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/zqtool/zq/imatrix"
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
	f, err := imatrix.Read(path)
	if err != nil {
		return nil, err
	}
	return FromFile(f), nil
}

// FromFile returns the importance values of an imatrix file (see
// imatrix.Entry.Importance).
func FromFile(f *imatrix.File) *Imatrix {
	m := &Imatrix{File: f.Path, Format: f.Format, Datasets: f.Datasets, ChunkCount: f.ChunkCount,
		ChunkSize: f.ChunkSize, Entries: make(map[string][]float32, len(f.Entries))}
	for name, e := range f.Entries {
		m.Entries[name] = e.Importance()
	}
	return m
}
