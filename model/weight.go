package model

import (
	"fmt"

	"github.com/zqtool/zq/codec"
	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/kernels"
)

// Weight is a 2-D weight matrix kept in its encoded (possibly quantized)
// form: Rows rows of Cols elements, each row RowBytes bytes of ggml blocks.
// Rows are decoded to float32 only while they are used.
type Weight struct {
	Name     string
	Type     ggml.Type
	Rows     int
	Cols     int
	RowBytes int
	Data     []byte

	kern kernels.MatKernel // the fast path's product (Mul nil: none)
}

// newWeight validates tensor t of f as a [cols, rows] matrix with a type
// that has a codec, and wraps its bytes.
func newWeight(f *gguf.File, name string, cols, rows int) (*Weight, error) {
	t, ok := f.Lookup(name)
	if !ok {
		return nil, fmt.Errorf("tensor %q is missing", name)
	}
	if err := checkShape(t, cols, rows); err != nil {
		return nil, err
	}
	if !codec.Supports(t.Type) {
		return nil, fmt.Errorf("tensor %q has type %s, which zq cannot decode", name, t.Type)
	}
	if cols%t.Type.BlockSize() != 0 {
		return nil, fmt.Errorf("tensor %q: row length %d is not a multiple of the %s block size %d", name, cols, t.Type, t.Type.BlockSize())
	}
	rb, err := t.Type.RowSize(int64(cols))
	if err != nil {
		return nil, fmt.Errorf("tensor %q: %w", name, err)
	}
	data, err := f.TensorData(t)
	if err != nil {
		return nil, fmt.Errorf("tensor %q: %w", name, err)
	}
	if int64(len(data)) != rb*int64(rows) {
		return nil, fmt.Errorf("tensor %q: %d data bytes, expected %d", name, len(data), rb*int64(rows))
	}
	w := &Weight{Name: name, Type: t.Type, Rows: rows, Cols: cols, RowBytes: int(rb), Data: data}
	if k, ok := codec.MatKernelFor(t.Type); ok && cols%k.Act.BlockSize() == 0 {
		w.kern = k
	}
	return w, nil
}

// checkShape verifies that t has GGUF dimensions [cols, rows] (rows == 1
// also accepts a 1-D tensor).
func checkShape(t *gguf.TensorInfo, cols, rows int) error {
	want := []uint64{uint64(cols), uint64(rows)}
	if rows == 1 && len(t.Dims) == 1 {
		want = want[:1]
	}
	ok := len(t.Dims) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = t.Dims[i] == want[i]
	}
	if !ok {
		return fmt.Errorf("tensor %q has shape %v, expected %v", t.Name, t.Dims, want)
	}
	return nil
}

// vector loads a 1-D tensor of n elements as float32.
func vector(f *gguf.File, name string, n int) ([]float32, error) {
	w, err := newWeight(f, name, n, 1)
	if err != nil {
		return nil, err
	}
	out := make([]float32, n)
	if err := w.DecodeRow(0, out); err != nil {
		return nil, err
	}
	return out, nil
}

// optionalVector is vector for a tensor that may be absent (nil, nil).
func optionalVector(f *gguf.File, name string, n int) ([]float32, error) {
	if _, ok := f.Lookup(name); !ok {
		return nil, nil
	}
	return vector(f, name, n)
}

// DecodeRow decodes row r into dst (len(dst) ≥ Cols).
func (w *Weight) DecodeRow(r int, dst []float32) error {
	if r < 0 || r >= w.Rows {
		return fmt.Errorf("tensor %q: row %d out of range [0, %d)", w.Name, r, w.Rows)
	}
	row := w.Data[r*w.RowBytes : (r+1)*w.RowBytes]
	if err := codec.DequantizeRow(w.Type, dst[:w.Cols], row); err != nil {
		return fmt.Errorf("tensor %q row %d: %w", w.Name, r, err)
	}
	return nil
}

// tileRows is how many weight rows are decoded together before being
// multiplied with the batch; tileRows·Cols floats stay in cache.
const tileRows = 8

// mulTile computes y[t·ldy + r] = Σ_k W[r][k]·x[t·Cols + k] for rows
// r0 ≤ r < r1 (at most tileRows) and all nTok tokens, decoding the rows
// into scratch (tileRows·Cols floats). It is the one place where encoded
// weights meet activations: a faster twin (fused dequantize-and-dot, or
// SIMD) replaces this function.
func (w *Weight) mulTile(r0, r1 int, x []float32, nTok int, y []float32, ldy int, scratch []float32) error {
	c := w.Cols
	for r := r0; r < r1; r++ {
		if err := w.DecodeRow(r, scratch[(r-r0)*c:]); err != nil {
			return err
		}
	}
	t := 0
	for ; t+4 <= nTok; t += 4 {
		x0 := x[t*c : (t+1)*c]
		x1 := x[(t+1)*c : (t+2)*c]
		x2 := x[(t+2)*c : (t+3)*c]
		x3 := x[(t+3)*c : (t+4)*c]
		for r := r0; r < r1; r++ {
			s0, s1, s2, s3 := kernels.DotF32x4(scratch[(r-r0)*c:(r-r0+1)*c], x0, x1, x2, x3)
			y[t*ldy+r] = s0
			y[(t+1)*ldy+r] = s1
			y[(t+2)*ldy+r] = s2
			y[(t+3)*ldy+r] = s3
		}
	}
	for ; t < nTok; t++ {
		xt := x[t*c : (t+1)*c]
		for r := r0; r < r1; r++ {
			y[t*ldy+r] = kernels.DotF32(scratch[(r-r0)*c:(r-r0+1)*c], xt)
		}
	}
	return nil
}

// Replace gives w new contents of the same shape: data holds Rows rows of
// Cols elements encoded as t. It lets a caller try another quantization of
// one weight in memory (contexts made earlier see the change at their next
// Eval); data must stay unmodified while w uses it.
func (w *Weight) Replace(t ggml.Type, data []byte) error {
	if !codec.Supports(t) {
		return fmt.Errorf("tensor %q: type %s has no codec", w.Name, t)
	}
	if w.Cols%t.BlockSize() != 0 {
		return fmt.Errorf("tensor %q: row length %d is not a multiple of the %s block size %d", w.Name, w.Cols, t, t.BlockSize())
	}
	rb, err := t.RowSize(int64(w.Cols))
	if err != nil {
		return fmt.Errorf("tensor %q: %w", w.Name, err)
	}
	if int64(len(data)) != rb*int64(w.Rows) {
		return fmt.Errorf("tensor %q: %d bytes for %d rows of %s, expected %d", w.Name, len(data), w.Rows, t, rb*int64(w.Rows))
	}
	w.Type, w.Data, w.RowBytes = t, data, int(rb)
	w.kern = kernels.MatKernel{}
	if k, ok := codec.MatKernelFor(t); ok && w.Cols%k.Act.BlockSize() == 0 {
		w.kern = k
	}
	return nil
}
