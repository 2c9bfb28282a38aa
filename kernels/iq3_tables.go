package kernels

import (
	"slices"
	"sync"
)

// iq3MapSize is the number of points of the full 3-bit lattice cube: four
// levels of 3 bits each.
const iq3MapSize = 4096

// iq3Table is what ggml's iq3xs_init_impl builds for one code book: the
// grid points, a map from every point of the cube to its grid index, and
// for each point not on the grid the grid points nearest to it.
type iq3Table struct {
	// points[i] holds grid point i's four values 2l+1.
	points [][4]int8
	// values holds the same as float32, for the neighbour searches.
	values [][4]float32
	// kmap[u] for a cube point u (level k in bits 3k..3k+2) is its grid
	// index, or −(o+1) where neigh[o] is the count of its neighbours and
	// neigh[o+1:o+1+count] are their grid indices, nearest first.
	kmap  [iq3MapSize]int32
	neigh []uint16
}

var (
	iq3XXSOnce, iq3SOnce sync.Once
	iq3XXSTab, iq3STab   *iq3Table
)

// iq3TableXXS returns the IQ3_XXS tables (256-point grid, neighbours at the
// two nearest distances), built on first use.
func iq3TableXXS() *iq3Table {
	iq3XXSOnce.Do(func() { iq3XXSTab = newIQ3Table(iq3GridXXS[:], 2) })
	return iq3XXSTab
}

// iq3TableS returns the IQ3_S tables (512-point grid, neighbours at the
// three nearest distances), built on first use.
func iq3TableS() *iq3Table {
	iq3SOnce.Do(func() { iq3STab = newIQ3Table(iq3GridS[:], 3) })
	return iq3STab
}

// newIQ3Table builds the tables of grid as ggml does: the neighbours of an
// off-grid point u are all grid points whose squared distance to u is among
// the nwant smallest distinct distances, ordered by distance, then index.
func newIQ3Table(grid []uint16, nwant int) *iq3Table {
	t := &iq3Table{points: make([][4]int8, len(grid)), values: make([][4]float32, len(grid))}
	for i := range t.kmap {
		t.kmap[i] = -1
	}
	for i, g := range grid {
		for k := 0; k < 4; k++ {
			t.points[i][k] = int8(2*(g>>(3*k)&7) + 1)
			t.values[i][k] = float32(t.points[i][k])
		}
		t.kmap[g] = int32(i)
	}
	dist := make([]int32, len(grid))
	for u := range t.kmap {
		if t.kmap[u] >= 0 {
			continue
		}
		var pos [4]int32
		for k := range pos {
			pos[k] = int32(2*(u>>(3*k)&7) + 1)
		}
		// The nwant smallest distinct distances, ascending.
		var near [3]int32
		nn := 0
		for j, p := range t.points {
			var d2 int32
			for k := range pos {
				d := int32(p[k]) - pos[k]
				d2 += d * d
			}
			dist[j] = d2
			nn = insertDistinct(near[:], nn, nwant, d2)
		}
		t.kmap[u] = -int32(len(t.neigh) + 1)
		start := len(t.neigh)
		t.neigh = append(t.neigh, 0)
		for _, d2 := range near[:nn] { // by distance, then index
			for j, d := range dist {
				if d == d2 {
					t.neigh = append(t.neigh, uint16(j))
				}
			}
		}
		t.neigh[start] = uint16(len(t.neigh) - start - 1)
	}
	t.neigh = slices.Clip(t.neigh)
	return t
}

// insertDistinct inserts v into the ascending distinct values near[:n]
// (keeping at most max of the smallest) and returns the new count.
func insertDistinct(near []int32, n, max int, v int32) int {
	i := 0
	for i < n && near[i] < v {
		i++
	}
	if i < n && near[i] == v || i == max {
		return n
	}
	if n < max {
		n++
	}
	copy(near[i+1:n], near[i:n-1])
	near[i] = v
	return n
}

// neighbours returns the neighbour list of the off-grid cube point whose
// map entry is m (< 0).
func (t *iq3Table) neighbours(m int32) []uint16 {
	o := int(-m - 1)
	return t.neigh[o+1 : o+1+int(t.neigh[o])]
}

// iq3LevelsXXS are the values IQ3_XXS decodes its eight levels to (ggml's
// iq3xxs_grid bytes: about 4·(2l+1), the top level 62); IQ3_S decodes level
// l to 2l+1.
var iq3LevelsXXS = [8]uint8{4, 12, 20, 28, 36, 44, 52, 62}

// iq3DecXXS and iq3DecS are the decoding grids (ggml's iq3xxs_grid and
// iq3s_grid): four value bytes per grid point, first value in the low byte.
// 3 KiB, built at package initialization.
var (
	iq3DecXXS = iq3DecodeGrid(iq3GridXXS[:], func(l uint16) uint8 { return iq3LevelsXXS[l] })
	iq3DecS   = iq3DecodeGrid(iq3GridS[:], func(l uint16) uint8 { return uint8(2*l + 1) })
)

func iq3DecodeGrid(grid []uint16, level func(uint16) uint8) []uint32 {
	out := make([]uint32, len(grid))
	for i, g := range grid {
		for k := 0; k < 4; k++ {
			out[i] |= uint32(level(g>>(3*k)&7)) << (8 * k)
		}
	}
	return out
}

// iq3SignsXXS[s] is ggml's ksigns_iq2xs: the seven stored sign bits s with
// an eighth that makes the number of set bits even.
var iq3SignsXXS = func() (t [128]uint8) {
	for s := range t {
		b := uint8(s)
		p := b ^ b>>4
		p ^= p >> 2
		p ^= p >> 1
		t[s] = b | (p&1)<<7
	}
	return t
}()
