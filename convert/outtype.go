package convert

import (
	"fmt"
	"strings"

	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/safetensors"
)

// OutTypes lists the accepted --outtype values.
var OutTypes = []string{"f32", "f16", "bf16", "q8_0", "auto"}

var outTypeFileTypes = map[string]ggml.FileType{
	"f32":  ggml.FileTypeAllF32,
	"f16":  ggml.FileTypeMostlyF16,
	"bf16": ggml.FileTypeMostlyBF16,
	"q8_0": ggml.FileTypeQ8_0,
}

// fileTypeTensorType is the tensor type each output file type gives the
// weight matrices.
var fileTypeTensorType = map[ggml.FileType]ggml.Type{
	ggml.FileTypeAllF32:     ggml.TypeF32,
	ggml.FileTypeMostlyF16:  ggml.TypeF16,
	ggml.FileTypeMostlyBF16: ggml.TypeBF16,
	ggml.FileTypeQ8_0:       ggml.TypeQ8_0,
}

// resolveOutType turns an --outtype value into a file type. "auto" (or "")
// picks bf16 or f16 from the first tensor of two or more dimensions stored
// as BF16 or F16, in converter order, and f16 if there is none, ignoring
// config.json's torch_dtype exactly as llama.cpp does.
func resolveOutType(outType string, tensors []safetensors.TensorInfo) (ggml.FileType, error) {
	o := strings.ToLower(outType)
	if o == "" || o == "auto" {
		for _, t := range tensors {
			if len(t.Shape) < 2 {
				continue
			}
			switch t.DType {
			case safetensors.BF16:
				return ggml.FileTypeMostlyBF16, nil
			case safetensors.F16:
				return ggml.FileTypeMostlyF16, nil
			}
		}
		return ggml.FileTypeMostlyF16, nil
	}
	ft, ok := outTypeFileTypes[o]
	if !ok {
		return 0, fmt.Errorf("unknown output type %q (expected one of %s)", outType, strings.Join(OutTypes, ", "))
	}
	return ft, nil
}

// tensorType picks a tensor's output type (convert_hf_to_gguf.py
// prepare_tensors): 1-D tensors, norms and non-weights stay F32, everything
// else gets the file type's type, falling back to F16 when the row length is
// not a multiple of the block size. fallback reports that last case.
func tensorType(name string, ne []uint64, ft ggml.FileType) (t ggml.Type, fallback bool) {
	if len(ne) <= 1 || strings.HasSuffix(name, "_norm.weight") || !strings.HasSuffix(name, ".weight") {
		return ggml.TypeF32, false
	}
	t = fileTypeTensorType[ft]
	if ne[0]%uint64(t.BlockSize()) != 0 {
		return ggml.TypeF16, true
	}
	return t, false
}

// outputTypeName is the file-type part of llama.cpp's default file name:
// the LlamaFileType name after its first underscore ("F16", "BF16", "Q8_0").
func outputTypeName(ft ggml.FileType) string { return ft.String() }
