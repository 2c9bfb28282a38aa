package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/x448/float16"
)

// Float32 decodes the named tensor into float32 values, reusing dst's
// storage when it is large enough (the result is dst[:0] grown to
// NumElements). F32, F16 and BF16 are supported; the conversions are exact.
// Other dtypes are an error naming the tensor and its dtype.
func (m *Model) Float32(name string, dst []float32) ([]float32, error) {
	b, t, err := m.view(name)
	if err != nil {
		return dst[:0], err
	}
	var decode func([]float32, []byte)
	switch t.DType {
	case F32:
		decode = decodeF32
	case F16:
		decode = decodeF16
	case BF16:
		decode = decodeBF16
	default:
		return dst[:0], fmt.Errorf("safetensors: %s: tensor %q has dtype %s; Float32 supports F32, F16 and BF16",
			t.Shard, name, t.DType)
	}
	n := len(b) / t.DType.Size()
	out := slices.Grow(dst[:0], n)[:n]
	decode(out, b)
	return out, nil
}

// decodeBF16 converts len(dst) little-endian bfloat16 values: the 16 bits
// become the high half of a float32.
func decodeBF16(dst []float32, src []byte) {
	for i := range dst {
		s := src[2*i : 2*i+2 : 2*i+2]
		dst[i] = math.Float32frombits(uint32(s[0])<<16 | uint32(s[1])<<24)
	}
}

// decodeF16 converts len(dst) little-endian IEEE half-precision values.
func decodeF16(dst []float32, src []byte) {
	for i := range dst {
		s := src[2*i : 2*i+2 : 2*i+2]
		dst[i] = float16.Frombits(uint16(s[0]) | uint16(s[1])<<8).Float32()
	}
}

// decodeF32 copies len(dst) little-endian float32 values.
func decodeF32(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i : 4*i+4 : 4*i+4]))
	}
}
