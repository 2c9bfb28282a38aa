package quantize

import "github.com/zqtool/zq/gguf"

// QuantizationVersion is GGML_QNT_VERSION, written to general.quantization_version.
const QuantizationVersion = 2

// maxOverrideString is the longest string llama-quantize stores through a
// KV override (its 128-byte buffer less the terminator).
const maxOverrideString = 127

// OutputMetadata returns the metadata llama-quantize writes: the input's
// key/value pairs, general.quantization_version and general.file_type
// re-set (moved to the end), split keys removed and, with an importance
// matrix, the quantize.imatrix.* keys appended.
func OutputMetadata(in gguf.Metadata, p Preset, im *Imatrix) gguf.Metadata {
	md := append(gguf.Metadata(nil), in...)
	set := func(key string, v gguf.Value) {
		md.Delete(key)
		md = append(md, gguf.KV{Key: key, Value: v})
	}
	set("general.quantization_version", gguf.Uint32(QuantizationVersion))
	set("general.file_type", gguf.Uint32(uint32(p.FileType)))
	md.Delete("split.no")
	md.Delete("split.count")
	md.Delete("split.tensors.count")
	if im != nil && len(im.Entries) > 0 {
		set("quantize.imatrix.file", gguf.String(truncate(im.File, maxOverrideString)))
		if len(im.Datasets) > 0 {
			set("quantize.imatrix.dataset", gguf.String(truncate(im.Datasets[0], maxOverrideString)))
		}
		set("quantize.imatrix.entries_count", gguf.Uint32(uint32(len(im.Entries))))
		if im.ChunkCount > 0 {
			set("quantize.imatrix.chunks_count", gguf.Uint32(uint32(im.ChunkCount)))
		}
	}
	return md
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
