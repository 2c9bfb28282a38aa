package gguf

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/zqtool/zq/ggml"
)

// allValues covers every GGUF value type, nested and empty arrays and empty
// strings.
func allValues(t *testing.T) Metadata {
	nested, err := ArrayValue(&Array{Elem: TypeArray, Items: []*Array{
		{Elem: TypeInt32, Items: []int32{1, -2}},
		{Elem: TypeString, Items: []string{"a", ""}},
		{Elem: TypeArray, Items: []*Array{{Elem: TypeFloat64, Items: []float64{math.Pi}}}},
		{Elem: TypeUint8, Items: []uint8{}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	arr := func(a *Array) Value {
		v, err := ArrayValue(a)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	return Metadata{
		{"general.alignment", Uint32(64)},
		{"u8", Uint8(255)}, {"i8", Int8(-128)}, {"u16", Uint16(65535)}, {"i16", Int16(-32768)},
		{"u32", Uint32(math.MaxUint32)}, {"i32", Int32(math.MinInt32)},
		{"f32", Float32(float32(math.Inf(-1)))}, {"f32nan", Float32(float32(math.NaN()))},
		{"bool.t", Bool(true)}, {"bool.f", Bool(false)},
		{"str", String("héllo\x00wörld ▁")}, {"str.empty", String("")},
		{"u64", Uint64(math.MaxUint64)}, {"i64", Int64(math.MinInt64)}, {"f64", Float64(-0.0)},
		{"arr.str", Strings([]string{"<s>", "", "▁the"})}, {"arr.f32", Float32s([]float32{1.5, -1000})},
		{"arr.i32", Int32s([]int32{3, 3, 6})}, {"arr.empty", Strings([]string{})},
		{"arr.u8", arr(&Array{TypeUint8, []uint8{1, 2}})}, {"arr.i8", arr(&Array{TypeInt8, []int8{-1}})},
		{"arr.u16", arr(&Array{TypeUint16, []uint16{7}})}, {"arr.i16", arr(&Array{TypeInt16, []int16{-7}})},
		{"arr.u32", arr(&Array{TypeUint32, []uint32{9}})}, {"arr.bool", arr(&Array{TypeBool, []bool{true, false}})},
		{"arr.u64", arr(&Array{TypeUint64, []uint64{1 << 60}})}, {"arr.i64", arr(&Array{TypeInt64, []int64{-1 << 60}})},
		{"arr.f64", arr(&Array{TypeFloat64, []float64{1e300}})},
		{"arr.nested", nested},
	}
}

func testTensors() ([]TensorInfo, [][]byte) {
	infos := []TensorInfo{
		{Name: "a", Dims: []uint64{3}, Type: ggml.TypeF32},
		{Name: "b.weight", Dims: []uint64{32, 2}, Type: ggml.TypeQ8_0},
		{Name: "empty", Dims: []uint64{0, 4}, Type: ggml.TypeF16},
		{Name: "c", Dims: []uint64{256, 1, 1, 2}, Type: ggml.TypeQ4_K},
	}
	data := make([][]byte, len(infos))
	for i, ti := range infos {
		data[i] = make([]byte, ti.Size())
		for j := range data[i] {
			data[i][j] = byte(i*31 + j*7)
		}
	}
	return infos, data
}

func writeTestFile(t *testing.T, md Metadata, infos []TensorInfo, data [][]byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "x.gguf")
	w, err := Create(path, md, infos)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for i := len(infos) - 1; i >= 0; i-- { // any order
		if err := w.WriteTensor(i, data[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRoundTrip(t *testing.T) {
	md := allValues(t)
	infos, data := testTensors()
	path := writeTestFile(t, md, infos, data)
	for _, open := range []func(string) (*File, error){Open, OpenFile} {
		f, err := open(path)
		if err != nil {
			t.Fatal(err)
		}
		if f.Version != 3 || f.Alignment != 64 || f.DataOffset%64 != 0 {
			t.Errorf("version %d alignment %d data offset %d", f.Version, f.Alignment, f.DataOffset)
		}
		if len(f.Metadata) != len(md) {
			t.Fatalf("%d keys, want %d", len(f.Metadata), len(md))
		}
		for i, kv := range md {
			got := f.Metadata[i]
			if got.Key != kv.Key || got.Value.Type != kv.Value.Type || !sameValue(got.Value.Any(), kv.Value.Any()) {
				t.Errorf("key %d: got %s=%#v, want %s=%#v", i, got.Key, got.Value.Any(), kv.Key, kv.Value.Any())
			}
		}
		for i, ti := range f.Tensors {
			if ti.Name != infos[i].Name || !reflect.DeepEqual(ti.Dims, infos[i].Dims) || ti.Type != infos[i].Type {
				t.Errorf("tensor %d: %+v, want %+v", i, ti, infos[i])
			}
			if ti.Offset%64 != 0 {
				t.Errorf("tensor %s offset %d not aligned", ti.Name, ti.Offset)
			}
			b, err := f.TensorData(&f.Tensors[i])
			if err != nil || !bytes.Equal(b, data[i]) {
				t.Errorf("tensor %s data differs (%v)", ti.Name, err)
			}
		}
		st, _ := os.Stat(path)
		last := f.Tensors[len(f.Tensors)-1]
		if want := f.DataOffset + int64(alignUp(last.Offset+last.Size(), 64)); st.Size() != want {
			t.Errorf("file size %d, want %d (last tensor padded)", st.Size(), want)
		}
		if n, err := FileSize(md, infos); err != nil || n != st.Size() {
			t.Errorf("FileSize = %d, %v; the file has %d bytes", n, err, st.Size())
		}
		f.Close()
	}
}

// TestRewriteIsIdentical reads llama.cpp's F16 file and writes it back: the
// bytes must be identical, which pins down the header encoding and padding.
func TestRewriteIsIdentical(t *testing.T) {
	src := "../testdata/reference/convert-f16.gguf"
	orig, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ReadBytes(orig)
	if err != nil {
		t.Fatal(err)
	}
	data := make([][]byte, len(f.Tensors))
	for i := range f.Tensors {
		if data[i], err = f.TensorData(&f.Tensors[i]); err != nil {
			t.Fatal(err)
		}
	}
	out := writeTestFile(t, f.Metadata, f.Tensors, data)
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, orig) {
		t.Fatalf("rewritten file differs from llama.cpp's (%d vs %d bytes)", len(got), len(orig))
	}
}

func TestWriterErrorsLeaveNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.gguf")
	infos, data := testTensors()
	w, err := Create(path, nil, infos)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteTensor(0, data[0][:1]); err == nil {
		t.Error("short tensor data accepted")
	}
	if err := w.WriteTensor(1, data[1]); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteTensor(1, data[1]); err == nil {
		t.Error("tensor written twice accepted")
	}
	if err := w.Close(); err == nil {
		t.Error("Close succeeded with tensors missing")
	}
	w.Abort()
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left behind: %v", ents)
	}
	for _, bad := range []struct {
		md    Metadata
		infos []TensorInfo
	}{
		{Metadata{{"k", Uint32(1)}, {"k", Uint32(2)}}, nil},
		{Metadata{{"general.alignment", Uint32(3)}}, nil},
		{nil, []TensorInfo{{Name: "x", Dims: []uint64{31}, Type: ggml.TypeQ4_0}}},
		{nil, []TensorInfo{{Name: "x", Dims: []uint64{1}, Type: 4}}},
		{nil, []TensorInfo{{Name: string(make([]byte, 64)), Dims: []uint64{1}, Type: ggml.TypeF32}}},
		{nil, []TensorInfo{{Name: "x", Dims: []uint64{1}}, {Name: "x", Dims: []uint64{1}}}},
		{nil, []TensorInfo{{Name: "x", Dims: []uint64{1, 1, 1, 1, 1}}}},
	} {
		if w, err := Create(path, bad.md, bad.infos); err == nil {
			w.Abort()
			t.Errorf("Create accepted %+v %+v", bad.md, bad.infos)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left behind: %v", ents)
	}
}

func sameValue(a, b any) bool {
	if fa, ok := a.(float32); ok {
		return math.Float32bits(fa) == math.Float32bits(b.(float32))
	}
	if fa, ok := a.(float64); ok {
		return math.Float64bits(fa) == math.Float64bits(b.(float64))
	}
	return reflect.DeepEqual(a, b)
}

// TestReadVersion2 reads a v2 file: its layout equals v3's for
// little-endian files, only the version word differs.
func TestReadVersion2(t *testing.T) {
	infos, data := testTensors()
	path := writeTestFile(t, Metadata{{"k", String("v")}}, infos, data)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[4] = 2
	f, err := ReadBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != 2 || len(f.Tensors) != len(infos) {
		t.Fatalf("version %d, %d tensors", f.Version, len(f.Tensors))
	}
}
