package kernels

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

const kqGoldenDir = "../testdata/golden/quants"

// kqType describes one K-quant type for the table-driven tests.
type kqType struct {
	name       string // golden file infix, e.g. "q4_K"
	blockBytes int
	quantize   func(dst []byte, src, weights []float32)
	dequantize func(dst []float32, src []byte)
}

var kqTypes = []kqType{
	{"q2_K", kqBytesQ2K, QuantizeQ2_K, DequantizeQ2_K},
	{"q3_K", kqBytesQ3K, QuantizeQ3_K, DequantizeQ3_K},
	{"q4_K", kqBytesQ4K, QuantizeQ4_K, DequantizeQ4_K},
	{"q5_K", kqBytesQ5K, QuantizeQ5_K, DequantizeQ5_K},
	{"q6_K", kqBytesQ6K, QuantizeQ6_K, DequantizeQ6_K},
}

// kqManifest is the part of manifest.json the tests use.
type kqManifest struct {
	Rows  int `json:"rows"`
	Cols  int `json:"cols"`
	Cases []struct {
		Name    string   `json:"name"`
		Outputs []string `json:"outputs"`
	} `json:"cases"`
}

func kqReadManifest(t testing.TB) kqManifest {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(kqGoldenDir, "manifest.json"))
	if err != nil {
		t.Fatalf("golden manifest: %v", err)
	}
	var m kqManifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("golden manifest: %v", err)
	}
	if m.Rows <= 0 || m.Cols <= 0 || m.Cols%kqBlock != 0 || len(m.Cases) == 0 {
		t.Fatalf("golden manifest: unusable shape rows=%d cols=%d cases=%d", m.Rows, m.Cols, len(m.Cases))
	}
	return m
}

func kqReadFile(t testing.TB, name string, wantLen int) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(kqGoldenDir, name))
	if err != nil {
		t.Fatalf("golden file: %v", err)
	}
	if len(b) != wantLen {
		t.Fatalf("golden file %s: %d bytes, want %d", name, len(b), wantLen)
	}
	return b
}

func kqReadF32(t testing.TB, name string, n int) []float32 {
	t.Helper()
	b := kqReadFile(t, name, 4*n)
	out := make([]float32, n)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

// kqFirstByteDiff reports the first differing byte as "block b byte o".
func kqFirstByteDiff(got, want []byte, blockBytes int) string {
	for i := range want {
		if got[i] != want[i] {
			return fmt.Sprintf("block %d byte %d: got %#02x want %#02x", i/blockBytes, i%blockBytes, got[i], want[i])
		}
	}
	return ""
}

// kqFirstFloatDiff reports the first float32 whose bits differ.
func kqFirstFloatDiff(got, want []float32) string {
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			return fmt.Sprintf("block %d element %d: got %v (%#08x) want %v (%#08x)",
				i/kqBlock, i%kqBlock, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
	return ""
}

// TestKQuantsGolden checks every K-quant against ggml's bytes and
// dequantized floats for all golden inputs, with and without imatrix.
func TestKQuantsGolden(t *testing.T) {
	m := kqReadManifest(t)
	n := m.Rows * m.Cols
	for _, c := range m.Cases {
		src := kqReadF32(t, c.Name+".f32", n)
		imat := kqReadF32(t, c.Name+".imatrix.f32", m.Cols)
		tiled := make([]float32, 0, n)
		for r := 0; r < m.Rows; r++ {
			tiled = append(tiled, imat...)
		}
		for _, typ := range kqTypes {
			for _, withIM := range []bool{false, true} {
				suffix := typ.name
				var weights []float32
				if withIM {
					suffix += ".imatrix"
					weights = tiled
				}
				t.Run(c.Name+"/"+suffix, func(t *testing.T) {
					if !slices.Contains(c.Outputs, suffix) {
						t.Fatalf("manifest lists no %s output for case %s", suffix, c.Name)
					}
					size := n / kqBlock * typ.blockBytes
					wantBytes := kqReadFile(t, c.Name+"."+suffix+".bin", size)
					wantF := kqReadF32(t, c.Name+"."+suffix+".dequant.f32", n)

					got := make([]byte, size)
					typ.quantize(got, src, weights)
					if d := kqFirstByteDiff(got, wantBytes, typ.blockBytes); d != "" {
						t.Errorf("quantize: %s", d)
					}
					// Dequantize ggml's own bytes, so the decoder is checked
					// independently of the encoder.
					gotF := make([]float32, n)
					typ.dequantize(gotF, wantBytes)
					if d := kqFirstFloatDiff(gotF, wantF); d != "" {
						t.Errorf("dequantize: %s", d)
					}
				})
			}
		}
	}
}

// TestKQuantsRowIndependence checks that quantizing row by row equals
// quantizing all rows at once (the dispatch ggml uses for the reference
// path) and that the input is not modified.
func TestKQuantsRowIndependence(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const rows, cols = 3, 512
	src := make([]float32, rows*cols)
	w := make([]float32, rows*cols)
	for i := range src {
		src[i] = float32(rng.NormFloat64())
		w[i] = float32(rng.Float64() + 0.01)
	}
	orig := slices.Clone(src)
	for _, typ := range kqTypes {
		for _, weights := range [][]float32{nil, w} {
			all := make([]byte, rows*cols/kqBlock*typ.blockBytes)
			typ.quantize(all, src, weights)
			rb := cols / kqBlock * typ.blockBytes
			for r := 0; r < rows; r++ {
				one := make([]byte, rb)
				var rw []float32
				if weights != nil {
					rw = weights[r*cols : (r+1)*cols]
				}
				typ.quantize(one, src[r*cols:(r+1)*cols], rw)
				if d := kqFirstByteDiff(one, all[r*rb:(r+1)*rb], typ.blockBytes); d != "" {
					t.Errorf("%s weights=%v row %d: %s", typ.name, weights != nil, r, d)
				}
			}
		}
	}
	if !slices.Equal(src, orig) {
		t.Fatal("quantizers modified their input")
	}
}

// TestQ8KRoundTrip checks Q8_K codes, bsums and reconstruction error.
func TestQ8KRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	cases := []struct {
		name string
		gen  func(i int) float32
	}{
		{"gauss", func(int) float32 { return float32(rng.NormFloat64()) }},
		{"positive", func(int) float32 { return float32(rng.Float64()) * 100 }},
		{"zeros", func(int) float32 { return 0 }},
		{"ramp", func(i int) float32 { return float32(i%256) - 128 }},
		{"tiny", func(int) float32 { return float32(rng.NormFloat64() * 1e-30) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			const n = 2 * kqBlock
			src := make([]float32, n)
			for i := range src {
				src[i] = c.gen(i)
			}
			q := make([]byte, n/kqBlock*kqBytesQ8K)
			for i := range q {
				q[i] = 0xAB // stale data must be overwritten
			}
			QuantizeQ8_K(q, src)
			out := make([]float32, n)
			DequantizeQ8_K(out, q)
			for b := 0; b < n/kqBlock; b++ {
				blk := q[b*kqBytesQ8K : (b+1)*kqBytesQ8K]
				x := src[b*kqBlock : (b+1)*kqBlock]
				d := math.Float32frombits(binary.LittleEndian.Uint32(blk))
				var amax float32
				for _, v := range x {
					amax = max(amax, absC(v))
				}
				if amax == 0 {
					if d != 0 {
						t.Fatalf("block %d: all-zero input gave d=%v", b, d)
					}
				} else if got := absC(d) * 127; math.Abs(float64(got-amax)) > 1e-5*float64(amax) {
					t.Fatalf("block %d: |d|·127 = %v, want ≈ %v", b, got, amax)
				}
				for g := 0; g < 16; g++ {
					sum := 0
					for _, v := range blk[4+16*g : 4+16*g+16] {
						sum += int(int8(v))
					}
					if bs := int(int16(binary.LittleEndian.Uint16(blk[260+2*g:]))); bs != sum {
						t.Fatalf("block %d bsum %d = %d, want %d", b, g, bs, sum)
					}
				}
				for j, v := range x {
					y := out[b*kqBlock+j]
					if e := math.Abs(float64(y - v)); e > 0.5001*math.Abs(float64(d))+1e-45 {
						t.Fatalf("block %d element %d: %v decoded as %v (d=%v)", b, j, v, y, d)
					}
				}
			}
		})
	}
}

// TestKQuantHelpers pins a few helper behaviours the golden data relies on.
func TestKQuantHelpers(t *testing.T) {
	ni := []struct {
		in   float32
		want int32
	}{{0.5, 0}, {1.5, 2}, {2.5, 2}, {-0.5, 0}, {-1.5, -2}, {3.49, 3}, {-7.6, -8}}
	for _, c := range ni {
		if got := nearestIntC(c.in); got != c.want {
			t.Errorf("nearestIntC(%v) = %d, want %d", c.in, got, c.want)
		}
	}
	f16 := []struct {
		in   float32
		want uint16
	}{{0, 0}, {float32(math.Copysign(0, -1)), 0x8000}, {1, 0x3c00}, {65520, 0x7c00}, {5.9604645e-08, 0x0001}, {float32(math.NaN()), 0x7e00}}
	for _, c := range f16 {
		if got := F32ToF16(c.in); got != c.want {
			t.Errorf("F32ToF16(%v) = %#04x, want %#04x", c.in, got, c.want)
		}
	}
	var q [12]byte
	for j := 0; j < 8; j++ {
		kqPutScaleMinK4(j, q[:], uint8(63-j*7), uint8(j*9))
	}
	for j := 0; j < 8; j++ {
		if s, m := kqGetScaleMinK4(j, q[:]); s != uint8(63-j*7) || m != uint8(j*9) {
			t.Errorf("scale/min %d round trip: got (%d,%d)", j, s, m)
		}
	}
}

// TestKQuantsHostileInput checks that non-finite and extreme values never
// crash a quantizer or dequantizer (the bytes are whatever ggml's
// arithmetic yields; validation of d/dmin happens elsewhere).
func TestKQuantsHostileInput(t *testing.T) {
	specials := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)),
		math.MaxFloat32, -math.MaxFloat32, 1e-45, -1e-45, 0}
	src := make([]float32, 2*kqBlock)
	w := make([]float32, len(src))
	for i := range src {
		src[i] = specials[i%len(specials)]
		if i >= kqBlock { // second block: one special among normal values
			src[i] = float32(i%7) - 3
			w[i] = specials[i%len(specials)]
		}
	}
	src[kqBlock+5] = float32(math.NaN())
	out := make([]float32, len(src))
	for _, typ := range kqTypes {
		for _, weights := range [][]float32{nil, w} {
			q := make([]byte, len(src)/kqBlock*typ.blockBytes)
			typ.quantize(q, src, weights)
			typ.dequantize(out, q)
		}
	}
	q := make([]byte, len(src)/kqBlock*kqBytesQ8K)
	QuantizeQ8_K(q, src)
	DequantizeQ8_K(out, q)
}

// TestKQuantsPreconditions checks that mis-sized buffers are reported with
// a panic naming the kernel rather than silently truncating.
func TestKQuantsPreconditions(t *testing.T) {
	cases := []struct {
		name string
		call func()
	}{
		{"src not multiple of 256", func() { QuantizeQ4_K(make([]byte, 144), make([]float32, 255), nil) }},
		{"dst too small", func() { QuantizeQ2_K(make([]byte, 83), make([]float32, 256), nil) }},
		{"weights wrong length", func() { QuantizeQ6_K(make([]byte, 210), make([]float32, 256), make([]float32, 128)) }},
		{"dequant src short", func() { DequantizeQ5_K(make([]float32, 256), make([]byte, 175)) }},
		{"q8_K dst long", func() { QuantizeQ8_K(make([]byte, 293), make([]float32, 256)) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				r := recover()
				msg, ok := r.(string)
				if !ok || len(msg) < len("kernels.") || msg[:len("kernels.")] != "kernels." {
					t.Fatalf("want a kernels.* panic message, got %v", r)
				}
			}()
			c.call()
		})
	}
}
