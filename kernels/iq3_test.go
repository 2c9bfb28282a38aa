package kernels

import (
	"math/rand/v2"
	"testing"
)

func init() {
	mulCases = append(mulCases,
		mulCase{name: "iq3_xxs", k: MatIQ3_XXS, block: 256, size: blockIQ3XXS, quant: noImatrix(QuantizeIQ3_XXS), deq: DequantizeIQ3_XXS, fp16: []int{0}},
		mulCase{name: "iq3_s", k: MatIQ3_S, block: 256, size: blockIQ3S, quant: noImatrix(QuantizeIQ3_S), deq: DequantizeIQ3_S, fp16: []int{0}},
	)
}

// TestIQ3Tables checks the built tables' invariants: every cube point maps
// to its grid index or to a non-empty neighbour list whose entries are
// sorted by distance and span exactly nwant distinct distances.
func TestIQ3Tables(t *testing.T) {
	for _, c := range []struct {
		name  string
		tab   *iq3Table
		grid  []uint16
		nwant int
	}{{"xxs", iq3TableXXS(), iq3GridXXS[:], 2}, {"s", iq3TableS(), iq3GridS[:], 3}} {
		onGrid := 0
		for u, m := range c.tab.kmap {
			if m >= 0 {
				if c.grid[m] != uint16(u) {
					t.Fatalf("%s: kmap[%d] = %d, grid point is %d", c.name, u, m, c.grid[m])
				}
				onGrid++
				continue
			}
			nb := c.tab.neighbours(m)
			if len(nb) == 0 {
				t.Fatalf("%s: point %d has no neighbours", c.name, u)
			}
			dist := func(j uint16) int {
				d2 := 0
				for k := 0; k < 4; k++ {
					d := int(c.tab.points[j][k]) - (2*(u>>(3*k)&7) + 1)
					d2 += d * d
				}
				return d2
			}
			distinct := 1
			for i := 1; i < len(nb); i++ {
				a, b := dist(nb[i-1]), dist(nb[i])
				if b < a || (a == b && nb[i] < nb[i-1]) {
					t.Fatalf("%s: neighbours of %d out of order", c.name, u)
				}
				if b > a {
					distinct++
				}
			}
			if distinct != c.nwant {
				t.Fatalf("%s: neighbours of %d span %d distances, want %d", c.name, u, distinct, c.nwant)
			}
			// Nothing outside the list is nearer than its farthest entry.
			far := dist(nb[len(nb)-1])
			in := map[uint16]bool{}
			for _, j := range nb {
				in[j] = true
			}
			for j := range c.tab.points {
				if !in[uint16(j)] && dist(uint16(j)) <= far {
					t.Fatalf("%s: grid point %d (distance %d) missing from the neighbours of %d", c.name, j, dist(uint16(j)), u)
				}
			}
		}
		if onGrid != len(c.grid) {
			t.Fatalf("%s: %d grid points mapped, want %d", c.name, onGrid, len(c.grid))
		}
		t.Logf("%s: %d neighbour entries (%d bytes)", c.name, len(c.tab.neigh), 2*len(c.tab.neigh))
	}
}

// BenchmarkIQ3Tables measures building both grids' tables (ggml's
// iq3xs_init_impl for 256 and 512 points).
func BenchmarkIQ3Tables(b *testing.B) {
	for b.Loop() {
		newIQ3Table(iq3GridXXS[:], 2)
		newIQ3Table(iq3GridS[:], 3)
	}
}

// BenchmarkQuantizeIQ3 measures the quantizers on one 4096-value row.
func BenchmarkQuantizeIQ3(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, 4096)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	for _, c := range []struct {
		name string
		size int
		q    func(dst []byte, src, w []float32)
	}{{"iq3_xxs", blockIQ3XXS, QuantizeIQ3_XXS}, {"iq3_s", blockIQ3S, QuantizeIQ3_S}} {
		buf := make([]byte, len(x)/256*c.size)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(4 * len(x)))
			for b.Loop() {
				c.q(buf, x, nil)
			}
		})
	}
}
