package safetensors

import (
	"fmt"

	st "github.com/nlpodyssey/safetensors"
)

// DType is a safetensors element type, spelled as in the file header.
type DType string

// Element types the header parser accepts.
const (
	BOOL DType = "BOOL"
	U8   DType = "U8"
	I8   DType = "I8"
	I16  DType = "I16"
	U16  DType = "U16"
	F16  DType = "F16"
	BF16 DType = "BF16"
	I32  DType = "I32"
	U32  DType = "U32"
	F32  DType = "F32"
	F64  DType = "F64"
	I64  DType = "I64"
	U64  DType = "U64"
)

var dtypeSize = map[DType]int{
	BOOL: 1, U8: 1, I8: 1,
	I16: 2, U16: 2, F16: 2, BF16: 2,
	I32: 4, U32: 4, F32: 4,
	F64: 8, I64: 8, U64: 8,
}

// Size returns the size of one element in bytes, or 0 for an unknown dtype.
func (d DType) Size() int { return dtypeSize[d] }

// fromLib converts the header library's dtype enum to a DType.
func fromLib(d st.DType) (DType, error) {
	// The library's String panics on values it does not know; it never
	// produces such values, but check rather than trust.
	if d > st.U64 {
		return "", fmt.Errorf("unknown dtype code %d", d)
	}
	dt := DType(d.String())
	if dt.Size() == 0 {
		return "", fmt.Errorf("unknown dtype %q", dt)
	}
	return dt, nil
}
