package kernels

import "slices"

// lattice8MapSize is ggml's kmap_size for the 8-dimensional lattice types
// (IQ2_XXS, IQ2_XS, IQ2_S, IQ1_S, IQ1_M): a point packs eight 2-bit levels,
// the first in the low bits, and every point these quantizers form (levels
// 0..2) lies below it (the largest is 0xAAAA).
const lattice8MapSize = 43692

// lattice8 is what ggml's iq2xs_init_impl builds for one 8-dimensional code
// book: the grid points, a map from every point of the cube to its grid
// index, and for each point not on the grid the grid points nearest to it.
type lattice8 struct {
	// points[i] holds grid point i's eight values 2l+1 (ggml's kgrid_q2xs
	// bytes).
	points [][8]int8
	// values holds the same as float32, for the neighbour searches.
	values [][8]float32
	// kmap[u] for a cube point u (level k in bits 2k..2k+1) is its grid
	// index, or −(o+1) where neigh[o] is the count of its neighbours and
	// neigh[o+1:o+1+count] are their grid indices, nearest first.
	kmap  []int32
	neigh []uint16
}

// newLattice8 builds the tables of grid (each entry eight 2-bit levels) as
// ggml's iq2xs_init_impl does: the neighbours of an off-grid point u (all
// points below lattice8MapSize, including those with a level 3) are all
// grid points whose squared distance to u is among the nwant smallest
// distinct distances, ordered by distance, then index (ggml's qsort of
// (distance, index) pairs). ggml uses nwant 2 for IQ2_XXS and IQ2_XS, 1 for
// IQ2_S and 3 for IQ1_S/IQ1_M.
func newLattice8(grid []uint16, nwant int) *lattice8 {
	t := &lattice8{points: make([][8]int8, len(grid)), values: make([][8]float32, len(grid)), kmap: make([]int32, lattice8MapSize)}
	for i := range t.kmap {
		t.kmap[i] = -1
	}
	for i, g := range grid {
		for k := 0; k < 8; k++ {
			t.points[i][k] = int8(2*(g>>(2*k)&3) + 1)
			t.values[i][k] = float32(t.points[i][k])
		}
		t.kmap[g] = int32(i)
	}
	// The squared distance of two points is the sum over their low and high
	// halves (four levels, 8 bits each) of 4·Σ(la−lb)², tabulated per half.
	var half [256][256]uint8
	for a := range half {
		for b := range half[a] {
			d2 := 0
			for k := 0; k < 4; k++ {
				d := a>>(2*k)&3 - b>>(2*k)&3
				d2 += 4 * d * d
			}
			half[a][b] = uint8(d2)
		}
	}
	lo := make([]uint8, len(grid))
	hi := make([]uint8, len(grid))
	for j, g := range grid {
		lo[j], hi[j] = uint8(g), uint8(g>>8)
	}
	const maxD2 = 8 * 36 // all eight levels 0 against 3
	dist := make([]uint16, len(grid))
	var count [maxD2 + 1]int32
	for u := range t.kmap {
		if t.kmap[u] >= 0 {
			continue
		}
		hl, hh := &half[u&255], &half[u>>8]
		clear(count[:])
		for j := range dist {
			d := uint16(hl[lo[j]]) + uint16(hh[hi[j]])
			dist[j] = d
			count[d]++
		}
		t.kmap[u] = -int32(len(t.neigh) + 1)
		start := len(t.neigh)
		t.neigh = append(t.neigh, 0)
		have := 0
		for d2 := range count {
			if count[d2] == 0 {
				continue
			}
			for j, d := range dist {
				if int(d) == d2 {
					t.neigh = append(t.neigh, uint16(j))
				}
			}
			if have++; have == nwant {
				break
			}
		}
		t.neigh[start] = uint16(len(t.neigh) - start - 1)
	}
	t.neigh = slices.Clone(t.neigh) // drop the growth slack
	return t
}

// neighbours returns the neighbour list of the off-grid cube point whose
// map entry is m (< 0).
func (t *lattice8) neighbours(m int32) []uint16 {
	o := int(-m - 1)
	return t.neigh[o+1 : o+1+int(t.neigh[o])]
}

// bytes is the memory the tables hold.
func (t *lattice8) bytes() int {
	return 8*len(t.points) + 32*len(t.values) + 4*len(t.kmap) + 2*len(t.neigh)
}
