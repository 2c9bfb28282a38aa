//go:build amd64 && !purego

package kernels

import (
	"fmt"
	"math"
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
		}{"avx2", pickQ8Tiles(CPUFeatures{AVX2: true, FMA: true, F16C: true})})
	}
	if f.AVX512VNNI && f.AVX512F && f.AVX512VL && f.FMA {
		fams = append(fams, struct {
			name  string
			tiles q8Tiles
		}{"vnni", pickQ8Tiles(f)})
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
						if v2, ok := results["vnni"]; ok && !c.isFloat && fname == "avx2" && math.Float32bits(v2[i]) != math.Float32bits(v) {
							t.Fatalf("%s: out[%d,%d] avx2 %v != vnni %v", name, tk, r, v, v2[i])
						}
					}
				}
			}
		}
	}
}
