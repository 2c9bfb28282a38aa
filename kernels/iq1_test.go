package kernels

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

func init() {
	mulCases = append(mulCases,
		mulCase{name: "iq1_s", k: MatIQ1_S, block: 256, size: blockIQ1S, quant: iq1Quant(QuantizeIQ1_S, true), deq: DequantizeIQ1_S, fp16: []int{0}},
		mulCase{name: "iq1_m", k: MatIQ1_M, block: 256, size: blockIQ1M, quant: iq1Quant(QuantizeIQ1_M, false), deq: DequantizeIQ1_M,
			panel16: true, putScale: putIQ1MScale},
	)
}

// iq1Quant adapts an IQ1 quantizer for the kernel tests: one row, unit
// importance weights when unit is set, a failure panics.
func iq1Quant(q func(dst []byte, src, w, before []float32) error, unit bool) func(dst []byte, src []float32) {
	return func(dst []byte, src []float32) {
		var w []float32
		if unit {
			w = make([]float32, len(src))
			for i := range w {
				w[i] = 1
			}
		}
		if err := q(dst, src, w, nil); err != nil {
			panic(err)
		}
	}
}

// putIQ1MScale stores fp16 h as an IQ1_M block's scale (the top nibbles of
// its four scale words).
func putIQ1MScale(b []byte, h uint16) {
	for i := 0; i < 4; i++ {
		o := b[48+2*i:]
		w := binary.LittleEndian.Uint16(o)&0x0fff | (h>>(4*i)&0xf)<<12
		binary.LittleEndian.PutUint16(o, w)
	}
}

// TestIQ1Grid checks the decoding grid against the code book: value l−1
// for each level l, and no level 3.
func TestIQ1Grid(t *testing.T) {
	for i, g := range iq1Grid {
		for k := 0; k < 8; k++ {
			l := int8(g >> (2 * k) & 3)
			if l == 3 {
				t.Fatalf("grid point %d has level 3", i)
			}
			if v := iq1Value(iq1Dec[i], k); v != l-1 {
				t.Fatalf("grid point %d value %d decodes to %d, want %d", i, k, v, l-1)
			}
		}
		if i > 0 && iq1Grid[i-1] >= g {
			t.Fatalf("code book not increasing at %d", i)
		}
	}
}

// TestIQ1Carry checks the state ggml carries from row to row: a row whose
// sub-block is too small to quantize takes the delta sign (IQ1_S) or shift
// choice (IQ1_M) of the latest earlier row that quantized that sub-block,
// so quantizing the rows one at a time with before set gives the bytes of
// quantizing them as one long row.
func TestIQ1Carry(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	const n, rows = 512, 4
	x := make([]float32, n*rows)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	// Row 1 super-block 1 and row 3 super-block 0: zero sub-blocks; row 2
	// entirely zero (no state from it).
	clear(x[n+256+64 : n+256+128])
	clear(x[2*n : 3*n])
	clear(x[3*n : 3*n+32])
	w := make([]float32, n)
	for i := range w {
		w[i] = float32(r.Float64() + 0.5)
	}
	wLong := make([]float32, n*rows)
	for i := range wLong {
		wLong[i] = w[i%n]
	}
	for _, c := range []struct {
		name string
		size int
		q    func(dst []byte, src, w, before []float32) error
	}{{"iq1_s", blockIQ1S, QuantizeIQ1_S}, {"iq1_m", blockIQ1M, QuantizeIQ1_M}} {
		long := make([]byte, len(x)/256*c.size)
		if err := c.q(long, x, wLong, nil); err != nil {
			t.Fatal(err)
		}
		rb := n / 256 * c.size
		for row := 0; row < rows; row++ {
			got := make([]byte, rb)
			if err := c.q(got, x[row*n:(row+1)*n], w, x[:row*n]); err != nil {
				t.Fatal(err)
			}
			if string(got) != string(long[row*rb:(row+1)*rb]) {
				t.Errorf("%s row %d: bytes differ from the one-call quantization", c.name, row)
			}
		}
	}
}

// BenchmarkQuantizeIQ1 measures the quantizers on one 4096-value row with
// importance weights (tables built beforehand).
func BenchmarkQuantizeIQ1(b *testing.B) {
	iq1Table()
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, 4096)
	w := make([]float32, 4096)
	for i := range x {
		x[i] = float32(r.NormFloat64())
		w[i] = float32(r.Float64() + 0.1)
	}
	for _, c := range []struct {
		name string
		size int
		q    func(dst []byte, src, w, before []float32) error
	}{{"iq1_s", blockIQ1S, QuantizeIQ1_S}, {"iq1_m", blockIQ1M, QuantizeIQ1_M}} {
		buf := make([]byte, len(x)/256*c.size)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(4 * len(x)))
			for b.Loop() {
				if err := c.q(buf, x, w, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestIQ1Extreme feeds both quantizers rows mixing huge, tiny and zero
// values with importance weights that are sometimes zero: they must return
// (an error where ggml would abort) without panicking, and whatever they
// write must decode.
func TestIQ1Extreme(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	vals := []float32{3e38, -3e38, 1e19, -1e19, 1e-30, -1e-30, 0, 1, -0.5, 1e-8}
	const n = 512
	x, w := make([]float32, n), make([]float32, n)
	y := make([]float32, n)
	for trial := 0; trial < 40; trial++ {
		for i := range x {
			x[i] = vals[r.IntN(len(vals))]
			w[i] = []float32{0, 1, 1e-30, 3e38}[r.IntN(4)]
		}
		for _, c := range []struct {
			size int
			q    func(dst []byte, src, w, before []float32) error
			dq   func(dst []float32, src []byte)
		}{{blockIQ1S, QuantizeIQ1_S, DequantizeIQ1_S}, {blockIQ1M, QuantizeIQ1_M, DequantizeIQ1_M}} {
			buf := make([]byte, n/256*c.size)
			_ = c.q(buf, x, w, x) // before: the same values again
			c.dq(y, buf)
		}
	}
}
