package codec

import (
	"math/rand/v2"
	"testing"
)

// benchRows×benchCols is the tensor every benchmark converts (256 KiB of
// float32, one worker so the numbers are per core).
const benchRows, benchCols = 16, 4096

func benchInput(b *testing.B) ([]float32, []float32) {
	b.Helper()
	rng := rand.New(rand.NewPCG(11, 12))
	x := randomRows(rng, 0, benchRows*benchCols)
	im := make([]float32, benchCols)
	for i := range im {
		im[i] = float32(rng.ExpFloat64())
	}
	return x, im
}

// BenchmarkQuantize reports MB/s of float32 input per type (and with an
// importance matrix where the type uses one).
func BenchmarkQuantize(b *testing.B) {
	x, im := benchInput(b)
	for _, typ := range allTypes {
		rs, _ := rowSize(typ, benchCols)
		dst := make([]byte, benchRows*rs)
		variants := []struct {
			name string
			im   []float32
		}{{typ.String(), nil}}
		if UsesIMatrix(typ) {
			variants = append(variants, struct {
				name string
				im   []float32
			}{typ.String() + "-imatrix", im})
		}
		for _, v := range variants {
			b.Run(v.name, func(b *testing.B) {
				b.SetBytes(int64(4 * len(x)))
				for b.Loop() {
					if err := Quantize(typ, dst, x, benchCols, v.im, 1); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkDequantize reports MB/s of float32 output per type.
func BenchmarkDequantize(b *testing.B) {
	x, _ := benchInput(b)
	for _, typ := range allTypes {
		rs, _ := rowSize(typ, benchCols)
		q := make([]byte, benchRows*rs)
		if err := Quantize(typ, q, x, benchCols, nil, 0); err != nil {
			b.Fatal(err)
		}
		dst := make([]float32, len(x))
		b.Run(typ.String(), func(b *testing.B) {
			b.SetBytes(int64(4 * len(x)))
			for b.Loop() {
				if err := Dequantize(typ, dst, q, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
