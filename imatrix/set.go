package imatrix

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
)

// Stats is one weight's running statistics: per matrix (one for a dense
// weight) Cols sums of squared activations, accumulated in float32 as
// llama-imatrix does, and the tokens seen.
type Stats struct {
	Cols   int
	Sums   []float32
	Counts []int64
}

// Set is llama-imatrix's collector state: the statistics of every weight,
// the datasets of merged files and the last whole chunk reached.
type Set struct {
	ChunkSize int      // tokens per chunk (llama-imatrix's -c)
	Datasets  []string // datasets of the merged files, in order
	LastChunk int      // chunks covered: the largest count / ChunkSize
	Stats     map[string]*Stats

	// Threads is how many goroutines Add uses for large products (each
	// takes a range of columns, so the sums do not depend on it); 0 or 1:
	// one.
	Threads int
}

// NewSet returns an empty set for chunks of chunkSize tokens.
func NewSet(chunkSize int) *Set {
	return &Set{ChunkSize: chunkSize, Stats: map[string]*Stats{}}
}

// Names returns the weight names in sorted order (the order both file
// formats store them in).
func (s *Set) Names() []string {
	out := make([]string, 0, len(s.Stats))
	for k := range s.Stats {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Merge adds a file's data as llama-imatrix's --in-file does: GGUF sums
// and counts are added (counts rounded to integers; a single count is
// broadcast over several matrices); .dat means become sums over ChunkSize
// tokens per chunk. Sizes must agree with what the set holds.
func (s *Set) Merge(f *File) error {
	for _, name := range f.Names() {
		e := f.Entries[name]
		st := s.Stats[name]
		if st == nil {
			st = &Stats{Cols: e.Cols}
			s.Stats[name] = st
		}
		if st.Sums == nil {
			st.Sums = make([]float32, len(e.Sums))
			st.Cols = e.Cols
		} else if len(st.Sums) != len(e.Sums) {
			return fmt.Errorf("imatrix %s: entry %q has %d values, earlier data has %d", f.Path, name, len(e.Sums), len(st.Sums))
		}
		if e.Counts == nil { // .dat
			if st.Counts == nil {
				st.Counts = make([]int64, 1)
			}
			cs := float32(s.ChunkSize)
			for i, v := range e.Sums {
				st.Sums[i] += v * cs
			}
			for j := range st.Counts {
				st.Counts[j] += int64(e.NCall) * int64(s.ChunkSize)
			}
			continue
		}
		switch {
		case st.Counts == nil:
			st.Counts = make([]int64, len(e.Counts))
		case len(st.Counts) == 1 && len(e.Counts) > 1:
			c := st.Counts[0]
			st.Counts = make([]int64, len(e.Counts))
			for j := range st.Counts {
				st.Counts[j] = c
			}
		case len(st.Counts) != len(e.Counts):
			return fmt.Errorf("imatrix %s: entry %q has %d counts, earlier data has %d", f.Path, name, len(e.Counts), len(st.Counts))
		}
		for i, v := range e.Sums {
			st.Sums[i] += v
		}
		for j, c := range e.Counts {
			st.Counts[j] += int64(math.Round(float64(c)))
		}
	}
	s.Datasets = append(s.Datasets, f.Datasets...)
	var most int64
	for _, st := range s.Stats {
		for _, c := range st.Counts {
			most = max(most, c)
		}
	}
	if s.ChunkSize > 0 {
		s.LastChunk = int(most / int64(s.ChunkSize))
	}
	return nil
}

// Add accumulates nTok rows of cols activations entering the dense weight
// name: per column the sum of squares, row after row, in float32, and the
// token count. It reports whether a new whole chunk was reached (the
// largest count crossed a multiple of ChunkSize) with the step in chunks.
func (s *Set) Add(name string, x []float32, nTok, cols int) (newChunks int, err error) {
	st := s.Stats[name]
	if st == nil {
		st = &Stats{}
		s.Stats[name] = st
	}
	if len(st.Counts) > 1 && allEqual(st.Counts) {
		st.Counts = st.Counts[:1]
	}
	switch {
	case st.Sums == nil:
		st.Cols, st.Sums, st.Counts = cols, make([]float32, cols), make([]int64, 1)
	case len(st.Sums) != cols:
		return 0, fmt.Errorf("tensor %q: inconsistent size: %d activation columns, earlier data has %d", name, cols, len(st.Sums))
	}
	sums := st.Sums[:cols]
	x = x[:nTok*cols]
	parts := min(max(1, s.Threads), cols/minColsPerThread, nTok*cols/minWorkPerThread)
	if parts <= 1 {
		addSquares(sums, x, nTok, cols, 0, cols)
	} else {
		var wg sync.WaitGroup
		for p := 0; p < parts; p++ {
			lo, hi := p*cols/parts, (p+1)*cols/parts
			wg.Add(1)
			go func() {
				defer wg.Done()
				addSquares(sums, x, nTok, cols, lo, hi)
			}()
		}
		wg.Wait()
	}
	for j, v := range sums {
		if math.IsInf(float64(v), 0) || math.IsNaN(float64(v)) {
			return 0, fmt.Errorf("tensor %q: sum of squared activations of column %d is %v", name, j, v)
		}
	}
	for i := range st.Counts {
		st.Counts[i] += int64(nTok)
		if s.ChunkSize <= 0 {
			continue
		}
		if n := int(st.Counts[i] / int64(s.ChunkSize)); n > s.LastChunk {
			newChunks += n - s.LastChunk
			s.LastChunk = n
		}
	}
	return newChunks, nil
}

// Work split of Add: at least this many columns and values per goroutine.
const (
	minColsPerThread = 64
	minWorkPerThread = 1 << 17
)

// addSquares adds the squares of columns lo…hi−1 of the nTok rows of x to
// sums, row after row (llama-imatrix's order; four rows per pass keep each
// sum in a register without changing that order).
func addSquares(sums, x []float32, nTok, cols, lo, hi int) {
	s := sums[lo:hi]
	n := len(s)
	t := 0
	for ; t+4 <= nTok; t += 4 {
		r0 := x[t*cols+lo:][:n]
		r1 := x[(t+1)*cols+lo:][:n]
		r2 := x[(t+2)*cols+lo:][:n]
		r3 := x[(t+3)*cols+lo:][:n]
		for j := range s {
			a, b, c, d := r0[j], r1[j], r2[j], r3[j]
			s[j] = s[j] + a*a + b*b + c*c + d*d
		}
	}
	for ; t < nTok; t++ {
		row := x[t*cols+lo:][:n]
		for j, v := range row {
			s[j] += v * v
		}
	}
}

func allEqual(c []int64) bool {
	for _, v := range c[1:] {
		if v != c[0] {
			return false
		}
	}
	return true
}

// datasets is what a written file records: the merged files' datasets and
// then the text of this run (when there is one).
func (s *Set) datasets(text string) []string {
	ds := append([]string(nil), s.Datasets...)
	if text != "" {
		ds = append(ds, text)
	}
	return ds
}

// File returns the stored form of the set as the GGUF format writes it
// (every entry, counts as float32), for Importance or statistics.
func (s *Set) File(text string) *File {
	f := &File{Format: FormatGGUF, Datasets: s.datasets(text), ChunkCount: s.LastChunk,
		ChunkSize: s.ChunkSize, Entries: map[string]*Entry{}}
	for name, st := range s.Stats {
		if len(st.Counts) == 0 || len(st.Sums) == 0 {
			continue
		}
		e := &Entry{Cols: len(st.Sums) / len(st.Counts), Mats: len(st.Counts),
			Sums: append([]float32(nil), st.Sums...), Counts: make([]float32, len(st.Counts))}
		for j, c := range st.Counts {
			e.Counts[j] = float32(c)
		}
		f.Entries[name] = e
	}
	return f
}

// Collects reports whether llama-imatrix collects a product with the
// weight name: the blocks' weights, and output.weight when asked to.
func Collects(name string, output bool) bool {
	return strings.HasPrefix(name, "blk.") || (output && name == "output.weight")
}
