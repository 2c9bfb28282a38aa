package inspect

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// TestImatrix checks the importance-matrix section of both formats: the
// same datasets, chunks and per-entry statistics, and the text table.
func TestImatrix(t *testing.T) {
	g, err := Path("../testdata/reference/imatrix.gguf", Options{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := Path("../testdata/reference/imatrix.dat", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if g.Imatrix == nil || d.Imatrix == nil || g.Format != "gguf" || d.Format != "imatrix-dat" {
		t.Fatalf("formats %s, %s; imatrix sections %v, %v", g.Format, d.Format, g.Imatrix != nil, d.Imatrix != nil)
	}
	gi, di := g.Imatrix, d.Imatrix
	if len(gi.Entries) != 28 || len(di.Entries) != 28 || gi.ChunkCount != 64 || di.ChunkCount != 64 || gi.ChunkSize != 256 {
		t.Fatalf("entries %d/%d chunks %d/%d size %d", len(gi.Entries), len(di.Entries), gi.ChunkCount, di.ChunkCount, gi.ChunkSize)
	}
	for i, e := range gi.Entries {
		f := di.Entries[i]
		if e.Name != f.Name || e.Values != f.Values || e.Count != 16384 || f.Count != 64 {
			t.Fatalf("entry %d: %+v vs %+v", i, e, f)
		}
		if math.Abs(e.Mean/f.Mean-1) > 1e-5 || math.Abs(e.Max/f.Max-1) > 1e-5 || !(e.Min > 0 && e.Min <= e.Mean && e.Mean <= e.Max) {
			t.Errorf("%s: gguf %+v dat %+v", e.Name, e, f)
		}
	}
	var b bytes.Buffer
	if err := d.WriteText(&b, false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"28 entries, 64 chunks", `"text/dev.txt"`, "blk.3.ffn_up.weight"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text output lacks %q:\n%s", want, b.String())
		}
	}
	// A model file has no importance-matrix section.
	m, err := Path("../testdata/reference/convert-f16.gguf", Options{})
	if err != nil || m.Imatrix != nil {
		t.Errorf("model file: %v, imatrix %v", err, m.Imatrix)
	}
}
