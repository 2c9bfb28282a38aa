package quantize

import (
	"fmt"
	"io"
	"strings"
)

// TensorSummary reports what happened to one tensor.
type TensorSummary struct {
	Name      string   `json:"name"`
	Dims      []uint64 `json:"ne"`
	From      string   `json:"type_from"`
	To        string   `json:"type_to"`
	Quantized bool     `json:"quantized"`
	Fallback  bool     `json:"fallback,omitempty"`
	Imatrix   bool     `json:"imatrix,omitempty"`
	BytesFrom uint64   `json:"size_from_bytes"`
	BytesTo   uint64   `json:"size_to_bytes"`
}

// Summary reports a finished quantization, with llama-quantize's figures.
type Summary struct {
	Output         string          `json:"output"`
	Preset         string          `json:"preset"`
	FileType       string          `json:"file_type"`    // e.g. "Q4_K_M"
	FileTypeID     uint32          `json:"file_type_id"` // general.file_type
	Threads        int             `json:"threads"`
	Tensors        []TensorSummary `json:"tensors"`
	Elements       uint64          `json:"parameters"`
	SizeBefore     uint64          `json:"size_before_bytes"` // Σ source tensor bytes
	SizeAfter      uint64          `json:"size_after_bytes"`  // Σ output tensor bytes
	MiBBefore      float64         `json:"-"`
	MiBAfter       float64         `json:"-"`
	BPWBefore      float64         `json:"bits_per_weight_before"` // 8·Σbytes/Σelements over all tensors
	BPWAfter       float64         `json:"bits_per_weight_after"`
	FileSize       int64           `json:"file_size_bytes"`
	Fallbacks      int             `json:"fallback_tensors"`
	KQuantized     int             `json:"k_quantized_tensors"`
	ImatrixEntries int             `json:"imatrix_entries,omitempty"`
	Seconds        float64         `json:"elapsed_seconds"`
}

func (s *Summary) finish() {
	for _, t := range s.Tensors {
		n := uint64(1)
		for _, d := range t.Dims {
			n *= d
		}
		s.Elements += n
		s.SizeBefore += t.BytesFrom
		s.SizeAfter += t.BytesTo
	}
	s.MiBBefore = float64(s.SizeBefore) / (1 << 20)
	s.MiBAfter = float64(s.SizeAfter) / (1 << 20)
	if s.Elements > 0 {
		s.BPWBefore = 8 * float64(s.SizeBefore) / float64(s.Elements)
		s.BPWAfter = 8 * float64(s.SizeAfter) / float64(s.Elements)
	}
}

// FormatShape formats ne as llama.cpp prints tensor shapes: four
// dimensions, each right-aligned in 5 columns.
func FormatShape(dims []uint64) string {
	var b strings.Builder
	for i := 0; i < 4; i++ {
		d := uint64(1)
		if i < len(dims) {
			d = dims[i]
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%5d", d)
	}
	return b.String()
}

// TensorLine is llama-quantize's per-tensor log line for tensor i of n.
func TensorLine(i, n int, t TensorSummary) string {
	head := fmt.Sprintf("[%4d/%4d] %36s - [%s], type = %6s, ", i+1, n, t.Name, FormatShape(t.Dims), t.From)
	if !t.Quantized {
		return head + fmt.Sprintf("size = %8.3f MiB", float64(t.BytesFrom)/(1<<20))
	}
	return head + fmt.Sprintf("converting to %s .. size = %8.2f MiB -> %8.2f MiB",
		t.To, float64(t.BytesFrom)/(1<<20), float64(t.BytesTo)/(1<<20))
}

// WriteText prints the closing report: sizes, bits per weight, fallbacks, time.
func (s *Summary) WriteText(w io.Writer) {
	fmt.Fprintf(w, "model size  = %8.2f MiB (%.2f BPW)\n", s.MiBBefore, s.BPWBefore)
	fmt.Fprintf(w, "quant size  = %8.2f MiB (%.2f BPW)\n", s.MiBAfter, s.BPWAfter)
	if s.Fallbacks > 0 {
		fmt.Fprintf(w, "WARNING: %d of %d tensor(s) required fallback quantization\n", s.Fallbacks, s.Fallbacks+s.KQuantized)
	}
	fmt.Fprintf(w, "wrote %s as %s (%d tensors, %d bytes) in %.2f s using %d threads\n",
		s.Output, s.Preset, len(s.Tensors), s.FileSize, s.Seconds, s.Threads)
}
