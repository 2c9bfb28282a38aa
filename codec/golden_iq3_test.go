package codec

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/zqtool/zq/ggml"
)

// goldenIQDir is the lattice i-quant golden set: $ZQ_GOLDEN_IQ, else the
// repository's copy of ggml's output.
func goldenIQDir() string {
	if d := os.Getenv("ZQ_GOLDEN_IQ"); d != "" {
		return d
	}
	return "../testdata/golden/quants-iq"
}

// TestGoldenIQ3 checks the IQ3_XXS and IQ3_S outputs of the lattice golden
// set: our bytes equal ggml's (with and without importance weights) and
// our dequantization of ggml's bytes equals ggml's floats bit for bit.
func TestGoldenIQ3(t *testing.T) {
	runGoldenIQ(t, 4, ggml.TypeIQ3_XXS, ggml.TypeIQ3_S)
}

// runGoldenIQ checks every output of the lattice golden set whose type is
// one of types, and that there are perCase of them for each case.
func runGoldenIQ(t *testing.T, perCase int, types ...ggml.Type) {
	dir := goldenIQDir()
	m := readManifest(t, dir)
	n := m.Rows * m.Cols
	checked := 0
	for _, c := range m.Cases {
		src := readF32File(t, filepath.Join(dir, c.Name+".f32"), n)
		for _, out := range c.Outputs {
			typ, useIM := parseOutput(t, out)
			if !slices.Contains(types, typ) {
				continue
			}
			var im []float32
			if useIM {
				im = readF32File(t, filepath.Join(dir, c.Name+".imatrix.f32"), m.Cols)
			}
			t.Run(c.Name+"/"+out, func(t *testing.T) {
				checkGoldenOutput(t, dir, c.Name, out, typ, m.Rows, m.Cols, src, im)
			})
			checked++
		}
	}
	if checked != perCase*len(m.Cases) {
		t.Errorf("%d outputs of %v in %s, expected %d per case (%d cases)", checked, types, dir, perCase, len(m.Cases))
	}
}

// checkGoldenOutput compares one golden output: quantized bytes (one row at
// a time with an importance vector, as llama-quantize calls ggml) and the
// dequantized floats of ggml's bytes.
func checkGoldenOutput(t *testing.T, dir, name, out string, typ ggml.Type, rows, cols int, src, im []float32) {
	t.Helper()
	if !Supports(typ) {
		t.Fatalf("%s: not supported", typ)
	}
	want, err := os.ReadFile(filepath.Join(dir, name+"."+out+".bin"))
	if err != nil {
		t.Fatal(err)
	}
	rs, err := rowSize(typ, cols)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != rows*rs {
		t.Fatalf("%s.%s.bin has %d bytes, expected %d", name, out, len(want), rows*rs)
	}
	got := make([]byte, len(want))
	if err := Quantize(typ, got, src, cols, im, 3); err != nil {
		t.Fatal(err)
	}
	gotC, wantC := got, want
	if undef := goldenUndefined(t, typ, src, rows, cols, im != nil); undef != nil {
		gotC, wantC = clearBits(got, undef), clearBits(want, undef)
	}
	if i := firstByteDiff(gotC, wantC); i >= 0 {
		ts := typ.TypeSize()
		t.Errorf("quantized bytes differ from ggml at byte %d (block %d, byte %d in block): got %#02x want %#02x",
			i, i/ts, i%ts, got[i], want[i])
	}
	n := rows * cols
	wantF := readF32File(t, filepath.Join(dir, name+"."+out+".dequant.f32"), n)
	gotF := make([]float32, n)
	if err := Dequantize(typ, gotF, want, 2); err != nil {
		t.Fatal(err)
	}
	for i := range gotF {
		if math.Float32bits(gotF[i]) != math.Float32bits(wantF[i]) {
			t.Fatalf("dequantized value %d (row %d, column %d) is %v (%#08x), ggml has %v (%#08x)",
				i, i/cols, i%cols, gotF[i], math.Float32bits(gotF[i]), wantF[i], math.Float32bits(wantF[i]))
		}
	}
}
