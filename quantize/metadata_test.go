package quantize

import (
	"reflect"
	"strings"
	"testing"

	"github.com/zqtool/zq/gguf"
)

func TestOutputMetadata(t *testing.T) {
	in := gguf.Metadata{
		{Key: "general.architecture", Value: gguf.String("llama")},
		{Key: "general.file_type", Value: gguf.Uint32(1)},
		{Key: "split.no", Value: gguf.Uint16(0)},
		{Key: "split.count", Value: gguf.Uint16(2)},
		{Key: "split.tensors.count", Value: gguf.Int32(9)},
		{Key: "general.quantization_version", Value: gguf.Uint32(2)},
		{Key: "quantize.imatrix.file", Value: gguf.String("old")},
		{Key: "tokenizer.ggml.model", Value: gguf.String("llama")},
	}
	p, _ := ParsePreset("Q5_K_M")
	cases := []struct {
		name string
		im   *Imatrix
		keys []string
	}{
		{"plain", nil, []string{"general.architecture", "quantize.imatrix.file", "tokenizer.ggml.model",
			"general.quantization_version", "general.file_type"}},
		{"imatrix", &Imatrix{File: strings.Repeat("d/", 70) + "im.gguf", Datasets: []string{"a.txt", "b.txt"}, ChunkCount: 5,
			Entries: map[string][]float32{"x": {1}, "y": {2}}},
			[]string{"general.architecture", "tokenizer.ggml.model", "general.quantization_version", "general.file_type",
				"quantize.imatrix.file", "quantize.imatrix.dataset", "quantize.imatrix.entries_count", "quantize.imatrix.chunks_count"}},
		{"imatrix without chunks or dataset", &Imatrix{File: "im.dat", Entries: map[string][]float32{"x": {1}}},
			[]string{"general.architecture", "tokenizer.ggml.model", "general.quantization_version", "general.file_type",
				"quantize.imatrix.file", "quantize.imatrix.entries_count"}},
	}
	for _, c := range cases {
		md := OutputMetadata(in, p, c.im)
		var keys []string
		for _, kv := range md {
			keys = append(keys, kv.Key)
		}
		if !reflect.DeepEqual(keys, c.keys) {
			t.Errorf("%s: keys %v, want %v", c.name, keys, c.keys)
		}
		if ft, err := md.Uint32("general.file_type"); err != nil || ft != 17 {
			t.Errorf("%s: general.file_type %d, %v", c.name, ft, err)
		}
		if c.im != nil {
			f, _ := md.String("quantize.imatrix.file")
			if len(f) != min(127, len(c.im.File)) || !strings.HasPrefix(c.im.File, f) {
				t.Errorf("%s: quantize.imatrix.file %q", c.name, f)
			}
			if n, _ := md.Uint32("quantize.imatrix.entries_count"); int(n) != len(c.im.Entries) {
				t.Errorf("%s: entries_count %d", c.name, n)
			}
		}
	}
	if len(in) != 8 || in[1].Key != "general.file_type" {
		t.Error("OutputMetadata modified its input")
	}
}
