package kernels

import "sync"

// Lazily built tables of the 2-bit lattice types (see lattice8.go).
var (
	iq2XXSOnce, iq2XSOnce, iq2SOnce sync.Once
	iq2XXSTab, iq2XSTab, iq2STab    *lattice8
)

// iq2TableXXS returns the IQ2_XXS tables (256-point grid, neighbours at the
// two nearest distances), built on first use.
func iq2TableXXS() *lattice8 {
	iq2XXSOnce.Do(func() { iq2XXSTab = newLattice8(iq2GridXXS[:], 2) })
	return iq2XXSTab
}

// iq2TableXS returns the IQ2_XS tables (512-point grid, two distances).
func iq2TableXS() *lattice8 {
	iq2XSOnce.Do(func() { iq2XSTab = newLattice8(iq2GridXS[:], 2) })
	return iq2XSTab
}

// iq2TableS returns the IQ2_S tables (1024-point grid, nearest distance
// only).
func iq2TableS() *lattice8 {
	iq2SOnce.Do(func() { iq2STab = newLattice8(iq2GridS[:], 1) })
	return iq2STab
}

// iq2DecXXS, iq2DecXS and iq2DecS are the decoding grids (ggml's
// iq2xxs_grid, iq2xs_grid and iq2s_grid): eight value bytes per grid
// point, first value in the low byte, level l decoding to 8, 25 or 43.
// 14 KiB, built at package initialization.
var (
	iq2DecXXS = iq2DecodeGrid(iq2GridXXS[:])
	iq2DecXS  = iq2DecodeGrid(iq2GridXS[:])
	iq2DecS   = iq2DecodeGrid(iq2GridS[:])
)

// iq2Levels are the values the 2-bit lattice levels decode to.
var iq2Levels = [4]uint8{8, 25, 43, 0}

func iq2DecodeGrid(grid []uint16) []uint64 {
	out := make([]uint64, len(grid))
	for i, g := range grid {
		for k := 0; k < 8; k++ {
			out[i] |= uint64(iq2Levels[g>>(2*k)&3]) << (8 * k)
		}
	}
	return out
}
