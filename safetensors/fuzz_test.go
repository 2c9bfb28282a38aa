package safetensors

import (
	"testing"
)

// FuzzParseFile feeds arbitrary bytes to the header parser. It must never
// panic, and whatever it accepts must describe tensors that lie inside the
// file, match their shapes and tile the data buffer exactly. The seed
// corpus is in testdata/fuzz/FuzzParseFile.
func FuzzParseFile(f *testing.F) {
	f.Add(stFile([]byte(`{"__metadata__":{"format":"pt"},"a":{"dtype":"BF16","shape":[2,2],"data_offsets":[0,8]}}`), make([]byte, 8)))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := parseFile("fuzz.safetensors", data)
		if err != nil {
			return
		}
		if len(data) < 8 {
			t.Fatalf("accepted a %d-byte file", len(data))
		}
		var covered int64
		minOffset := int64(len(data))
		for i, ti := range p.tensors {
			if i > 0 && p.tensors[i-1].Name >= ti.Name {
				t.Fatalf("tensors not sorted: %q before %q", p.tensors[i-1].Name, ti.Name)
			}
			if ti.Offset < 10 || ti.Size < 0 || ti.Offset+ti.Size > int64(len(data)) {
				t.Fatalf("tensor %q range [%d, +%d) outside the %d-byte file", ti.Name, ti.Offset, ti.Size, len(data))
			}
			if ti.Size != ti.NumElements()*int64(ti.DType.Size()) || ti.DType.Size() == 0 {
				t.Fatalf("tensor %q: size %d for shape %v × %s", ti.Name, ti.Size, ti.Shape, ti.DType)
			}
			if ti.Shard != "fuzz.safetensors" {
				t.Fatalf("tensor %q: shard %q", ti.Name, ti.Shard)
			}
			covered += ti.Size
			minOffset = min(minOffset, ti.Offset)
		}
		// Exact tiling: the tensors cover everything after the header.
		if len(p.tensors) > 0 && covered != int64(len(data))-minOffset {
			t.Fatalf("tensors cover %d bytes, data buffer after offset %d has %d", covered, minOffset, int64(len(data))-minOffset)
		}
	})
}
