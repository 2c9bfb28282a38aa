// Package quantize turns an F32/F16/BF16 model (a GGUF file, or anything
// else that can present itself as one) into a quantized GGUF the way
// llama.cpp's llama-quantize does: the same per-tensor type choices, the same
// metadata changes, the same tensor order and byte-identical tensor data.
package quantize

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/zqtool/zq/ggml"
)

// Preset is a parsed quantization preset (a llama_ftype with its name): the
// file type recorded in general.file_type and the default tensor type that
// the per-tensor rules start from.
type Preset struct {
	Name         string        // canonical upper-case name, e.g. "Q4_K_M"
	FileType     ggml.FileType // value stored in general.file_type
	Default      ggml.Type     // tensor type before the per-tensor rules
	Note         string        // llama-quantize's usage note, e.g. "4.58G, +0.1754 ppl @ Llama-3-8B"
	Alias        bool          // a short alias such as "Q4_K" for Q4_K_M
	NeedsImatrix bool          // llama-quantize refuses the preset without an importance matrix
}

// presets is llama-quantize's QUANT_OPTIONS list, in its order, without
// MXFP4_MOE and COPY. NeedsImatrix marks the presets llama-quantize refuses
// without an importance matrix (IQ2_M is not among them, but its IQ2_S
// tensors then fail one by one, as in llama.cpp). A preset whose tensor
// types zq cannot encode yet fails with an error naming the type.
var presets = []Preset{
	{Name: "Q4_0", FileType: ggml.FileTypeQ4_0, Default: ggml.TypeQ4_0, Note: "4.34G, +0.4685 ppl @ Llama-3-8B"},
	{Name: "Q4_1", FileType: ggml.FileTypeQ4_1, Default: ggml.TypeQ4_1, Note: "4.78G, +0.4511 ppl @ Llama-3-8B"},
	{Name: "Q5_0", FileType: ggml.FileTypeQ5_0, Default: ggml.TypeQ5_0, Note: "5.21G, +0.1316 ppl @ Llama-3-8B"},
	{Name: "Q5_1", FileType: ggml.FileTypeQ5_1, Default: ggml.TypeQ5_1, Note: "5.65G, +0.1062 ppl @ Llama-3-8B"},
	{Name: "IQ2_XXS", FileType: ggml.FileTypeIQ2_XXS, Default: ggml.TypeIQ2_XXS, Note: "2.06 bpw quantization", NeedsImatrix: true},
	{Name: "IQ2_XS", FileType: ggml.FileTypeIQ2_XS, Default: ggml.TypeIQ2_XS, Note: "2.31 bpw quantization", NeedsImatrix: true},
	{Name: "IQ2_S", FileType: ggml.FileTypeIQ2_S, Default: ggml.TypeIQ2_XS, Note: "2.5  bpw quantization", NeedsImatrix: true},
	{Name: "IQ2_M", FileType: ggml.FileTypeIQ2_M, Default: ggml.TypeIQ2_S, Note: "2.7  bpw quantization"},
	{Name: "IQ1_S", FileType: ggml.FileTypeIQ1_S, Default: ggml.TypeIQ1_S, Note: "1.56 bpw quantization", NeedsImatrix: true},
	{Name: "IQ1_M", FileType: ggml.FileTypeIQ1_M, Default: ggml.TypeIQ1_M, Note: "1.75 bpw quantization", NeedsImatrix: true},
	{Name: "TQ1_0", FileType: ggml.FileTypeTQ1_0, Default: ggml.TypeTQ1_0, Note: "1.69 bpw ternarization"},
	{Name: "TQ2_0", FileType: ggml.FileTypeTQ2_0, Default: ggml.TypeTQ2_0, Note: "2.06 bpw ternarization"},
	{Name: "Q2_K", FileType: ggml.FileTypeQ2_K, Default: ggml.TypeQ2_K, Note: "2.96G, +3.5199 ppl @ Llama-3-8B"},
	{Name: "Q2_K_S", FileType: ggml.FileTypeQ2_K_S, Default: ggml.TypeQ2_K, Note: "2.96G, +3.1836 ppl @ Llama-3-8B", NeedsImatrix: true},
	{Name: "IQ3_XXS", FileType: ggml.FileTypeIQ3_XXS, Default: ggml.TypeIQ3_XXS, Note: "3.06 bpw quantization"},
	{Name: "IQ3_S", FileType: ggml.FileTypeIQ3_S, Default: ggml.TypeIQ3_S, Note: "3.44 bpw quantization"},
	{Name: "IQ3_M", FileType: ggml.FileTypeIQ3_M, Default: ggml.TypeIQ3_S, Note: "3.66 bpw quantization mix"},
	{Name: "Q3_K", FileType: ggml.FileTypeQ3_K_M, Default: ggml.TypeQ3_K, Note: "alias for Q3_K_M", Alias: true},
	{Name: "IQ3_XS", FileType: ggml.FileTypeIQ3_XS, Default: ggml.TypeIQ3_S, Note: "3.3 bpw quantization"},
	{Name: "Q3_K_S", FileType: ggml.FileTypeQ3_K_S, Default: ggml.TypeQ3_K, Note: "3.41G, +1.6321 ppl @ Llama-3-8B"},
	{Name: "Q3_K_M", FileType: ggml.FileTypeQ3_K_M, Default: ggml.TypeQ3_K, Note: "3.74G, +0.6569 ppl @ Llama-3-8B"},
	{Name: "Q3_K_L", FileType: ggml.FileTypeQ3_K_L, Default: ggml.TypeQ3_K, Note: "4.03G, +0.5562 ppl @ Llama-3-8B"},
	{Name: "IQ4_NL", FileType: ggml.FileTypeIQ4_NL, Default: ggml.TypeIQ4_NL, Note: "4.50 bpw non-linear quantization"},
	{Name: "IQ4_XS", FileType: ggml.FileTypeIQ4_XS, Default: ggml.TypeIQ4_XS, Note: "4.25 bpw non-linear quantization"},
	{Name: "Q4_K", FileType: ggml.FileTypeQ4_K_M, Default: ggml.TypeQ4_K, Note: "alias for Q4_K_M", Alias: true},
	{Name: "Q4_K_S", FileType: ggml.FileTypeQ4_K_S, Default: ggml.TypeQ4_K, Note: "4.37G, +0.2689 ppl @ Llama-3-8B"},
	{Name: "Q4_K_M", FileType: ggml.FileTypeQ4_K_M, Default: ggml.TypeQ4_K, Note: "4.58G, +0.1754 ppl @ Llama-3-8B"},
	{Name: "Q5_K", FileType: ggml.FileTypeQ5_K_M, Default: ggml.TypeQ5_K, Note: "alias for Q5_K_M", Alias: true},
	{Name: "Q5_K_S", FileType: ggml.FileTypeQ5_K_S, Default: ggml.TypeQ5_K, Note: "5.21G, +0.1049 ppl @ Llama-3-8B"},
	{Name: "Q5_K_M", FileType: ggml.FileTypeQ5_K_M, Default: ggml.TypeQ5_K, Note: "5.33G, +0.0569 ppl @ Llama-3-8B"},
	{Name: "Q6_K", FileType: ggml.FileTypeQ6_K, Default: ggml.TypeQ6_K, Note: "6.14G, +0.0217 ppl @ Llama-3-8B"},
	{Name: "Q8_0", FileType: ggml.FileTypeQ8_0, Default: ggml.TypeQ8_0, Note: "7.96G, +0.0026 ppl @ Llama-3-8B"},
	{Name: "F16", FileType: ggml.FileTypeMostlyF16, Default: ggml.TypeF16, Note: "14.00G, +0.0020 ppl @ Mistral-7B"},
	{Name: "BF16", FileType: ggml.FileTypeMostlyBF16, Default: ggml.TypeBF16, Note: "14.00G, -0.0050 ppl @ Mistral-7B"},
	{Name: "F32", FileType: ggml.FileTypeAllF32, Default: ggml.TypeF32, Note: "26.00G              @ 7B"},
}

// Presets lists the supported presets (aliases included) in llama-quantize's
// order.
func Presets() []Preset { return append([]Preset(nil), presets...) }

// ParsePreset finds a preset by name, case-insensitively ("q4_k_m"), or by
// its integer llama_ftype value as llama-quantize accepts it ("15", which
// resolves to the first listed preset with that value).
func ParsePreset(name string) (Preset, error) {
	s := strings.TrimSpace(name)
	for _, p := range presets {
		if strings.EqualFold(p.Name, s) {
			return p, nil
		}
	}
	if n, err := strconv.Atoi(s); err == nil {
		for _, p := range presets {
			if int(p.FileType) == n {
				return p, nil
			}
		}
	}
	return Preset{}, fmt.Errorf("unknown quantization type %q; valid types: %s", name, strings.Join(presetNames(), ", "))
}

func presetNames() []string {
	out := make([]string, len(presets))
	for i, p := range presets {
		out[i] = strings.ToLower(p.Name)
	}
	return out
}

// Quantized reports whether the preset's default type is block-quantized,
// i.e. whether the per-tensor mixture rules apply.
func (p Preset) Quantized() bool { return p.Default.Traits().Quantized }

// String returns the preset's name.
func (p Preset) String() string { return p.Name }
