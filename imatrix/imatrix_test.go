package imatrix

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const refDir = "../testdata/reference/"

func read(t *testing.T, path string) *File {
	t.Helper()
	f, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestReadReference checks what the reference files hold: 28 dense
// weights, 64 chunks of 256 tokens, and the same importance in both
// formats (the .dat one divided by its chunk count).
func TestReadReference(t *testing.T) {
	g := read(t, refDir+"imatrix.gguf")
	d := read(t, refDir+"imatrix.dat")
	if g.Format != FormatGGUF || d.Format != FormatDat {
		t.Fatalf("formats %s, %s", g.Format, d.Format)
	}
	if len(g.Entries) != 28 || len(d.Entries) != 28 {
		t.Fatalf("%d and %d entries, want 28", len(g.Entries), len(d.Entries))
	}
	for _, f := range []*File{g, d} {
		if f.ChunkCount != 64 || !slices.Equal(f.Datasets, []string{"text/dev.txt"}) {
			t.Errorf("%s: chunks %d datasets %q", f.Format, f.ChunkCount, f.Datasets)
		}
	}
	if g.ChunkSize != 256 {
		t.Errorf("chunk size %d", g.ChunkSize)
	}
	for _, name := range g.Names() {
		e := g.Entries[name]
		if e.Mats != 1 || e.Counts[0] != 64*256 {
			t.Errorf("%s: %d matrices, counts %v", name, e.Mats, e.Counts)
		}
		gi, di := e.Importance(), d.Entries[name].Importance()
		if d.Entries[name].NCall != 64 || len(gi) != len(di) {
			t.Fatalf("%s: ncall %d, %d vs %d values", name, d.Entries[name].NCall, len(gi), len(di))
		}
		for i := range gi {
			if r := math.Abs(float64(gi[i]-di[i])) / float64(gi[i]); r > 1e-6 {
				t.Fatalf("%s[%d]: gguf %g dat %g", name, i, gi[i], di[i])
			}
		}
	}
}

// TestRewriteReference merges llama-imatrix's GGUF file into an empty set
// and writes both formats: the bytes must be llama-imatrix's own.
func TestRewriteReference(t *testing.T) {
	dir := t.TempDir()
	s := NewSet(256)
	if err := s.Merge(read(t, refDir+"imatrix.gguf")); err != nil {
		t.Fatal(err)
	}
	if s.LastChunk != 64 {
		t.Errorf("last chunk %d", s.LastChunk)
	}
	for _, tc := range []struct {
		ref   string
		write func(string, string) error
	}{{"imatrix.gguf", s.WriteGGUF}, {"imatrix.dat", s.WriteDat}} {
		out := filepath.Join(dir, tc.ref)
		if err := tc.write(out, ""); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(out)
		want, _ := os.ReadFile(refDir + tc.ref)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: written bytes differ from llama-imatrix's (%d vs %d bytes)", tc.ref, len(got), len(want))
		}
	}
}

// TestMergeTwice checks --in-file semantics: two merges double sums and
// counts, list both datasets, and a .dat file becomes sums over chunks.
func TestMergeTwice(t *testing.T) {
	g := read(t, refDir+"imatrix.gguf")
	s := NewSet(256)
	for range 2 {
		if err := s.Merge(g); err != nil {
			t.Fatal(err)
		}
	}
	if s.LastChunk != 128 || len(s.Datasets) != 2 {
		t.Fatalf("last chunk %d datasets %q", s.LastChunk, s.Datasets)
	}
	name := "blk.2.ffn_down.weight"
	if s.Stats[name].Counts[0] != 2*16384 || s.Stats[name].Sums[5] != 2*g.Entries[name].Sums[5] {
		t.Errorf("%s: counts %v", name, s.Stats[name].Counts)
	}
	d := NewSet(256)
	if err := d.Merge(read(t, refDir+"imatrix.dat")); err != nil {
		t.Fatal(err)
	}
	if d.LastChunk != 64 || d.Stats[name].Counts[0] != 16384 {
		t.Errorf("dat: last chunk %d counts %v", d.LastChunk, d.Stats[name].Counts)
	}
	if r := math.Abs(float64(d.Stats[name].Sums[5]/g.Entries[name].Sums[5] - 1)); r > 1e-5 {
		t.Errorf("dat sums off by %g", r)
	}
	// Mismatched sizes name the tensor.
	bad := &File{Path: "x", Format: FormatGGUF, Entries: map[string]*Entry{
		name: {Cols: 3, Mats: 1, Sums: []float32{1, 2, 3}, Counts: []float32{1}}}}
	if err := s.Merge(bad); err == nil || !strings.Contains(err.Error(), name) {
		t.Errorf("merge of mis-sized entry: %v", err)
	}
}

// TestAdd checks the accumulation: float32 sums of squares per column,
// counts per token, chunks reached, and non-finite values rejected.
func TestAdd(t *testing.T) {
	s := NewSet(4)
	x := []float32{1, 2, 3, -1, 0, 0.5}
	for i, want := range []int{0, 1, 0, 1} {
		n, err := s.Add("blk.0.attn_q.weight", x, 2, 3)
		if err != nil || n != want {
			t.Fatalf("add %d: %d new chunks (want %d), %v", i, n, want, err)
		}
	}
	st := s.Stats["blk.0.attn_q.weight"]
	if !slices.Equal(st.Sums, []float32{8, 16, 37}) || st.Counts[0] != 8 || s.LastChunk != 2 {
		t.Errorf("sums %v counts %v last %d", st.Sums, st.Counts, s.LastChunk)
	}
	if _, err := s.Add("blk.0.attn_q.weight", x[:4], 2, 2); err == nil {
		t.Error("a different column count was accepted")
	}
	huge := []float32{1.5e19}
	if _, err := s.Add("blk.1.ffn_up.weight", huge, 1, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add("blk.1.ffn_up.weight", huge, 1, 1); err == nil || !strings.Contains(err.Error(), "blk.1.ffn_up.weight") {
		t.Errorf("overflow: %v", err)
	}
}

// TestBadFiles checks that damaged files give errors naming the problem.
func TestBadFiles(t *testing.T) {
	dir := t.TempDir()
	ref, _ := os.ReadFile(refDir + "imatrix.dat")
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "no data"},
		{"truncated", ref[:100], "truncated"},
		{"negative", binary.LittleEndian.AppendUint32(nil, 0xffffffff), "no data"},
	} {
		p := filepath.Join(dir, tc.name)
		os.WriteFile(p, tc.data, 0o644)
		if _, err := Read(p); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestAddThreads checks that splitting the columns over goroutines gives
// the sums of one goroutine, bit for bit.
func TestAddThreads(t *testing.T) {
	const nTok, cols = 300, 1000
	x := make([]float32, nTok*cols)
	for i := range x {
		x[i] = float32(math.Sin(float64(i)*0.37)) * float32(1+i%7)
	}
	var sums [][]float32
	for _, threads := range []int{1, 4, 7} {
		s := NewSet(512)
		s.Threads = threads
		for range 3 {
			if _, err := s.Add("w", x, nTok, cols); err != nil {
				t.Fatal(err)
			}
		}
		sums = append(sums, s.Stats["w"].Sums)
	}
	if !slices.Equal(sums[0], sums[1]) || !slices.Equal(sums[0], sums[2]) {
		t.Error("sums depend on the thread count")
	}
}
