package gguf

import (
	"fmt"
	"math/bits"

	"github.com/zqtool/zq/ggml"
)

// MaxDims is the most dimensions a ggml tensor has (GGML_MAX_DIMS).
const MaxDims = 4

// MaxNameLen is the longest tensor name llama.cpp accepts (GGML_MAX_NAME − 1).
const MaxNameLen = 63

// DefaultAlignment is the data alignment when general.alignment is absent.
const DefaultAlignment = 32

// TensorInfo describes one tensor: its name, dimensions in GGUF order
// (ne[0], the contiguous one, first), element type and data offset relative
// to the start of the data section.
type TensorInfo struct {
	Name   string
	Dims   []uint64
	Type   ggml.Type
	Offset uint64
}

// NumElements is the product of the dimensions.
func (t TensorInfo) NumElements() uint64 {
	n := uint64(1)
	for _, d := range t.Dims {
		n *= d
	}
	return n
}

// Size is the tensor's data size in bytes.
func (t TensorInfo) Size() uint64 {
	n, _ := t.size()
	return n
}

// RowLen is ne[0], the number of elements in one row.
func (t TensorInfo) RowLen() uint64 {
	if len(t.Dims) == 0 {
		return 1
	}
	return t.Dims[0]
}

// Rows is the number of rows: the product of all dimensions but the first.
func (t TensorInfo) Rows() uint64 {
	n := uint64(1)
	for _, d := range t.Dims[min(1, len(t.Dims)):] {
		n *= d
	}
	return n
}

// size validates the dimensions and type and returns the byte size.
func (t TensorInfo) size() (uint64, error) {
	if !t.Type.Valid() {
		return 0, fmt.Errorf("tensor %q: invalid ggml type id %d", t.Name, uint32(t.Type))
	}
	if len(t.Dims) > MaxDims {
		return 0, fmt.Errorf("tensor %q: %d dimensions, at most %d allowed", t.Name, len(t.Dims), MaxDims)
	}
	bs := uint64(t.Type.BlockSize())
	n := uint64(1)
	for i, d := range t.Dims {
		if d > 1<<62 {
			return 0, fmt.Errorf("tensor %q: dimension %d is %d, too large", t.Name, i, d)
		}
		hi, lo := bits.Mul64(n, d)
		if hi != 0 || lo > 1<<62 {
			return 0, fmt.Errorf("tensor %q: element count overflows", t.Name)
		}
		n = lo
	}
	if t.RowLen()%bs != 0 {
		return 0, fmt.Errorf("tensor %q: row length %d is not a multiple of %s's block size %d", t.Name, t.RowLen(), t.Type, bs)
	}
	hi, lo := bits.Mul64(n/bs, uint64(t.Type.TypeSize()))
	if hi != 0 || lo > 1<<62 {
		return 0, fmt.Errorf("tensor %q: byte size overflows", t.Name)
	}
	return lo, nil
}

// ShapeString formats Dims like "[4096 32000]".
func (t TensorInfo) ShapeString() string { return fmt.Sprint(t.Dims) }

func alignUp(n, a uint64) uint64 { return (n + a - 1) / a * a }
