package codec

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/imatrix"
)

// TestMicroIQ2 quantizes real weights, the micro model's F16 tensors with
// llama-imatrix's matrix, to the 2-bit lattice types and compares each
// tensor's sha256 with llama-quantize's output (testdata/reference:
// imatrix-quant-<PRESET>.json lists every tensor of the preset's file;
// IQ2_S tensors come from the IQ2_M preset). The first and last layers
// keep the test short.
func TestMicroIQ2(t *testing.T) {
	runMicroLattice(t, []microCase{{"IQ2_XXS", ggml.TypeIQ2_XXS}, {"IQ2_XS", ggml.TypeIQ2_XS}, {"IQ2_M", ggml.TypeIQ2_S}})
}

// microCase is a preset of testdata/reference and the tensor type of it
// checked.
type microCase struct {
	preset string
	typ    ggml.Type
}

// runMicroLattice checks the tensors of type c.typ in blocks 0 and 3 of
// each case's preset (see TestMicroIQ2).
func runMicroLattice(t *testing.T, cases []microCase) {
	const ref = "../testdata/reference/"
	f, err := gguf.Open(ref + "convert-f16.gguf")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	im, err := imatrix.Read(ref + "imatrix.gguf")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		b, err := os.ReadFile(ref + "imatrix-quant-" + c.preset + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var dump struct {
			Tensors []struct {
				Name, Type, Sha256 string
				Ne                 []int
			}
		}
		if err := json.Unmarshal(b, &dump); err != nil {
			t.Fatal(err)
		}
		checked := 0
		for _, rt := range dump.Tensors {
			if !strings.EqualFold(rt.Type, c.typ.String()) ||
				!(strings.HasPrefix(rt.Name, "blk.0.") || strings.HasPrefix(rt.Name, "blk.3.")) {
				continue
			}
			ti, ok := f.Lookup(rt.Name)
			if !ok || ti.Type != ggml.TypeF16 {
				t.Fatalf("%s: no F16 tensor in convert-f16.gguf", rt.Name)
			}
			raw, err := f.TensorData(ti)
			if err != nil {
				t.Fatal(err)
			}
			src := make([]float32, len(raw)/2)
			if err := Dequantize(ggml.TypeF16, src, raw, 2); err != nil {
				t.Fatal(err)
			}
			e := im.Entries[rt.Name]
			if e == nil {
				t.Fatalf("%s: no importance matrix entry", rt.Name)
			}
			cols := rt.Ne[0]
			dst := make([]byte, len(src)/cols*(cols/256*c.typ.TypeSize()))
			if err := Quantize(c.typ, dst, src, cols, e.Importance(), 2); err != nil {
				t.Fatal(err)
			}
			if h := sha256.Sum256(dst); hex.EncodeToString(h[:]) != rt.Sha256 {
				t.Errorf("%s %s: sha256 differs from llama-quantize's", c.typ, rt.Name)
			}
			checked++
		}
		if checked < 10 {
			t.Errorf("%s: only %d %s tensors checked", c.preset, checked, c.typ)
		}
	}
}
