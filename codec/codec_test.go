package codec

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/zqtool/zq/ggml"
)

// allTypes lists every type the issue requires, plus the activation formats.
var allTypes = []ggml.Type{
	ggml.TypeF32, ggml.TypeF16, ggml.TypeBF16,
	ggml.TypeQ4_0, ggml.TypeQ4_1, ggml.TypeQ5_0, ggml.TypeQ5_1, ggml.TypeQ8_0,
	ggml.TypeQ2_K, ggml.TypeQ3_K, ggml.TypeQ4_K, ggml.TypeQ5_K, ggml.TypeQ6_K,
	ggml.TypeIQ4_NL, ggml.TypeIQ4_XS, ggml.TypeTQ1_0, ggml.TypeTQ2_0,
	ggml.TypeQ8_K, ggml.TypeQ8_1,
}

// TestSupports checks the table against the required types and a few that
// zq does not implement.
func TestSupports(t *testing.T) {
	for _, typ := range allTypes {
		if !Supports(typ) {
			t.Errorf("Supports(%s) = false", typ)
		}
	}
	for _, typ := range []ggml.Type{ggml.TypeMXFP4, ggml.TypeI8, ggml.TypeF64, ggml.Type(4), ggml.Type(1000)} {
		if Supports(typ) {
			t.Errorf("Supports(%s) = true", typ)
		}
	}
	uses := map[ggml.Type]bool{
		ggml.TypeQ4_0: true, ggml.TypeQ4_1: true, ggml.TypeQ5_0: true, ggml.TypeQ5_1: true,
		ggml.TypeQ2_K: true, ggml.TypeQ3_K: true, ggml.TypeQ4_K: true, ggml.TypeQ5_K: true, ggml.TypeQ6_K: true,
		ggml.TypeIQ4_NL: true, ggml.TypeIQ4_XS: true,
	}
	for _, typ := range allTypes {
		if UsesIMatrix(typ) != uses[typ] {
			t.Errorf("UsesIMatrix(%s) = %v, want %v", typ, UsesIMatrix(typ), uses[typ])
		}
	}
}

// TestWorkerCountDeterminism quantizes and dequantizes one tensor with
// several worker counts and requires identical output.
func TestWorkerCountDeterminism(t *testing.T) {
	const rows, cols = 37, 512
	rng := rand.New(rand.NewPCG(7, 7))
	x := randomRows(rng, 1, rows*cols)
	im := make([]float32, cols)
	for i := range im {
		im[i] = float32(rng.ExpFloat64())
	}
	for _, typ := range allTypes {
		rs, err := rowSize(typ, cols)
		if err != nil {
			t.Fatal(err)
		}
		var refQ []byte
		var refD []float32
		for _, w := range []int{1, 2, 3, 8, 100, 0, -1} {
			q := make([]byte, rows*rs)
			if err := Quantize(typ, q, x, cols, im, w); err != nil {
				t.Fatal(err)
			}
			d := make([]float32, len(x))
			if err := Dequantize(typ, d, q, w); err != nil {
				t.Fatal(err)
			}
			if refQ == nil {
				refQ, refD = q, d
				// The tensor API must agree with the row API too.
				for r := 0; r < rows; r++ {
					row := make([]byte, rs)
					if err := QuantizeRow(typ, row, x[r*cols:(r+1)*cols], im); err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(row, q[r*rs:(r+1)*rs]) {
						t.Fatalf("%s: QuantizeRow of row %d differs from Quantize", typ, r)
					}
					drow := make([]float32, cols)
					if err := DequantizeRow(typ, drow, row); err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(drow, d[r*cols:(r+1)*cols]) {
						t.Fatalf("%s: DequantizeRow of row %d differs from Dequantize", typ, r)
					}
				}
				continue
			}
			if !bytes.Equal(q, refQ) {
				t.Errorf("%s: quantized bytes with %d workers differ from 1 worker", typ, w)
			}
			if !slices.Equal(d, refD) {
				t.Errorf("%s: dequantized values with %d workers differ from 1 worker", typ, w)
			}
		}
	}
}

// TestIMatrixIgnored checks that types ggml quantizes without an importance
// matrix give the same bytes with one.
func TestIMatrixIgnored(t *testing.T) {
	const n = 512
	rng := rand.New(rand.NewPCG(3, 4))
	x := randomRows(rng, 0, n)
	im := make([]float32, n)
	for i := range im {
		im[i] = float32(rng.ExpFloat64())
	}
	for _, typ := range allTypes {
		if UsesIMatrix(typ) {
			continue
		}
		rs, _ := rowSize(typ, n)
		a, b := make([]byte, rs), make([]byte, rs)
		if err := QuantizeRow(typ, a, x, nil); err != nil {
			t.Fatal(err)
		}
		if err := QuantizeRow(typ, b, x, im); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s: importance matrix changed the output", typ)
		}
	}
}

// TestErrors feeds bad shapes and values and checks the error text names
// the type and the problem.
func TestErrors(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(-1))
	x256 := make([]float32, 256)
	withNaN := slices.Clone(x256)
	withNaN[17] = nan
	withInf := slices.Clone(x256)
	withInf[255] = inf
	cases := []struct {
		name string
		run  func() error
		want []string
	}{
		{"row not a block multiple", func() error {
			return QuantizeRow(ggml.TypeQ4_K, make([]byte, 144), make([]float32, 1000), nil)
		}, []string{"q4_K", "row length 1000 is not a multiple of 256"}},
		{"dst too small", func() error { return QuantizeRow(ggml.TypeQ4_0, make([]byte, 17), make([]float32, 32), nil) },
			[]string{"q4_0", "17 bytes", "expected 18"}},
		{"imatrix length", func() error { return QuantizeRow(ggml.TypeIQ4_XS, make([]byte, 136), x256, make([]float32, 255)) },
			[]string{"iq4_xs", "importance matrix has 255 entries", "256"}},
		{"imatrix NaN", func() error {
			im := make([]float32, 256)
			im[3] = nan
			return QuantizeRow(ggml.TypeQ2_K, make([]byte, 84), x256, im)
		}, []string{"q2_K", "importance matrix entry 3"}},
		{"imatrix negative", func() error {
			im := make([]float32, 256)
			im[9] = -1
			return QuantizeRow(ggml.TypeQ4_0, make([]byte, 8*18), x256, im)
		}, []string{"q4_0", "entry 9", ">= 0"}},
		{"NaN input", func() error { return QuantizeRow(ggml.TypeQ8_0, make([]byte, 8*34), withNaN, nil) },
			[]string{"q8_0", "index 17", "NaN", "finite"}},
		{"Inf input", func() error { return QuantizeRow(ggml.TypeF16, make([]byte, 512), withInf, nil) },
			[]string{"f16", "index 255", "-Inf"}},
		{"Inf in tensor", func() error {
			x := make([]float32, 3*256)
			x[2*256+5] = inf
			return Quantize(ggml.TypeTQ1_0, make([]byte, 3*54), x, 256, nil, 2)
		}, []string{"tq1_0", "row 2, column 5"}},
		{"unsupported type", func() error { return QuantizeRow(ggml.TypeMXFP4, nil, nil, nil) },
			[]string{"mxfp4", "not supported"}},
		{"invalid type id", func() error { return DequantizeRow(ggml.Type(99), nil, nil) },
			[]string{"type(99)", "not supported"}},
		{"dequant partial block", func() error { return DequantizeRow(ggml.TypeQ6_K, make([]float32, 256), make([]byte, 209)) },
			[]string{"q6_K", "209 bytes", "210-byte blocks"}},
		{"dequant dst size", func() error { return DequantizeRow(ggml.TypeQ5_1, make([]float32, 33), make([]byte, 24)) },
			[]string{"q5_1", "33 values", "expected 32"}},
		{"tensor row length zero", func() error { return Quantize(ggml.TypeF16, nil, nil, 0, nil, 1) },
			[]string{"f16", "row length 0"}},
		{"tensor ragged", func() error { return Quantize(ggml.TypeF16, make([]byte, 20), make([]float32, 10), 4, nil, 1) },
			[]string{"f16", "10 values", "rows of 4"}},
		{"tensor row not a block multiple", func() error {
			return Quantize(ggml.TypeQ3_K, make([]byte, 110), make([]float32, 2*100), 100, nil, 1)
		}, []string{"q3_K", "row length 100 is not a multiple of 256"}},
		{"tensor dst size", func() error {
			return Quantize(ggml.TypeQ8_0, make([]byte, 33), make([]float32, 32), 32, nil, 1)
		}, []string{"q8_0", "33 bytes", "expected 34"}},
		{"tensor imatrix length", func() error {
			return Quantize(ggml.TypeQ4_1, make([]byte, 40), make([]float32, 64), 32, make([]float32, 64), 1)
		}, []string{"q4_1", "64 entries", "(32)"}},
		{"dequant tensor", func() error { return Dequantize(ggml.TypeTQ2_0, make([]float32, 256), make([]byte, 65), 4) },
			[]string{"tq2_0", "65 bytes"}},
	}
	for _, c := range cases {
		err := c.run()
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", c.name, err, w)
			}
		}
	}
}

// TestEmpty accepts zero-length rows and tensors.
func TestEmpty(t *testing.T) {
	for _, typ := range allTypes {
		if err := QuantizeRow(typ, nil, nil, nil); err != nil {
			t.Errorf("%s: QuantizeRow of nothing: %v", typ, err)
		}
		if err := DequantizeRow(typ, nil, nil); err != nil {
			t.Errorf("%s: DequantizeRow of nothing: %v", typ, err)
		}
		if err := Quantize(typ, nil, nil, typ.BlockSize(), nil, 4); err != nil {
			t.Errorf("%s: Quantize of nothing: %v", typ, err)
		}
		if err := Dequantize(typ, nil, nil, 4); err != nil {
			t.Errorf("%s: Dequantize of nothing: %v", typ, err)
		}
	}
}

// TestExtremeInputs quantizes finite extremes (huge, tiny, subnormal, mixed
// signs) for every type: no panic, and the output decodes to finite values
// wherever fp16 can hold the block's scale.
func TestExtremeInputs(t *testing.T) {
	const n = 512
	fill := func(f func(i int) float32) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = f(i)
		}
		return x
	}
	inputs := map[string][]float32{
		"zeros":      make([]float32, n),
		"neg zeros":  fill(func(int) float32 { return float32(math.Copysign(0, -1)) }),
		"subnormals": fill(func(i int) float32 { return math.Float32frombits(uint32(i*7919) & 0x807fffff) }),
		"tiny":       fill(func(i int) float32 { return float32(i-256) * 1e-38 }),
		"max":        fill(func(i int) float32 { return float32(1-2*(i&1)) * math.MaxFloat32 }),
		"alternate":  fill(func(i int) float32 { return float32(i%3-1) * 1e4 }),
		"one spike":  fill(func(i int) float32 { return float32(i/511) * 3e38 }),
	}
	im := fill(func(i int) float32 { return float32(i % 5) })
	for name, x := range inputs {
		for _, typ := range allTypes {
			rs, _ := rowSize(typ, n)
			q := make([]byte, rs)
			for _, w := range [][]float32{nil, im} {
				if err := QuantizeRow(typ, q, x, w); err != nil {
					t.Fatalf("%s %s: %v", name, typ, err)
				}
				d := make([]float32, n)
				if err := DequantizeRow(typ, d, q); err != nil {
					t.Fatalf("%s %s: %v", name, typ, err)
				}
				if name == "zeros" || name == "neg zeros" {
					for i, v := range d {
						if v != 0 {
							t.Fatalf("%s %s: value %d decodes to %v, want 0", name, typ, i, v)
						}
					}
				}
			}
		}
	}
}
