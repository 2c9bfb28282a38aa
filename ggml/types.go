// Package ggml describes ggml's tensor element types and llama.cpp's file
// types (llama_ftype). It holds data only: names, block sizes and byte sizes,
// so that any package can size a tensor without knowing how to decode it.
package ggml

import (
	"fmt"
	"strings"
)

// Type is a ggml tensor element type (enum ggml_type); its value is the id
// stored in GGUF tensor infos.
type Type uint32

// The ggml types llama.cpp defines. Ids 4, 5, 31–33 and 36–38 are retired.
const (
	TypeF32     Type = 0
	TypeF16     Type = 1
	TypeQ4_0    Type = 2
	TypeQ4_1    Type = 3
	TypeQ5_0    Type = 6
	TypeQ5_1    Type = 7
	TypeQ8_0    Type = 8
	TypeQ8_1    Type = 9
	TypeQ2_K    Type = 10
	TypeQ3_K    Type = 11
	TypeQ4_K    Type = 12
	TypeQ5_K    Type = 13
	TypeQ6_K    Type = 14
	TypeQ8_K    Type = 15
	TypeIQ2_XXS Type = 16
	TypeIQ2_XS  Type = 17
	TypeIQ3_XXS Type = 18
	TypeIQ1_S   Type = 19
	TypeIQ4_NL  Type = 20
	TypeIQ3_S   Type = 21
	TypeIQ2_S   Type = 22
	TypeIQ4_XS  Type = 23
	TypeI8      Type = 24
	TypeI16     Type = 25
	TypeI32     Type = 26
	TypeI64     Type = 27
	TypeF64     Type = 28
	TypeIQ1_M   Type = 29
	TypeBF16    Type = 30
	TypeTQ1_0   Type = 34
	TypeTQ2_0   Type = 35
	TypeMXFP4   Type = 39

	// TypeCount is GGML_TYPE_COUNT: ids at or above it are invalid.
	TypeCount Type = 40
)

// TypeTraits is what every ggml type has, whether or not zq can decode it.
type TypeTraits struct {
	Name      string // ggml's name, e.g. "q4_K"
	BlockSize int    // elements per block
	TypeSize  int    // bytes per block
	Quantized bool   // block-quantized (not a plain scalar type)
}

var traits = [TypeCount]TypeTraits{
	TypeF32:     {"f32", 1, 4, false},
	TypeF16:     {"f16", 1, 2, false},
	TypeQ4_0:    {"q4_0", 32, 18, true},
	TypeQ4_1:    {"q4_1", 32, 20, true},
	TypeQ5_0:    {"q5_0", 32, 22, true},
	TypeQ5_1:    {"q5_1", 32, 24, true},
	TypeQ8_0:    {"q8_0", 32, 34, true},
	TypeQ8_1:    {"q8_1", 32, 36, true},
	TypeQ2_K:    {"q2_K", 256, 84, true},
	TypeQ3_K:    {"q3_K", 256, 110, true},
	TypeQ4_K:    {"q4_K", 256, 144, true},
	TypeQ5_K:    {"q5_K", 256, 176, true},
	TypeQ6_K:    {"q6_K", 256, 210, true},
	TypeQ8_K:    {"q8_K", 256, 292, true},
	TypeIQ2_XXS: {"iq2_xxs", 256, 66, true},
	TypeIQ2_XS:  {"iq2_xs", 256, 74, true},
	TypeIQ3_XXS: {"iq3_xxs", 256, 98, true},
	TypeIQ1_S:   {"iq1_s", 256, 50, true},
	TypeIQ4_NL:  {"iq4_nl", 32, 18, true},
	TypeIQ3_S:   {"iq3_s", 256, 110, true},
	TypeIQ2_S:   {"iq2_s", 256, 82, true},
	TypeIQ4_XS:  {"iq4_xs", 256, 136, true},
	TypeI8:      {"i8", 1, 1, false},
	TypeI16:     {"i16", 1, 2, false},
	TypeI32:     {"i32", 1, 4, false},
	TypeI64:     {"i64", 1, 8, false},
	TypeF64:     {"f64", 1, 8, false},
	TypeIQ1_M:   {"iq1_m", 256, 56, true},
	TypeBF16:    {"bf16", 1, 2, false},
	TypeTQ1_0:   {"tq1_0", 256, 54, true},
	TypeTQ2_0:   {"tq2_0", 256, 66, true},
	TypeMXFP4:   {"mxfp4", 32, 17, true},
}

// Valid reports whether t is a defined (not retired, in range) ggml type.
func (t Type) Valid() bool { return t < TypeCount && traits[t].BlockSize != 0 }

// Traits returns t's traits; the zero value for an invalid type.
func (t Type) Traits() TypeTraits {
	if !t.Valid() {
		return TypeTraits{}
	}
	return traits[t]
}

// String returns ggml's name of the type ("q4_K"), or "type(N)" when invalid.
func (t Type) String() string {
	if !t.Valid() {
		return fmt.Sprintf("type(%d)", uint32(t))
	}
	return traits[t].Name
}

// BlockSize is the number of elements per block (1 for scalar types).
func (t Type) BlockSize() int { return t.Traits().BlockSize }

// TypeSize is the number of bytes per block.
func (t Type) TypeSize() int { return t.Traits().TypeSize }

// BitsPerWeight is 8·TypeSize/BlockSize.
func (t Type) BitsPerWeight() float64 {
	tr := t.Traits()
	if tr.BlockSize == 0 {
		return 0
	}
	return 8 * float64(tr.TypeSize) / float64(tr.BlockSize)
}

// RowSize returns the bytes of a row of n elements, or an error when n is not
// a multiple of the block size or the type is invalid.
func (t Type) RowSize(n int64) (int64, error) {
	if !t.Valid() {
		return 0, fmt.Errorf("invalid ggml type id %d", uint32(t))
	}
	bs := int64(traits[t].BlockSize)
	if n < 0 || n%bs != 0 {
		return 0, fmt.Errorf("%s: row length %d is not a multiple of the block size %d", t, n, bs)
	}
	return n / bs * int64(traits[t].TypeSize), nil
}

// ParseType finds a type by its ggml name, case-insensitively ("Q4_K", "bf16").
func ParseType(name string) (Type, error) {
	for id := Type(0); id < TypeCount; id++ {
		if id.Valid() && strings.EqualFold(traits[id].Name, name) {
			return id, nil
		}
	}
	return 0, fmt.Errorf("unknown ggml type %q", name)
}

// Types lists every valid ggml type in id order.
func Types() []Type {
	var out []Type
	for id := Type(0); id < TypeCount; id++ {
		if id.Valid() {
			out = append(out, id)
		}
	}
	return out
}
