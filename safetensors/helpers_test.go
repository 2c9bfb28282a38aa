package safetensors

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// spec is one header entry for writeST. Fields are of type any so that
// tests can write values a correct writer never would.
type spec struct {
	dtype   any
	shape   any
	offsets any
}

// headerJSON builds a header from entries; meta, when not nil, becomes
// __metadata__.
func headerJSON(t testing.TB, entries map[string]spec, meta any) []byte {
	t.Helper()
	h := make(map[string]any, len(entries)+1)
	for name, s := range entries {
		h[name] = map[string]any{"dtype": s.dtype, "shape": s.shape, "data_offsets": s.offsets}
	}
	if meta != nil {
		h["__metadata__"] = meta
	}
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rawFile returns a safetensors file with header length field n.
func rawFile(n uint64, header, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, n)
	b = append(b, header...)
	return append(b, data...)
}

// stFile returns a well-framed safetensors file: the header length field
// matches the header.
func stFile(header, data []byte) []byte {
	return rawFile(uint64(len(header)), header, data)
}

// writeST writes a safetensors file built from a header map and data to
// dir/name and returns its path.
func writeST(t testing.TB, dir, name string, entries map[string]spec, meta any, data []byte) string {
	t.Helper()
	return writeBytes(t, dir, name, stFile(headerJSON(t, entries, meta), data))
}

// writeBytes writes b to dir/name and returns the path.
func writeBytes(t testing.TB, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeIndex writes a model.safetensors.index.json with the weight map.
func writeIndex(t testing.TB, dir string, weightMap map[string]string) {
	t.Helper()
	b, err := json.Marshal(map[string]any{"metadata": map[string]any{"total_size": 0}, "weight_map": weightMap})
	if err != nil {
		t.Fatal(err)
	}
	writeBytes(t, dir, IndexName, b)
}

// f32Entry is a valid F32 entry of n elements at data offset off.
func f32Entry(off, n int) spec {
	return spec{"F32", []int{n}, []int{off, off + 4*n}}
}
