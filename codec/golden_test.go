package codec

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zqtool/zq/ggml"
)

// goldenDir is the golden quantization set: $ZQ_GOLDEN_QUANTS, else the
// repository's copy of ggml's output.
func goldenDir() string {
	if d := os.Getenv("ZQ_GOLDEN_QUANTS"); d != "" {
		return d
	}
	return "../testdata/golden/quants"
}

// goldenManifest is manifest.json of a golden set.
type goldenManifest struct {
	Rows  int `json:"rows"`
	Cols  int `json:"cols"`
	Cases []struct {
		Name    string   `json:"name"`
		Outputs []string `json:"outputs"`
	} `json:"cases"`
}

// loadManifest reads and sanity-checks dir/manifest.json.
func loadManifest(dir string) (goldenManifest, error) {
	var m goldenManifest
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return m, fmt.Errorf("golden set: %w", err)
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return m, fmt.Errorf("golden set: manifest.json: %w", err)
	}
	if m.Rows <= 0 || m.Cols <= 0 || len(m.Cases) == 0 {
		return m, fmt.Errorf("golden set: manifest.json has rows=%d cols=%d and %d cases, expected a non-empty set", m.Rows, m.Cols, len(m.Cases))
	}
	return m, nil
}

// loadF32File reads a little-endian float32 file of exactly n values.
func loadF32File(path string, n int) ([]float32, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("golden set: %w", err)
	}
	if len(raw) != 4*n {
		return nil, fmt.Errorf("golden set: %s has %d bytes, expected %d", path, len(raw), 4*n)
	}
	out := make([]float32, n)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return out, nil
}

func readManifest(t *testing.T, dir string) goldenManifest {
	t.Helper()
	m, err := loadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func readF32File(t *testing.T, path string, n int) []float32 {
	t.Helper()
	v, err := loadF32File(path, n)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// parseOutput splits "q4_K.imatrix" into the type and the imatrix flag.
func parseOutput(t *testing.T, name string) (ggml.Type, bool) {
	t.Helper()
	base, imat := strings.CutSuffix(name, ".imatrix")
	typ, err := ggml.ParseType(base)
	if err != nil {
		t.Fatalf("golden set: output %q: %v", name, err)
	}
	return typ, imat
}

// TestGolden checks every manifest case: our bytes equal ggml's .bin and our
// dequantization of ggml's bytes equals its .dequant.f32 bit for bit.
func TestGolden(t *testing.T) {
	dir := goldenDir()
	m := readManifest(t, dir)
	n := m.Rows * m.Cols
	checked := 0
	for _, c := range m.Cases {
		src := readF32File(t, filepath.Join(dir, c.Name+".f32"), n)
		var imatrix []float32
		for _, out := range c.Outputs {
			typ, useIM := parseOutput(t, out)
			if useIM && imatrix == nil {
				imatrix = readF32File(t, filepath.Join(dir, c.Name+".imatrix.f32"), m.Cols)
			}
			t.Run(c.Name+"/"+out, func(t *testing.T) {
				if !Supports(typ) {
					t.Fatalf("%s: not supported", typ)
				}
				want, err := os.ReadFile(filepath.Join(dir, c.Name+"."+out+".bin"))
				if err != nil {
					t.Fatal(err)
				}
				rs, err := rowSize(typ, m.Cols)
				if err != nil {
					t.Fatal(err)
				}
				if len(want) != m.Rows*rs {
					t.Fatalf("%s.%s.bin has %d bytes, expected %d", c.Name, out, len(want), m.Rows*rs)
				}
				var im []float32
				if useIM {
					im = imatrix
				}
				got := make([]byte, len(want))
				if err := Quantize(typ, got, src, m.Cols, im, 3); err != nil {
					t.Fatal(err)
				}
				if i := firstByteDiff(got, want); i >= 0 {
					ts := typ.TypeSize()
					t.Errorf("quantized bytes differ from ggml at byte %d (block %d, byte %d in block): got %#02x want %#02x",
						i, i/ts, i%ts, got[i], want[i])
				}
				wantF := readF32File(t, filepath.Join(dir, c.Name+"."+out+".dequant.f32"), n)
				gotF := make([]float32, n)
				if err := Dequantize(typ, gotF, want, 2); err != nil {
					t.Fatal(err)
				}
				for i := range gotF {
					if math.Float32bits(gotF[i]) != math.Float32bits(wantF[i]) {
						t.Fatalf("dequantized value %d (row %d, column %d) is %v (%#08x), ggml has %v (%#08x)",
							i, i/m.Cols, i%m.Cols, gotF[i], math.Float32bits(gotF[i]), wantF[i], math.Float32bits(wantF[i]))
					}
				}
			})
			checked++
		}
	}
	t.Logf("%d golden outputs checked in %s", checked, dir)
}

// firstByteDiff returns the first index where a and b differ, or -1.
func firstByteDiff(a, b []byte) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

// TestGoldenMissingFails checks that missing or malformed golden files are
// errors (which TestGolden turns into failures), never silent skips.
func TestGoldenMissingFails(t *testing.T) {
	dir := t.TempDir()
	if _, err := loadManifest(dir); err == nil {
		t.Error("loadManifest on an empty directory: no error")
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(`{"rows":8,"cols":1024,"cases":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := loadManifest(dir); err == nil {
		t.Error("loadManifest with no cases: no error")
	}
	if _, err := loadF32File(filepath.Join(dir, "gauss.f32"), 8); err == nil {
		t.Error("loadF32File on a missing file: no error")
	}
	if err := os.WriteFile(filepath.Join(dir, "short.f32"), make([]byte, 12), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := loadF32File(filepath.Join(dir, "short.f32"), 4); err == nil {
		t.Error("loadF32File on a short file: no error")
	}
}
