package gguf

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// builder assembles raw GGUF bytes field by field, so tests can lie in any
// field.
type builder struct{ bytes.Buffer }

func (b *builder) u32(x uint32) *builder  { binary.Write(b, binary.LittleEndian, x); return b }
func (b *builder) u64(x uint64) *builder  { binary.Write(b, binary.LittleEndian, x); return b }
func (b *builder) str(s string) *builder  { b.u64(uint64(len(s))); b.WriteString(s); return b }
func (b *builder) raw(p ...byte) *builder { b.Write(p); return b }

func header(nTensors, nKV uint64) *builder {
	b := &builder{}
	b.WriteString("GGUF")
	return b.u32(3).u64(nTensors).u64(nKV)
}

// tensorInfo appends one tensor info record.
func (b *builder) tensorInfo(name string, dims []uint64, typ uint32, off uint64) *builder {
	b.str(name).u32(uint32(len(dims)))
	for _, d := range dims {
		b.u64(d)
	}
	return b.u32(typ).u64(off)
}

// pad appends zeros up to a multiple of 32 and then n data bytes.
func (b *builder) data(n int) *builder {
	for b.Len()%32 != 0 {
		b.WriteByte(0)
	}
	b.Write(make([]byte, n))
	return b
}

func TestMalformed(t *testing.T) {
	valid := header(1, 1)
	valid.str("k").u32(uint32(TypeUint32)).u32(7)
	valid.tensorInfo("t", []uint64{8}, 0, 0).data(32)
	if _, err := ReadBytes(valid.Bytes()); err != nil {
		t.Fatalf("valid file rejected: %v", err)
	}
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "not a GGUF file"},
		{"bad magic", append([]byte("GGML"), valid.Bytes()[4:]...), "magic"},
		{"version 1", (&builder{}).raw('G', 'G', 'U', 'F').u32(1).u64(0).u64(0).Bytes(), "version 1"},
		{"version 4", (&builder{}).raw('G', 'G', 'U', 'F').u32(4).u64(0).u64(0).Bytes(), "unsupported GGUF version 4"},
		{"big endian", (&builder{}).raw('G', 'G', 'U', 'F').u32(3 << 24).u64(0).u64(0).Bytes(), "byte-swapped"},
		{"truncated counts", valid.Bytes()[:12], "truncated"},
		{"absurd tensor count", header(1<<60, 0).Bytes(), "tensor count"},
		{"absurd kv count", header(0, 1<<40).Bytes(), "metadata count"},
		{"truncated key", valid.Bytes()[:26], "cannot fit"},
		{"absurd key length", header(0, 1).u64(1 << 50).raw(make([]byte, 16)...).Bytes(), "string length"},
		{"unknown value type", header(0, 1).str("k").u32(13).Bytes(), "unknown value type id 13"},
		{"absurd array length", header(0, 1).str("k").u32(9).u32(uint32(TypeUint32)).u64(1 << 61).Bytes(), "array length"},
		{"absurd string array", header(0, 1).str("k").u32(9).u32(uint32(TypeString)).u64(1 << 40).Bytes(), "array length"},
		{"unknown array element", header(0, 1).str("k").u32(9).u32(77).u64(0).Bytes(), "element type id 77"},
		{"deep nesting", deepArray(20), "nested deeper"},
		{"duplicate key", header(0, 2).str("k").u32(0).raw(1).str("k").u32(0).raw(1).Bytes(), "duplicate key"},
		{"bad alignment", header(0, 1).str("general.alignment").u32(uint32(TypeUint32)).u32(48).Bytes(), "power of two"},
		{"alignment wrong type", header(0, 1).str("general.alignment").u32(uint32(TypeUint64)).u64(32).Bytes(), "general.alignment"},
		{"too many dims", header(1, 0).tensorInfo("t", []uint64{1, 1, 1, 1, 1}, 0, 0).data(4).Bytes(), "5 dimensions"},
		{"negative dim", header(1, 0).tensorInfo("t", []uint64{1 << 63}, 0, 0).data(4).Bytes(), "negative"},
		{"overflowing dims", header(1, 0).tensorInfo("t", []uint64{1 << 40, 1 << 40}, 0, 0).data(4).Bytes(), "overflow"},
		{"unknown ggml type", header(1, 0).tensorInfo("t", []uint64{8}, 40, 0).data(32).Bytes(), "unknown ggml type id 40"},
		{"retired ggml type", header(1, 0).tensorInfo("t", []uint64{8}, 4, 0).data(32).Bytes(), "unknown ggml type id 4"},
		{"row not multiple of block", header(1, 0).tensorInfo("t", []uint64{33}, 2, 0).data(64).Bytes(), "block size"},
		{"tensor past end", header(1, 0).tensorInfo("t", []uint64{8}, 0, 0).data(31).Bytes(), "past the end"},
		{"offset out of range", header(1, 0).tensorInfo("t", []uint64{8}, 0, 1<<40).data(32).Bytes(), "past the end"},
		{"misaligned offset", header(1, 0).tensorInfo("t", []uint64{1}, 0, 4).data(64).Bytes(), "alignment"},
		{"overlapping tensors", header(2, 0).tensorInfo("a", []uint64{16}, 0, 0).tensorInfo("b", []uint64{8}, 0, 32).data(96).Bytes(), "overlaps"},
		{"duplicate tensor", header(2, 0).tensorInfo("a", []uint64{8}, 0, 0).tensorInfo("a", []uint64{8}, 0, 32).data(64).Bytes(), "duplicate tensor name"},
		{"truncated tensor info", header(1, 0).str("t").u32(1).raw(make([]byte, 20)...).Bytes(), "past the end"},
	}
	if len(cases) < 15 {
		t.Fatal("need at least 15 malformed cases")
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadBytes(c.file)
			if err == nil {
				t.Fatalf("accepted")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not mention %q", err, c.want)
			}
			// The same through a file on disk: the error names the file.
			path := filepath.Join(t.TempDir(), "bad.gguf")
			os.WriteFile(path, c.file, 0o644)
			if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "bad.gguf") {
				t.Fatalf("Open error %v does not name the file", err)
			}
		})
	}
}

func deepArray(depth int) []byte {
	b := header(0, 1).str("k").u32(uint32(TypeArray))
	for i := 0; i < depth; i++ {
		b.u32(uint32(TypeArray)).u64(1)
	}
	return b.u32(uint32(TypeUint8)).u64(0).Bytes()
}

// TestEveryTruncationFails cuts a real file at every header byte.
func TestEveryTruncationFails(t *testing.T) {
	infos, data := testTensors()
	path := writeTestFile(t, allValues(t), infos, data)
	full, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ReadBytes(full)
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < int(f.DataOffset)+int(infos[0].Size()); n++ {
		if _, err := ReadBytes(full[:n]); err == nil {
			t.Fatalf("file cut at %d of %d bytes accepted", n, len(full))
		}
	}
}

func FuzzRead(f *testing.F) {
	infos, data := testTensors()
	dir := f.TempDir()
	path := filepath.Join(dir, "seed.gguf")
	w, err := Create(path, Metadata{{"a", Strings([]string{"x"})}, {"b", Float32(1)}}, infos)
	if err != nil {
		f.Fatal(err)
	}
	for i := range infos {
		w.WriteTensor(i, data[i])
	}
	if err := w.Close(); err != nil {
		f.Fatal(err)
	}
	seed, _ := os.ReadFile(path)
	f.Add(seed)
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := ReadBytes(b)
		if err != nil {
			return
		}
		for i := range file.Tensors {
			if _, err := file.TensorData(&file.Tensors[i]); err != nil {
				t.Fatal(err)
			}
		}
	})
}
