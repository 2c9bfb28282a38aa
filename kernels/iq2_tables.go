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
