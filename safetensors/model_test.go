package safetensors

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// le32 encodes float32 values little-endian.
func le32(vs ...float32) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

// le16 encodes 16-bit patterns little-endian.
func le16(vs ...uint16) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint16(b, v)
	}
	return b
}

// mixedFile writes a file with F32, F16, BF16 and I32 tensors and returns
// its path.
func mixedFile(t *testing.T, dir string) string {
	var data []byte
	data = append(data, le32(1.5, -2, 0, float32(math.Inf(1)))...) // f32 [2,2] @0
	data = append(data, le16(0x3c00, 0xc000, 0x0001, 0x7bff)...)   // f16 [4] @16: 1, -2, 2^-24, 65504
	data = append(data, le16(0x3fc0, 0xbf80, 0x0000, 0x7f80)...)   // bf16 [4] @24: 1.5, -1, 0, +Inf
	data = append(data, 7, 0, 0, 0)                                // i32 scalar @32
	return writeST(t, dir, "m.safetensors", map[string]spec{
		"f32":  {"F32", []int{2, 2}, []int{0, 16}},
		"f16":  {"F16", []int{4}, []int{16, 24}},
		"bf16": {"BF16", []int{4}, []int{24, 32}},
		"i32":  {"I32", []int{}, []int{32, 36}},
	}, map[string]string{"format": "pt"}, data)
}

func TestOpenSingleFile(t *testing.T) {
	dir := t.TempDir()
	path := mixedFile(t, dir)
	m, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Dir() != dir {
		t.Errorf("Dir = %q, want %q", m.Dir(), dir)
	}
	if s := m.Shards(); len(s) != 1 || s[0] != "m.safetensors" {
		t.Errorf("Shards = %v", s)
	}
	var names []string
	for _, ti := range m.Tensors() {
		names = append(names, ti.Name)
		if ti.Shard != "m.safetensors" {
			t.Errorf("%s: Shard = %q", ti.Name, ti.Shard)
		}
	}
	if got := strings.Join(names, ","); got != "bf16,f16,f32,i32" {
		t.Errorf("order = %s", got)
	}
	if md := m.Metadata("m.safetensors"); md["format"] != "pt" {
		t.Errorf("Metadata = %v", md)
	}
	if md := m.Metadata("other"); md != nil {
		t.Errorf("Metadata of unknown shard = %v", md)
	}

	for _, tc := range []struct {
		name string
		want []float32
	}{
		{"f32", []float32{1.5, -2, 0, float32(math.Inf(1))}},
		{"f16", []float32{1, -2, float32(math.Ldexp(1, -24)), 65504}},
		{"bf16", []float32{1.5, -1, 0, float32(math.Inf(1))}},
	} {
		got, err := m.Float32(tc.name, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(tc.want) {
			t.Fatalf("%s: %d values, want %d", tc.name, len(got), len(tc.want))
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s[%d] = %v, want %v", tc.name, i, got[i], tc.want[i])
			}
		}
	}

	b, err := m.Bytes("i32")
	if err != nil || len(b) != 4 || b[0] != 7 || cap(b) != 4 {
		t.Errorf("Bytes(i32) = %v (cap %d), %v", b, cap(b), err)
	}
	if ti, ok := m.Tensor("i32"); !ok || ti.DType != I32 || len(ti.Shape) != 0 || ti.NumElements() != 1 {
		t.Errorf("Tensor(i32) = %+v, %v", ti, ok)
	}
	if _, ok := m.Tensor("nope"); ok {
		t.Error("Tensor(nope) found")
	}
	if _, err := m.Float32("i32", nil); err == nil || !strings.Contains(err.Error(), `"i32"`) || !strings.Contains(err.Error(), "I32") {
		t.Errorf("Float32(i32) error = %v, want one naming tensor and dtype", err)
	}
	if _, err := m.Bytes("nope"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("Bytes(nope) error = %v", err)
	}
}

func TestFloat32ReusesDst(t *testing.T) {
	m, err := Open(mixedFile(t, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	buf := make([]float32, 100)
	got, err := m.Float32("bf16", buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || &got[0] != &buf[0] {
		t.Errorf("Float32 did not reuse dst (len %d)", len(got))
	}
	small := make([]float32, 1)
	got, err = m.Float32("f32", small)
	if err != nil || len(got) != 4 || got[0] != 1.5 {
		t.Errorf("Float32 into small dst = %v, %v", got, err)
	}
}

func TestClosedModel(t *testing.T) {
	m, err := Open(mixedFile(t, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := m.Bytes("f32"); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Bytes after Close: %v", err)
	}
	if _, err := m.Float32("f32", nil); err == nil {
		t.Error("Float32 after Close succeeded")
	}
}

func TestOpenSingleFileErrorNamesFile(t *testing.T) {
	dir := t.TempDir()
	p := writeBytes(t, dir, "bad.safetensors", rawFile(1<<40, nil, nil))
	_, err := Open(p)
	if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "header length") {
		t.Errorf("error = %v, want one naming %s and the header length", err, p)
	}
	if _, err := Open(filepath.Join(dir, "missing.safetensors")); err == nil {
		t.Error("opening a missing file succeeded")
	}
}

func TestOpenDirWithoutIndex(t *testing.T) {
	dir := t.TempDir()
	writeST(t, dir, "model-00002-of-00002.safetensors", map[string]spec{"b.y": f32Entry(0, 1), "a.z": f32Entry(4, 1)}, nil, le32(2, 3))
	writeST(t, dir, "model-00001-of-00002.safetensors", map[string]spec{"z": f32Entry(0, 1)}, nil, le32(1))
	// Not shards: wrong prefix, wrong suffix, a directory.
	writeBytes(t, dir, "other.safetensors", []byte("garbage"))
	writeBytes(t, dir, "model.safetensors.bak", []byte("garbage"))
	if err := os.Mkdir(filepath.Join(dir, "model-dir.safetensors"), 0o755); err != nil {
		t.Fatal(err)
	}
	m, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var got []string
	for _, ti := range m.Tensors() {
		v, err := m.Float32(ti.Name, nil)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ti.Shard[:11]+":"+ti.Name+"="+string(rune('0'+int(v[0]))))
	}
	want := "model-00001:z=1 model-00002:a.z=3 model-00002:b.y=2"
	if strings.Join(got, " ") != want {
		t.Errorf("tensors = %v, want %s", got, want)
	}
}
