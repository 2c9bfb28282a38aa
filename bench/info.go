package bench

import (
	"fmt"
	"path/filepath"

	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/gguf"
)

// Info describes a model file the way llama-bench does, plus what the
// bandwidth roofline needs.
type Info struct {
	Filename string // the path as given
	Type     string // llama_model_desc: "llama 1B Q4_K - Medium"
	Size     uint64 // bytes of all tensors (no metadata, no padding)
	Params   uint64 // elements of all tensors

	// StreamedBytes is what one generated token reads from the weights:
	// every tensor once, except the token embedding, of which only one row
	// is read (unless it is also the output head, when tied).
	StreamedBytes uint64
	// KVBytesPerPos is the K and V cache bytes one position adds, in F16
	// (llama.cpp's default cache type), over all layers.
	KVBytesPerPos uint64
}

// ReadInfo reads path's GGUF header (not its tensor data).
func ReadInfo(path string) (Info, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return Info{}, err
	}
	defer f.Close()
	return infoOf(path, f)
}

func infoOf(path string, f *gguf.File) (Info, error) {
	in := Info{Filename: path}
	_, tied := f.Lookup("output.weight")
	tied = !tied
	for _, t := range f.Tensors {
		size := t.Size()
		in.Size += size
		in.Params += t.NumElements()
		if t.Name == "token_embd.weight" && !tied {
			if rows := t.Rows(); rows > 0 {
				size /= rows
			}
		}
		in.StreamedBytes += size
	}
	arch, _ := f.Metadata.String("general.architecture")
	if arch == "" {
		return Info{}, fmt.Errorf("%s: general.architecture is missing", path)
	}
	layers, err := f.Metadata.Uint32(arch + ".block_count")
	if err != nil {
		return Info{}, fmt.Errorf("%s: %w", path, err)
	}
	in.KVBytesPerPos = uint64(layers) * 2 * kvWidth(f, arch) * 2
	vocab := uint64(0)
	if te, ok := f.Lookup("token_embd.weight"); ok && len(te.Dims) == 2 {
		vocab = te.Dims[1]
	}
	in.Type = fmt.Sprintf("%s %s %s", arch, sizeLabel(arch, layers, vocab, f), ftypeName(f))
	return in, nil
}

// Base is the file name without its directory.
func (in Info) Base() string { return filepath.Base(in.Filename) }

// kvWidth is one layer's K (or V) row width: head_count_kv · key_length.
func kvWidth(f *gguf.File, arch string) uint64 {
	md := f.Metadata
	heads, err := md.Uint32(arch + ".attention.head_count")
	if err != nil || heads == 0 {
		return 0
	}
	kvHeads, err := md.Uint32(arch + ".attention.head_count_kv")
	if err != nil {
		kvHeads = heads
	}
	embd, _ := md.Uint32(arch + ".embedding_length")
	headDim, err := md.Uint32(arch + ".attention.key_length")
	if err != nil {
		headDim = embd / heads
	}
	return uint64(kvHeads) * uint64(headDim)
}

// sizeLabel is llama.cpp's model type name for the llama architecture,
// chosen as it does from the layer count ("?B" when it does not know).
func sizeLabel(arch string, layers uint32, vocab uint64, f *gguf.File) string {
	if arch != "llama" {
		return "?B"
	}
	if n, _ := f.Metadata.Uint32(arch + ".expert_count"); n == 8 {
		switch layers {
		case 32:
			return "8x7B"
		case 56:
			return "8x22B"
		}
		return "?B"
	}
	switch layers {
	case 16, 22:
		return "1B"
	case 26, 28:
		return "3B"
	case 30:
		return "256M"
	case 32:
		switch {
		case vocab == 49152:
			return "3B"
		case vocab < 40000:
			return "7B"
		}
		return "8B"
	case 36:
		return "8B"
	case 40:
		return "13B"
	case 48:
		return "34B"
	case 60:
		return "30B"
	case 80:
		heads, _ := f.Metadata.Uint32(arch + ".attention.head_count")
		kv, err := f.Metadata.Uint32(arch + ".attention.head_count_kv")
		if err != nil || kv == heads {
			return "65B"
		}
		return "70B"
	}
	return "?B"
}

// ftypeNames are llama.cpp's display names of the file types zq writes
// (llama_model_ftype_name); others show as ggml.FileType's name.
var ftypeNames = map[ggml.FileType]string{
	ggml.FileTypeAllF32: "all F32", ggml.FileTypeMostlyF16: "F16", ggml.FileTypeMostlyBF16: "BF16",
	ggml.FileTypeQ4_0: "Q4_0", ggml.FileTypeQ4_1: "Q4_1", ggml.FileTypeQ5_0: "Q5_0",
	ggml.FileTypeQ5_1: "Q5_1", ggml.FileTypeQ8_0: "Q8_0",
	ggml.FileTypeQ2_K: "Q2_K - Medium", ggml.FileTypeQ2_K_S: "Q2_K - Small",
	ggml.FileTypeQ3_K_S: "Q3_K - Small", ggml.FileTypeQ3_K_M: "Q3_K - Medium", ggml.FileTypeQ3_K_L: "Q3_K - Large",
	ggml.FileTypeQ4_K_S: "Q4_K - Small", ggml.FileTypeQ4_K_M: "Q4_K - Medium",
	ggml.FileTypeQ5_K_S: "Q5_K - Small", ggml.FileTypeQ5_K_M: "Q5_K - Medium", ggml.FileTypeQ6_K: "Q6_K",
	ggml.FileTypeTQ1_0: "TQ1_0 - 1.69 bpw ternary", ggml.FileTypeTQ2_0: "TQ2_0 - 2.06 bpw ternary",
	ggml.FileTypeIQ4_NL: "IQ4_NL - 4.5 bpw", ggml.FileTypeIQ4_XS: "IQ4_XS - 4.25 bpw",
}

// ftypeName is general.file_type's display name; llama.cpp guesses a
// missing one from the tensors, which we do not.
func ftypeName(f *gguf.File) string {
	ft, err := f.Metadata.Uint32("general.file_type")
	if err != nil {
		return "unknown"
	}
	if n, ok := ftypeNames[ggml.FileType(ft)]; ok {
		return n
	}
	return ggml.FileType(ft).String()
}
