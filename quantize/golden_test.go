package quantize

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/zqtool/zq/gguf"
)

const (
	refDir   = "../testdata/reference"
	refF16   = refDir + "/convert-f16.gguf"
	microDir = "../testdata/micro-mistral"
)

// goldenPresets are the presets testdata/reference has llama-quantize dumps for.
var goldenPresets = []string{"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K_S", "Q3_K_M", "Q3_K_L",
	"Q4_K_S", "Q4_K_M", "Q5_K_S", "Q5_K_M", "Q6_K", "IQ4_NL", "IQ4_XS", "TQ1_0", "TQ2_0", "BF16", "F16", "F32"}

// refDump is the JSON dump format of testdata/reference/README.md.
type refDump struct {
	FileSHA256 string                     `json:"file_sha256"`
	KVOrder    []string                   `json:"kv_order"`
	KV         map[string]json.RawMessage `json:"kv"`
	Tensors    []refTensor                `json:"tensors"`
}

type refTensor struct {
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	Ne     []uint64 `json:"ne"`
	Offset int64    `json:"offset"`
	NBytes uint64   `json:"nbytes"`
	SHA256 string   `json:"sha256"`
}

type refKV struct {
	Types []int           `json:"types"`
	Value json.RawMessage `json:"value"`
	Len   *int            `json:"len"`
	Head  json.RawMessage `json:"head"`
}

func loadDump(t *testing.T, path string) *refDump {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reference dump: %v", err)
	}
	var d refDump
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &d
}

func fileSHA(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// compareDump checks a GGUF file against a llama.cpp dump: KV order, types
// and values, tensor names, types, shapes, offsets and hashes, and finally
// the whole-file hash. It reports every difference it finds.
func compareDump(t *testing.T, path string, want *refDump) {
	t.Helper()
	f, err := gguf.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	var keys []string
	for _, kv := range f.Metadata {
		keys = append(keys, kv.Key)
	}
	if !reflect.DeepEqual(keys, want.KVOrder) {
		t.Errorf("kv order:\n got %v\nwant %v", keys, want.KVOrder)
	}
	for _, kv := range f.Metadata {
		raw, ok := want.KV[kv.Key]
		if !ok {
			continue
		}
		var r refKV
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatalf("kv %s: %v", kv.Key, err)
		}
		if got := valueTypes(kv.Value); !reflect.DeepEqual(got, r.Types) {
			t.Errorf("kv %s: types %v, want %v", kv.Key, got, r.Types)
		}
		gotJSON, err := json.Marshal(jsonValue(kv.Value))
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case r.Value != nil:
			if !jsonEqual(t, gotJSON, r.Value) {
				t.Errorf("kv %s: value %s, want %s", kv.Key, gotJSON, r.Value)
			}
		case r.Len != nil:
			a, _ := kv.Value.AsArray()
			if a == nil || a.Len() != *r.Len {
				t.Errorf("kv %s: array length differs from %d", kv.Key, *r.Len)
			}
		}
	}

	if len(f.Tensors) != len(want.Tensors) {
		t.Errorf("%d tensors, want %d", len(f.Tensors), len(want.Tensors))
	}
	for i := range min(len(f.Tensors), len(want.Tensors)) {
		g, w := f.Tensors[i], want.Tensors[i]
		data, err := f.TensorData(&g)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		got := refTensor{Name: g.Name, Type: g.Type.String(), Ne: g.Dims, Offset: f.DataOffset + int64(g.Offset),
			NBytes: g.Size(), SHA256: hex.EncodeToString(sum[:])}
		if !equalFoldTensor(got, w) {
			t.Errorf("tensor %d:\n got %+v\nwant %+v", i, got, w)
		}
	}
	if got := fileSHA(t, path); got != want.FileSHA256 {
		t.Errorf("file sha256 %s, want %s", got, want.FileSHA256)
	}
}

func equalFoldTensor(a, b refTensor) bool {
	return a.Name == b.Name && strings.EqualFold(a.Type, b.Type) && reflect.DeepEqual(a.Ne, b.Ne) &&
		a.Offset == b.Offset && a.NBytes == b.NBytes && a.SHA256 == b.SHA256
}

func valueTypes(v gguf.Value) []int {
	if a, ok := v.AsArray(); ok {
		return []int{int(v.Type), int(a.Elem)}
	}
	return []int{int(v.Type)}
}

func jsonValue(v gguf.Value) any {
	if a, ok := v.AsArray(); ok {
		return a.Items
	}
	if f, ok := v.Any().(float32); ok {
		return float64(f)
	}
	return v.Any()
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

func runPreset(t *testing.T, src Source, preset string, threads int) (string, *Summary) {
	t.Helper()
	p, err := ParsePreset(preset)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out-"+preset+".gguf")
	sum, err := Run(context.Background(), src, out, Options{Preset: p, Threads: threads})
	if err != nil {
		t.Fatalf("%s: %v", preset, err)
	}
	return out, sum
}

func openRef(t *testing.T) *GGUFSource {
	t.Helper()
	src, err := OpenGGUF(refF16)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

// TestGoldenPresets quantizes llama.cpp's F16 conversion of the micro model
// with every preset and compares the result with llama-quantize's output.
func TestGoldenPresets(t *testing.T) {
	src := openRef(t)
	for _, name := range goldenPresets {
		t.Run(name, func(t *testing.T) {
			want := loadDump(t, filepath.Join(refDir, "quant-"+name+".json"))
			out, sum := runPreset(t, src, name, 2)
			compareDump(t, out, want)
			if sum.FileSize != fileSize(t, out) {
				t.Errorf("summary file size %d, file has %d", sum.FileSize, fileSize(t, out))
			}
		})
	}
}

func fileSize(t *testing.T, path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// TestThreadsDeterministic checks that the thread count does not change a
// byte: --threads 1 and --threads 8 both give llama.cpp's bundled Q4_K_M file.
func TestThreadsDeterministic(t *testing.T) {
	src := openRef(t)
	want := fileSHA(t, refDir+"/quant-Q4_K_M.gguf")
	for _, threads := range []int{1, 8} {
		out, _ := runPreset(t, src, "Q4_K_M", threads)
		if got := fileSHA(t, out); got != want {
			t.Errorf("--threads %d: sha256 %s, llama.cpp file %s", threads, got, want)
		}
	}
	a, _ := runPreset(t, src, "Q5_1", 1)
	b, _ := runPreset(t, src, "Q5_1", 8)
	if fileSHA(t, a) != fileSHA(t, b) {
		t.Error("Q5_1: --threads 1 and --threads 8 differ")
	}
}

// TestFromSafetensors quantizes the Hugging Face checkpoint directly and
// expects exactly the file quantizing llama.cpp's F16 conversion gives.
func TestFromSafetensors(t *testing.T) {
	src, err := OpenSource(microDir)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	for _, preset := range []string{"Q6_K", "Q8_0"} {
		out, _ := runPreset(t, src, preset, 2)
		compareDump(t, out, loadDump(t, filepath.Join(refDir, "quant-"+preset+".json")))
	}
}

// TestGemma2Presets quantizes tiny-gemma2 (gemma2: tied embeddings make
// token_embd the output tensor; four norms per block) straight from its
// checkpoint with every preset and expects llama-quantize's files.
func TestGemma2Presets(t *testing.T) {
	src, err := OpenSource("../testdata/tiny-gemma2")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	for _, name := range goldenPresets {
		t.Run(name, func(t *testing.T) {
			out, _ := runPreset(t, src, name, 2)
			compareDump(t, out, loadDump(t, filepath.Join("../testdata/reference-tiny-gemma2", "quant-"+name+".json")))
		})
	}
}
