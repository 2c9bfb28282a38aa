package convert

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/inspect"
)

const (
	microDir = "../testdata/micro-mistral"
	refDir   = "../testdata/reference"
)

// refDump is the shape of testdata/reference/convert-*.json.
type refDump struct {
	KVOrder    []string                   `json:"kv_order"`
	KV         map[string]json.RawMessage `json:"kv"`
	Tensors    []inspect.Tensor           `json:"tensors"`
	FileSHA256 string                     `json:"file_sha256"`
}

func readRef(t *testing.T, outType string) refDump {
	t.Helper()
	return readRefIn(t, refDir, outType)
}

func readRefIn(t *testing.T, dir, outType string) refDump {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "convert-"+outType+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var d refDump
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// sameJSON compares two JSON texts as values.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(x, y)
}

// compareKVs checks key order, types and values against a reference dump.
func compareKVs(t *testing.T, got *inspect.Report, want refDump) {
	t.Helper()
	if !reflect.DeepEqual(got.KVOrder, want.KVOrder) {
		t.Errorf("kv order:\n got %q\nwant %q", got.KVOrder, want.KVOrder)
	}
	for _, k := range want.KVOrder {
		e, ok := got.KV[k]
		if !ok {
			continue
		}
		g, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if !sameJSON(t, g, want.KV[k]) {
			t.Errorf("kv %s:\n got %.300s\nwant %.300s", k, g, want.KV[k])
		}
	}
}

// compareTensors checks names, types, shapes, offsets, sizes and hashes.
func compareTensors(t *testing.T, got []inspect.Tensor, want []inspect.Tensor) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d tensors, want %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		// gguf-py spells types in capitals ("Q4_K"), zq as ggml does ("q4_K").
		if g.Name != w.Name || !strings.EqualFold(g.Type, w.Type) || !reflect.DeepEqual(g.NE, w.NE) || g.NBytes != w.NBytes {
			t.Errorf("tensor %d: got %s %s %v %d bytes, want %s %s %v %d bytes", i, g.Name, g.Type, g.NE, g.NBytes, w.Name, w.Type, w.NE, w.NBytes)
			continue
		}
		if g.Offset != w.Offset {
			t.Errorf("tensor %s: offset %d, want %d", g.Name, g.Offset, w.Offset)
		}
		if g.SHA256 != w.SHA256 {
			t.Errorf("tensor %s (%s): sha256 %s, want %s", g.Name, g.Type, g.SHA256, w.SHA256)
		}
	}
}

// TestMatchesLlamaCpp converts micro-mistral (llama) and tiny-gemma2
// (gemma2: own key list, four norms stored minus one, no space prefix) to
// every output type and compares metadata, tensor infos, tensor bytes and
// the whole file with what llama.cpp's converter wrote.
func TestMatchesLlamaCpp(t *testing.T) {
	for _, m := range []struct{ name, dir, ref string }{
		{"micro-mistral", microDir, refDir},
		{"tiny-gemma2", "../testdata/tiny-gemma2", "../testdata/reference-tiny-gemma2"},
	} {
		for _, ot := range []string{"f16", "bf16", "f32", "q8_0"} {
			t.Run(m.name+"/"+ot, func(t *testing.T) {
				want := readRefIn(t, m.ref, ot)
				p, err := NewPlan(m.dir, Options{OutType: ot, Threads: 2})
				if err != nil {
					t.Fatal(err)
				}
				defer p.Close()
				out := filepath.Join(t.TempDir(), "out.gguf")
				sum, err := Execute(context.Background(), p, out, ExecOptions{Threads: 3})
				if err != nil {
					t.Fatal(err)
				}
				if sum.Tensors != len(want.Tensors) {
					t.Errorf("summary: %d tensors, want %d", sum.Tensors, len(want.Tensors))
				}
				got, err := inspect.GGUFPath(out, inspect.Options{SHA256: true})
				if err != nil {
					t.Fatal(err)
				}
				if sum.Bytes != fileSize(t, out) {
					t.Errorf("summary: %d bytes, file has %d", sum.Bytes, fileSize(t, out))
				}
				compareKVs(t, got, want)
				compareTensors(t, got.Tensors, want.Tensors)
				if got.FileSHA256 != want.FileSHA256 {
					t.Errorf("file sha256 %s, want %s", got.FileSHA256, want.FileSHA256)
				}
			})
		}
	}
}

// TestDataMatchesReferenceFile checks Data(i), which package quantize
// reads instead of an F16 file, against convert-f16.gguf byte for byte.
func TestDataMatchesReferenceFile(t *testing.T) {
	ref, err := gguf.OpenFile(filepath.Join(refDir, "convert-f16.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	p, err := NewPlan(microDir, Options{OutType: "f16", Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	infos := p.Tensors()
	if len(infos) != len(ref.Tensors) {
		t.Fatalf("%d tensors, reference has %d", len(infos), len(ref.Tensors))
	}
	for i, ti := range infos {
		rt := ref.Tensors[i]
		if ti.Name != rt.Name || ti.Type != rt.Type || !reflect.DeepEqual(ti.Dims, rt.Dims) {
			t.Fatalf("tensor %d: %s %s %v, reference %s %s %v", i, ti.Name, ti.Type, ti.Dims, rt.Name, rt.Type, rt.Dims)
		}
		got, err := p.Data(i)
		if err != nil {
			t.Fatal(err)
		}
		want, err := ref.TensorData(&rt)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("tensor %s: data differs from convert-f16.gguf", ti.Name)
		}
	}
	md := p.Metadata()
	if len(md) != len(ref.Metadata) {
		t.Errorf("%d KV pairs, reference has %d", len(md), len(ref.Metadata))
	}
	for i := range min(len(md), len(ref.Metadata)) {
		if md[i].Key != ref.Metadata[i].Key || !reflect.DeepEqual(md[i].Value.Any(), ref.Metadata[i].Value.Any()) || md[i].Value.Type != ref.Metadata[i].Value.Type {
			t.Errorf("KV %d: %s = %.80s, reference %s = %.80s", i, md[i].Key, md[i].Value.Describe(), ref.Metadata[i].Key, ref.Metadata[i].Value.Describe())
		}
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}
