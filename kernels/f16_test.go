package kernels

import (
	"encoding/binary"
	"math"
	"testing"
)

// allHalfPatterns returns the 2^16 16-bit patterns, little-endian, in order.
func allHalfPatterns() []byte {
	src := make([]byte, 2<<16)
	for h := range 1 << 16 {
		binary.LittleEndian.PutUint16(src[2*h:], uint16(h))
	}
	return src
}

// TestHalfRowsMatchScalar checks F16ToF32Row and BF16ToF32Row (SIMD twin
// where the CPU has one) bit for bit against the scalar conversions on all
// 2^16 patterns, including NaNs, and on short rows at every tail length and
// unaligned offsets.
func TestHalfRowsMatchScalar(t *testing.T) {
	t.Logf("F16ToF32Row twin: %v, BF16ToF32Row twin: %v", f16RowHasAsm, bf16RowHasAsm)
	all := allHalfPatterns()
	for _, c := range []struct {
		name   string
		row    func([]float32, []byte)
		scalar func(uint16) float32
	}{
		{"F16ToF32Row", F16ToF32Row, F16ToF32},
		{"BF16ToF32Row", BF16ToF32Row, BF16ToF32},
	} {
		check := func(what string, dst []float32, src []byte) {
			t.Helper()
			for i, f := range dst {
				h := binary.LittleEndian.Uint16(src[2*i:])
				if got, want := math.Float32bits(f), math.Float32bits(c.scalar(h)); got != want {
					t.Fatalf("%s %s: element %d (%#04x) = %#08x, want %#08x", c.name, what, i, h, got, want)
				}
			}
		}
		dst := make([]float32, 1<<16)
		c.row(dst, all)
		check("all patterns", dst, all)
		for off := range 3 { // unaligned source and destination
			for n := range 70 {
				src := all[2*(0x7c00-8*n)+off : 2*(0x7c00-8*n)+off+2*n]
				out := make([]float32, n+1)
				out[n] = -1 // sentinel: must stay untouched
				c.row(out[:n], src)
				check("short row", out[:n], src)
				if out[n] != -1 {
					t.Fatalf("%s: wrote past a row of %d", c.name, n)
				}
				if off == 0 && n > 0 {
					c.row(out[1:n+1], src) // destination unaligned by 4 bytes
					check("unaligned dst", out[1:n+1], src)
				}
			}
		}
	}
}

// TestHalfRowsShortSource checks that a source shorter than 2·len(dst)
// panics (in Go, before any SIMD code reads it).
func TestHalfRowsShortSource(t *testing.T) {
	for name, row := range map[string]func([]float32, []byte){"F16ToF32Row": F16ToF32Row, "BF16ToF32Row": BF16ToF32Row} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s with a short source did not panic", name)
				}
			}()
			row(make([]float32, 16), make([]byte, 30))
		}()
	}
}

// BenchmarkHalfRows measures the fp16/bf16 row decoders, with and without
// the SIMD twin (MB/s of float32 output).
func BenchmarkHalfRows(b *testing.B) {
	const n = 4096
	src := allHalfPatterns()[:2*n]
	dst := make([]float32, n)
	for _, c := range []struct {
		name string
		row  func([]float32, []byte)
	}{
		{"f16", F16ToF32Row}, {"f16-go", f16ToF32RowGo},
		{"bf16", BF16ToF32Row}, {"bf16-go", bf16ToF32RowGo},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(4 * n)
			for b.Loop() {
				c.row(dst, src)
			}
		})
	}
}
