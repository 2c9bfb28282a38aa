//go:build amd64 && !purego

package kernels

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// tileFamilies are the integer tile implementations this CPU can run.
func tileFamilies() []struct {
	name  string
	tiles q8Tiles
} {
	f := Features()
	fams := []struct {
		name  string
		tiles q8Tiles
	}{{"go", q8TilesGo}}
	if f.AVX2 && f.FMA && f.F16C {
		fams = append(fams, struct {
			name  string
			tiles q8Tiles
		}{"avx2", q8AVX2Tiles()})
	}
	if hasVNNI(f) {
		fams = append(fams, struct {
			name  string
			tiles q8Tiles
		}{"vnni", q8ZTiles()})
	}
	return fams
}

// withTiles runs fn with the integer tiles (and float tiles) replaced.
func withTiles(q q8Tiles, f *fTiles, fn func()) {
	sq, sf := q8TileImpl, fTileImpl
	q8TileImpl, fTileImpl = q, f
	defer func() { q8TileImpl, fTileImpl = sq, sf }()
	fn()
}

// TestMatKernelsEveryPath runs the kernel checks on every tile family the
// CPU has (not only the one dispatch picked), compares each with the
// pure-Go twin within the rounding bound, and checks that the AVX2 and VNNI
// tiles, whose integer lane sums are equal, give identical bits.
func TestMatKernelsEveryPath(t *testing.T) {
	fams := tileFamilies()
	for _, c := range mulCases {
		for _, n := range mulSizes(c) {
			for _, mode := range weightModes {
				name := fmt.Sprintf("%s/n%d/%s", c.name, n, mode)
				p := newMulProblem(c, n, mode, 2)
				results := map[string][]float32{}
				for _, fam := range fams {
					var ft *fTiles
					switch fam.name {
					case "avx2":
						ft = pickFTiles(CPUFeatures{AVX2: true, FMA: true, F16C: true})
					case "vnni":
						ft = pickFTiles(Features())
					}
					withTiles(fam.tiles, ft, func() {
						t.Run(name+"/"+fam.name, func(t *testing.T) { checkMatKernel(t, c, c.k.Mul, n, mode) })
						results[fam.name] = runMul(t, c.k.Mul, n, p.w, p.wStride, mulDim, p.a, p.aStride, mulDim)
					})
				}
				wb, ab := n/c.block*c.size, c.k.Act.RowBytes(n)
				for fname, res := range results {
					for i, v := range res {
						r, tk := i%mulDim, i/mulDim
						wr, ar := p.w[r*p.wStride:r*p.wStride+wb], p.a[tk*p.aStride:tk*p.aStride+ab]
						g := results["go"][i]
						if d := math.Abs(float64(v) - float64(g)); !(d <= mulBound(c, n, wr, ar)) {
							t.Fatalf("%s %s: out[%d,%d] = %v, Go twin %v", name, fname, tk, r, v, g)
						}
						if v2, ok := results["avx2"]; ok && !c.isFloat && fname != "go" && math.Float32bits(v2[i]) != math.Float32bits(v) {
							t.Fatalf("%s: out[%d,%d] %s %v != avx2 %v", name, tk, r, fname, v, v2[i])
						}
						// The float twin sums in the AVX2 tiles' lane order.
						if v2, ok := results["avx2"]; ok && c.isFloat && math.Float32bits(v2[i]) != math.Float32bits(g) && !(v2[i] != v2[i] && g != g) {
							t.Fatalf("%s: out[%d,%d] avx2 %v != Go twin %v", name, tk, r, v2[i], g)
						}
					}
				}
			}
		}
	}
}

// TestPanelDecodersMatchGo checks each assembly panel decoder against its
// Go twin, byte for byte, on random encodings (any fp16 scale, NaN and Inf
// included).
func TestPanelDecodersMatchGo(t *testing.T) {
	if asmDecoders == nil {
		t.Skip("no AVX2+F16C")
	}
	goDec := map[string]struct {
		dec         q8Decoder
		block, size int
	}{
		"Q8_0": {decodeQ8_0, 32, blockQ8_0}, "Q4_0": {decodeQ4_0, 32, blockQ4_0},
		"IQ4_NL": {decodeIQ4_NL, 32, blockIQ4NL}, "Q5_0": {decodeQ5_0, 32, blockQ5_0},
		"Q4_1": {decodeQ4_1, 32, blockQ4_1}, "Q5_1": {decodeQ5_1, 32, blockQ5_1},
		"IQ4_XS": {decodeIQ4_XS, qkK, blockIQ4XS}, "TQ2_0": {decodeTQ2_0, qkK, blockTQ2},
		"TQ1_0": {decodeTQ1_0, qkK, blockTQ1},
	}
	if len(goDec) != len(asmDecoders) {
		t.Fatalf("%d assembly decoders, %d Go twins listed", len(asmDecoders), len(goDec))
	}
	r := rand.New(rand.NewPCG(5, 6))
	for name, asm := range asmDecoders {
		g := goDec[name]
		checkUnpacker(t, r, name, g.dec, asm, func(n int) int { return n / g.block * g.size })
		checkUnpacker(t, r, name+" pair", g.dec, pairAsPanel(pairDecoders()[name]), func(n int) int { return n / g.block * g.size })
	}
}

// pairAsPanel runs a pair-panel decoder into the second half of a pair and
// returns the panel blocks it implies, checking the 8 scale copies agree.
func pairAsPanel(pd q8Decoder) q8Decoder {
	return func(dst []byte, f []float32, src []byte, nb int) {
		pair := make([]byte, nb*128)
		pd(pair[32:], f, src, nb)
		for b := 0; b < nb; b++ {
			q := pair[b*128:]
			copy(dst[b*q8pBlock:], q[32:64])
			copy(dst[b*q8pBlock+32:b*q8pBlock+36], q[96:100])
			for i := 1; i < 8; i++ {
				if !bytes.Equal(q[96:100], q[96+4*i:100+4*i]) {
					copy(dst[b*q8pBlock+32:], []byte{0xde, 0xad, 0xbe, 0xef}) // fails the comparison
				}
			}
		}
	}
}

// checkUnpacker compares an assembly panel unpacker with its Go twin, byte
// for byte (and the per-block floats bit for bit), on random encodings of
// several lengths (rowBytes(n) encoded bytes for n values).
func checkUnpacker(t *testing.T, r *rand.Rand, name string, goDec, asm q8Decoder, rowBytes func(n int) int) {
	t.Helper()
	for _, n := range []int{256, 512, 5632} {
		nb := n / 32
		src := make([]byte, rowBytes(n))
		for i := range src {
			src[i] = uint8(r.Uint32())
		}
		want, got := make([]byte, nb*q8pBlock), make([]byte, nb*q8pBlock)
		wf, gf := make([]float32, nb), make([]float32, nb)
		goDec(want, wf, src, nb)
		asm(got, gf, src, nb)
		if !bytes.Equal(want, got) {
			t.Fatalf("%s n=%d: panel differs from the Go twin", name, n)
		}
		for i := range wf {
			if math.Float32bits(wf[i]) != math.Float32bits(gf[i]) {
				t.Fatalf("%s n=%d: float %d = %v, Go %v", name, n, i, gf[i], wf[i])
			}
		}
	}
}

// TestActUnpackersMatchGo checks the assembly activation unpackers against
// the Go ones, byte for byte, on random encodings.
func TestActUnpackersMatchGo(t *testing.T) {
	if asmActUnpackers == nil {
		t.Skip("no AVX2+F16C")
	}
	r := rand.New(rand.NewPCG(9, 10))
	for act, asm := range asmActUnpackers {
		checkUnpacker(t, r, act.String(), actUnpackers[act], asm, act.RowBytes)
	}
}
