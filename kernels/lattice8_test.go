package kernels

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// lattice8Grids are the code books newLattice8 serves in this package, with
// the neighbour depth ggml uses for each.
var lattice8Grids = []struct {
	name  string
	grid  []uint16
	nwant int
}{
	{"iq2_xxs", iq2GridXXS[:], 2},
	{"iq2_xs", iq2GridXS[:], 2},
	{"iq2_s", iq2GridS[:], 1},
	{"iq1", iq1Grid[:], 3},
}

// refNeighbours is ggml's construction for one off-grid point u, written
// the slow way: sort all (distance, index) pairs and keep those of the
// nwant smallest distances.
func refNeighbours(grid []uint16, u, nwant int) []uint16 {
	type pair struct{ d2, j int }
	ps := make([]pair, len(grid))
	for j, g := range grid {
		d2 := 0
		for k := 0; k < 8; k++ {
			d := (2*int(g>>(2*k)&3) + 1) - (2*(u>>(2*k)&3) + 1)
			d2 += d * d
		}
		ps[j] = pair{d2, j}
	}
	slices.SortFunc(ps, func(a, b pair) int {
		if a.d2 != b.d2 {
			return a.d2 - b.d2
		}
		return a.j - b.j
	})
	var out []uint16
	have, d2 := 1, ps[0].d2
	for _, p := range ps {
		if p.d2 > d2 {
			if have == nwant {
				break
			}
			d2 = p.d2
			have++
		}
		out = append(out, uint16(p.j))
	}
	return out
}

// TestLattice8 checks the built tables against the slow construction: the
// map of every grid point, and the neighbour lists of a spread of off-grid
// points (every third for the smallest grid), stored in cube order.
func TestLattice8(t *testing.T) {
	for _, c := range lattice8Grids {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			tab := newLattice8(c.grid, c.nwant)
			t.Logf("built in %v: %d neighbour entries, %d KiB", time.Since(start), len(tab.neigh), tab.bytes()>>10)
			if len(tab.kmap) != lattice8MapSize {
				t.Fatalf("map has %d entries, want %d", len(tab.kmap), lattice8MapSize)
			}
			step := 3
			if len(c.grid) > 256 {
				step = 13
			}
			onGrid, next := 0, int32(-1)
			for u, m := range tab.kmap {
				if m >= 0 {
					if c.grid[m] != uint16(u) {
						t.Fatalf("kmap[%d] = %d, grid point is %d", u, m, c.grid[m])
					}
					for k, v := range tab.points[m] {
						if want := int8(2*(u>>(2*k)&3) + 1); v != want {
							t.Fatalf("point %d value %d is %d, want %d", m, k, v, want)
						}
					}
					onGrid++
					continue
				}
				if m != next {
					t.Fatalf("kmap[%d] = %d, want %d (lists in cube order)", u, m, next)
				}
				nb := tab.neighbours(m)
				next = m - int32(len(nb)+1)
				if u%step != 0 {
					continue
				}
				if want := refNeighbours(c.grid, u, c.nwant); !slices.Equal(nb, want) {
					t.Fatalf("neighbours of %d are %v, want %v", u, nb, want)
				}
			}
			if onGrid != len(c.grid) {
				t.Fatalf("%d grid points mapped, want %d", onGrid, len(c.grid))
			}
			if int(-next-1) != len(tab.neigh) {
				t.Fatalf("lists cover %d entries, table has %d", -next-1, len(tab.neigh))
			}
		})
	}
}

// TestLattice8Once checks that the lazily built tables are built once and
// shared by concurrent first callers.
func TestLattice8Once(t *testing.T) {
	var wg sync.WaitGroup
	got := make([]*lattice8, 4)
	for i := range got {
		wg.Go(func() { got[i] = iq2TableXS() })
	}
	wg.Wait()
	for _, g := range got[1:] {
		if g != got[0] {
			t.Fatal("concurrent first calls built different tables")
		}
	}
}

// BenchmarkLattice8 measures building each code book's tables.
func BenchmarkLattice8(b *testing.B) {
	for _, c := range lattice8Grids {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				newLattice8(c.grid, c.nwant)
			}
		})
	}
}
