// Package gguf reads and writes GGUF files (versions 2 and 3 read, 3
// written): ordered typed metadata, tensor infos and aligned tensor data.
// It knows nothing of models, conversion or quantization.
package gguf

import (
	"fmt"
	"math"
)

// ValueType is a GGUF metadata value type id.
type ValueType uint32

// GGUF metadata value types.
const (
	TypeUint8   ValueType = 0
	TypeInt8    ValueType = 1
	TypeUint16  ValueType = 2
	TypeInt16   ValueType = 3
	TypeUint32  ValueType = 4
	TypeInt32   ValueType = 5
	TypeFloat32 ValueType = 6
	TypeBool    ValueType = 7
	TypeString  ValueType = 8
	TypeArray   ValueType = 9
	TypeUint64  ValueType = 10
	TypeInt64   ValueType = 11
	TypeFloat64 ValueType = 12
)

var valueTypeNames = [...]string{"uint8", "int8", "uint16", "int16", "uint32", "int32",
	"float32", "bool", "string", "array", "uint64", "int64", "float64"}

// String returns the type's name ("uint32", "array", …).
func (t ValueType) String() string {
	if int(t) < len(valueTypeNames) {
		return valueTypeNames[t]
	}
	return fmt.Sprintf("valuetype(%d)", uint32(t))
}

// Valid reports whether t is a defined GGUF value type.
func (t ValueType) Valid() bool { return t <= TypeFloat64 }

// size is the encoded size of a fixed-size scalar, 0 for string and array.
func (t ValueType) size() int {
	switch t {
	case TypeUint8, TypeInt8, TypeBool:
		return 1
	case TypeUint16, TypeInt16:
		return 2
	case TypeUint32, TypeInt32, TypeFloat32:
		return 4
	case TypeUint64, TypeInt64, TypeFloat64:
		return 8
	}
	return 0
}

// Value is one typed GGUF metadata value. Scalars hold the Go type matching
// Type (uint8 … float64, bool, string); arrays hold an *Array.
type Value struct {
	Type ValueType
	v    any
}

// Array is a GGUF array: an element type and a typed Go slice of elements
// ([]uint8 … []float64, []bool, []string, or []*Array for nested arrays).
type Array struct {
	Elem  ValueType
	Items any
}

// Len returns the number of elements.
func (a *Array) Len() int {
	switch s := a.Items.(type) {
	case []uint8:
		return len(s)
	case []int8:
		return len(s)
	case []uint16:
		return len(s)
	case []int16:
		return len(s)
	case []uint32:
		return len(s)
	case []int32:
		return len(s)
	case []float32:
		return len(s)
	case []bool:
		return len(s)
	case []string:
		return len(s)
	case []*Array:
		return len(s)
	case []uint64:
		return len(s)
	case []int64:
		return len(s)
	case []float64:
		return len(s)
	}
	return 0
}

// Constructors for every value type.

// Uint8 makes a UINT8 value.
func Uint8(x uint8) Value { return Value{TypeUint8, x} }

// Int8 makes an INT8 value.
func Int8(x int8) Value { return Value{TypeInt8, x} }

// Uint16 makes a UINT16 value.
func Uint16(x uint16) Value { return Value{TypeUint16, x} }

// Int16 makes an INT16 value.
func Int16(x int16) Value { return Value{TypeInt16, x} }

// Uint32 makes a UINT32 value.
func Uint32(x uint32) Value { return Value{TypeUint32, x} }

// Int32 makes an INT32 value.
func Int32(x int32) Value { return Value{TypeInt32, x} }

// Float32 makes a FLOAT32 value.
func Float32(x float32) Value { return Value{TypeFloat32, x} }

// Bool makes a BOOL value.
func Bool(x bool) Value { return Value{TypeBool, x} }

// String makes a STRING value.
func String(x string) Value { return Value{TypeString, x} }

// Uint64 makes a UINT64 value.
func Uint64(x uint64) Value { return Value{TypeUint64, x} }

// Int64 makes an INT64 value.
func Int64(x int64) Value { return Value{TypeInt64, x} }

// Float64 makes a FLOAT64 value.
func Float64(x float64) Value { return Value{TypeFloat64, x} }

// Strings makes an ARRAY of STRING.
func Strings(x []string) Value { return Value{TypeArray, &Array{TypeString, x}} }

// Float32s makes an ARRAY of FLOAT32.
func Float32s(x []float32) Value { return Value{TypeArray, &Array{TypeFloat32, x}} }

// Int32s makes an ARRAY of INT32.
func Int32s(x []int32) Value { return Value{TypeArray, &Array{TypeInt32, x}} }

// ArrayValue wraps an array; it returns an error when Items does not match Elem.
func ArrayValue(a *Array) (Value, error) {
	if err := a.check(); err != nil {
		return Value{}, err
	}
	return Value{TypeArray, a}, nil
}

func (a *Array) check() error {
	ok := false
	switch a.Items.(type) {
	case []uint8:
		ok = a.Elem == TypeUint8
	case []int8:
		ok = a.Elem == TypeInt8
	case []uint16:
		ok = a.Elem == TypeUint16
	case []int16:
		ok = a.Elem == TypeInt16
	case []uint32:
		ok = a.Elem == TypeUint32
	case []int32:
		ok = a.Elem == TypeInt32
	case []float32:
		ok = a.Elem == TypeFloat32
	case []bool:
		ok = a.Elem == TypeBool
	case []string:
		ok = a.Elem == TypeString
	case []uint64:
		ok = a.Elem == TypeUint64
	case []int64:
		ok = a.Elem == TypeInt64
	case []float64:
		ok = a.Elem == TypeFloat64
	case []*Array:
		ok = a.Elem == TypeArray
		if ok {
			for _, in := range a.Items.([]*Array) {
				if in == nil {
					return fmt.Errorf("nil nested array")
				}
				if err := in.check(); err != nil {
					return err
				}
			}
		}
	}
	if !ok {
		return fmt.Errorf("array of %s holds %T", a.Elem, a.Items)
	}
	return nil
}

// Any returns the Go value: a scalar of the matching Go type, or *Array.
func (v Value) Any() any { return v.v }

// AsString returns the value of a STRING.
func (v Value) AsString() (string, bool) { s, ok := v.v.(string); return s, ok }

// AsBool returns the value of a BOOL.
func (v Value) AsBool() (bool, bool) { b, ok := v.v.(bool); return b, ok }

// AsArray returns the array of an ARRAY.
func (v Value) AsArray() (*Array, bool) { a, ok := v.v.(*Array); return a, ok && a != nil }

// AsUint32 returns the value of a UINT32 (exactly that type, as llama.cpp checks).
func (v Value) AsUint32() (uint32, bool) { x, ok := v.v.(uint32); return x, ok }

// AsFloat32 returns the value of a FLOAT32.
func (v Value) AsFloat32() (float32, bool) { x, ok := v.v.(float32); return x, ok }

// AsInt64 returns any integer scalar widened to int64 (false for uint64 values above MaxInt64).
func (v Value) AsInt64() (int64, bool) {
	switch x := v.v.(type) {
	case uint8:
		return int64(x), true
	case int8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case int16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint64:
		if x > math.MaxInt64 {
			return 0, false
		}
		return int64(x), true
	}
	return 0, false
}

// AsFloat64 returns any float scalar widened to float64.
func (v Value) AsFloat64() (float64, bool) {
	switch x := v.v.(type) {
	case float32:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// AsStrings returns the elements of an ARRAY of STRING.
func (v Value) AsStrings() ([]string, bool) {
	a, ok := v.AsArray()
	if !ok {
		return nil, false
	}
	s, ok := a.Items.([]string)
	return s, ok
}

// AsFloat32s returns the elements of an ARRAY of FLOAT32.
func (v Value) AsFloat32s() ([]float32, bool) {
	a, ok := v.AsArray()
	if !ok {
		return nil, false
	}
	s, ok := a.Items.([]float32)
	return s, ok
}

// AsInt32s returns the elements of an ARRAY of INT32.
func (v Value) AsInt32s() ([]int32, bool) {
	a, ok := v.AsArray()
	if !ok {
		return nil, false
	}
	s, ok := a.Items.([]int32)
	return s, ok
}

// Describe returns the type as GGUF dumps show it: "uint32", or "array[string]".
func (v Value) Describe() string {
	if a, ok := v.AsArray(); ok {
		return "array[" + a.Elem.String() + "]"
	}
	return v.Type.String()
}
