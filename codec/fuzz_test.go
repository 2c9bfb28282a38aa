package codec

import (
	"encoding/binary"
	"github.com/zqtool/zq/ggml"
	"math"
	"testing"
)

// fuzzType picks one of allTypes from a fuzzer byte.
func fuzzType(sel uint8) ggml.Type { return allTypes[int(sel)%len(allTypes)] }

// FuzzDequantize decodes arbitrary bytes as every supported type: no panic,
// every value written, and finite output quantizes again without error.
// Seed corpus: testdata/fuzz/FuzzDequantize.
func FuzzDequantize(f *testing.F) {
	f.Add([]byte{}, uint8(0))
	f.Add(make([]byte, 300), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, sel uint8) {
		typ := fuzzType(sel)
		ts := typ.TypeSize()
		data = data[:len(data)/ts*ts]
		dst := make([]float32, len(data)/ts*typ.BlockSize())
		for i := range dst {
			dst[i] = 12345 // sentinel: every value must be overwritten
		}
		if err := DequantizeRow(typ, dst, data); err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		finite := true
		for i, v := range dst {
			if v == 12345 && !sentinelPossible(typ) {
				t.Fatalf("%s: value %d not written", typ, i)
			}
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				finite = false
			}
		}
		if finite {
			q := make([]byte, len(data))
			if err := QuantizeRow(typ, q, dst, nil); err != nil {
				t.Fatalf("%s: re-quantizing finite decoded values: %v", typ, err)
			}
		}
	})
}

// sentinelPossible reports whether a type can decode exactly to the
// sentinel 12345 (only the float types).
func sentinelPossible(t ggml.Type) bool { return t.BlockSize() == 1 }

// FuzzQuantize quantizes arbitrary float32 bit patterns (with and without an
// importance vector): NaN/Inf must be reported, anything else must quantize
// and decode without panicking. Seed corpus: testdata/fuzz/FuzzQuantize.
func FuzzQuantize(f *testing.F) {
	f.Add([]byte{}, uint8(0), false)
	f.Add(make([]byte, 1024), uint8(8), true)
	f.Fuzz(func(t *testing.T, data []byte, sel uint8, withIM bool) {
		typ := fuzzType(sel)
		n := len(data) / 4 / typ.BlockSize() * typ.BlockSize()
		x := make([]float32, n)
		hasNonFinite := false
		for i := range x {
			x[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
			if math.IsNaN(float64(x[i])) || math.IsInf(float64(x[i]), 0) {
				hasNonFinite = true
			}
		}
		var im []float32
		if withIM {
			im = make([]float32, n)
			for i := range im {
				im[i] = float32(i%7) * 0.25
			}
		}
		rs, err := rowSize(typ, n)
		if err != nil {
			t.Fatal(err)
		}
		q := make([]byte, rs)
		err = QuantizeRow(typ, q, x, im)
		if hasNonFinite != (err != nil) {
			t.Fatalf("%s: non-finite input %v, error %v", typ, hasNonFinite, err)
		}
		if err == nil {
			if err := DequantizeRow(typ, make([]float32, n), q); err != nil {
				t.Fatalf("%s: %v", typ, err)
			}
		}
	})
}
