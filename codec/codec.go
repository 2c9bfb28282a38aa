// Package codec is zq's public quantization API: it converts float32 rows
// to and from every ggml block format zq supports, producing exactly the
// bytes ggml's own quantizers produce (with or without an importance matrix)
// and exactly the floats ggml's dequantizers produce.
//
// Row functions work on one row; Quantize and Dequantize work on whole
// tensors in parallel over a fixed worker pool, with output independent of
// the worker count. Inputs are checked (lengths, NaN/Inf) and errors name the
// type and what was expected; the numeric work lives in package kernels.
package codec

import (
	"fmt"
	"math"

	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/kernels"
)

// Supports reports whether zq can quantize to and dequantize from t.
func Supports(t ggml.Type) bool {
	_, ok := lookup(t)
	return ok
}

// UsesIMatrix reports whether quantizing to t depends on an importance
// matrix (false for f32/f16/bf16/q8_0/tq1_0/tq2_0 and the activation
// formats, which ignore it as ggml does, and for unsupported types).
func UsesIMatrix(t ggml.Type) bool {
	e, ok := lookup(t)
	return ok && e.usesIMatrix
}

// RequiresIMatrix reports whether t can only be quantized with an
// importance matrix, as ggml_quantize_requires_imatrix says (IQ2_XXS,
// IQ2_XS); quantizing to it without one is an error.
func RequiresIMatrix(t ggml.Type) bool {
	return t < ggml.TypeCount && requiresIMatrix[t]
}

// QuantizeRow quantizes one row src into dst. len(src) must be a multiple of
// t's block size, len(dst) must be t's row size for len(src) values, and
// imatrix is nil or holds one finite, non-negative importance per column
// (len(src) entries; required where RequiresIMatrix). NaN or Inf in src is
// an error.
func QuantizeRow(t ggml.Type, dst []byte, src, imatrix []float32) error {
	e, err := entryFor(t)
	if err != nil {
		return err
	}
	if err := checkRowShape(t, len(dst), len(src)); err != nil {
		return err
	}
	if err := checkIMatrix(t, imatrix, len(src)); err != nil {
		return err
	}
	if err := checkFinite(t, src, -1); err != nil {
		return err
	}
	return quantizeRow(t, e, dst, src, imatrix, nil)
}

// DequantizeRow decodes src, any whole number of t's blocks, into dst, which
// must hold exactly the blocks' values.
func DequantizeRow(t ggml.Type, dst []float32, src []byte) error {
	e, err := entryFor(t)
	if err != nil {
		return err
	}
	if err := checkBlocks(t, len(dst), len(src)); err != nil {
		return err
	}
	e.dequantize(dst, src)
	return nil
}

// quantizeRow runs t's kernel on a checked row; before holds the rows that
// precede it in the same call (see carryQuantizers).
func quantizeRow(t ggml.Type, e codecEntry, dst []byte, src, imatrix, before []float32) error {
	if !e.usesIMatrix {
		imatrix = nil
	}
	if q := carryQuantizers[t]; q != nil {
		if err := q(dst, src, imatrix, before); err != nil {
			return fmt.Errorf("%s: %w", t, err)
		}
		return nil
	}
	e.quantize(dst, src, imatrix)
	return nil
}

// entryFor returns t's codec or an error naming the type.
func entryFor(t ggml.Type) (codecEntry, error) {
	e, ok := lookup(t)
	if !ok {
		return codecEntry{}, fmt.Errorf("%s: quantization type not supported by zq", t)
	}
	return e, nil
}

// checkRowShape checks a row of n values against a dst of dstLen bytes.
func checkRowShape(t ggml.Type, dstLen, n int) error {
	size, err := rowSize(t, n)
	if err != nil {
		return err
	}
	if dstLen != size {
		return fmt.Errorf("%s: destination holds %d bytes, expected %d for a row of %d values", t, dstLen, size, n)
	}
	return nil
}

// rowSize is the byte size of n values of t, or an error when n is not a
// whole number of blocks.
func rowSize(t ggml.Type, n int) (int, error) {
	bs := t.BlockSize()
	if n%bs != 0 {
		return 0, fmt.Errorf("%s: row length %d is not a multiple of %d", t, n, bs)
	}
	return n / bs * t.TypeSize(), nil
}

// checkBlocks checks that src is whole blocks and dst holds their values.
func checkBlocks(t ggml.Type, dstLen, srcLen int) error {
	ts := t.TypeSize()
	if srcLen%ts != 0 {
		return fmt.Errorf("%s: %d bytes is not a whole number of %d-byte blocks", t, srcLen, ts)
	}
	if want := srcLen / ts * t.BlockSize(); dstLen != want {
		return fmt.Errorf("%s: destination holds %d values, expected %d for %d bytes", t, dstLen, want, srcLen)
	}
	return nil
}

// checkIMatrix validates an importance vector for rows of n values.
func checkIMatrix(t ggml.Type, imatrix []float32, n int) error {
	if imatrix == nil {
		if RequiresIMatrix(t) {
			return fmt.Errorf("%s: quantization needs an importance matrix (ggml has no %s without one)", t, t)
		}
		return nil
	}
	if len(imatrix) != n {
		return fmt.Errorf("%s: importance matrix has %d entries, expected one per column (%d)", t, len(imatrix), n)
	}
	for i, v := range imatrix {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) || v < 0 {
			return fmt.Errorf("%s: importance matrix entry %d is %v, expected a finite value >= 0", t, i, v)
		}
	}
	return nil
}

// checkFinite rejects NaN/Inf in src; row >= 0 is named in the error.
func checkFinite(t ggml.Type, src []float32, row int) error {
	i := kernels.FirstNonFinite(src)
	if i < 0 {
		return nil
	}
	where := fmt.Sprintf("index %d", i)
	if row >= 0 {
		where = fmt.Sprintf("row %d, column %d", row, i)
	}
	return fmt.Errorf("%s: input value at %s is %v, expected a finite number", t, where, src[i])
}
