// Package finite finds where NaN or infinite values enter a model: the
// first tensor of a GGUF file whose decoded values are not all finite. It
// is used on the error path, when an evaluation produced non-finite logits.
package finite

import (
	"fmt"

	"github.com/zqtool/zq/codec"
	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/kernels"
)

// chunkElems bounds the values decoded at once.
const chunkElems = 1 << 20

// Bad names a tensor holding a non-finite value.
type Bad struct {
	Tensor   string
	Row, Col int
	Value    float32
}

// String describes the first bad value.
func (b Bad) String() string {
	return fmt.Sprintf("tensor %q holds %v at row %d, column %d", b.Tensor, b.Value, b.Row, b.Col)
}

// FirstBadTensor decodes the tensors of the GGUF file at path in file
// order and returns the first non-finite value, or nil when every tensor
// zq can decode is finite.
func FirstBadTensor(path string) (*Bad, error) {
	f, err := gguf.OpenFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf []float32
	for i := range f.Tensors {
		t := &f.Tensors[i]
		if !codec.Supports(t.Type) || len(t.Dims) == 0 || t.Dims[0] == 0 {
			continue
		}
		data, err := f.TensorData(t)
		if err != nil {
			return nil, err
		}
		ne0 := int(t.Dims[0])
		rows := int(t.NumElements()) / ne0
		rowBytes := len(data) / max(rows, 1)
		step := max(1, chunkElems/ne0)
		for r := 0; r < rows; r += step {
			r1 := min(rows, r+step)
			n := (r1 - r) * ne0
			if cap(buf) < n {
				buf = make([]float32, n)
			}
			if err := codec.Dequantize(t.Type, buf[:n], data[r*rowBytes:r1*rowBytes], 1); err != nil {
				return nil, fmt.Errorf("%s: tensor %q: %w", path, t.Name, err)
			}
			if j := kernels.FirstNonFinite(buf[:n]); j >= 0 {
				return &Bad{Tensor: t.Name, Row: r + j/ne0, Col: j % ne0, Value: buf[j]}, nil
			}
		}
	}
	return nil, nil
}

// LogitsError reports logits that are NaN or infinite.
type LogitsError struct {
	Model string  // the model file
	Where string  // e.g. "chunk 3" or "the prompt"
	Value float32 // the first bad logit
	Bad   *Bad    // the first bad tensor, when one was found
}

// Error names the model, where the logits went bad and, when found, the
// first tensor holding a non-finite weight.
func (e *LogitsError) Error() string {
	s := fmt.Sprintf("%s: the model produced non-finite logits (%v) in %s", e.Model, e.Value, e.Where)
	if e.Bad != nil {
		return s + "; its first bad weight: " + e.Bad.String()
	}
	return s + "; its weights are all finite, so the activations overflowed"
}

// Check returns a *LogitsError when logits hold a NaN or infinity, after
// scanning model (a GGUF path) for the first bad tensor.
func Check(logits []float32, model, where string) error {
	i := kernels.FirstNonFinite(logits)
	if i < 0 {
		return nil
	}
	e := &LogitsError{Model: model, Where: where, Value: logits[i]}
	e.Bad, _ = FirstBadTensor(model)
	return e
}
