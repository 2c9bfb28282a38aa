package kernels

import "sync"

// Tables of the 1-bit lattice types IQ1_S and IQ1_M, which share one code
// book (iq1_grid.go) and, as in ggml, one set of search tables.
var (
	iq1Once sync.Once
	iq1Tab  *lattice8
)

// iq1Table returns the IQ1_S/IQ1_M search tables (2048-point grid,
// neighbours at the three nearest distances: ggml's iq2xs_init_impl for
// GGML_TYPE_IQ1_S), built on first use.
func iq1Table() *lattice8 {
	iq1Once.Do(func() { iq1Tab = newLattice8(iq1Grid[:], 3) })
	return iq1Tab
}

// iq1Dec is the decoding grid (ggml's iq1s_grid): eight int8 values l−1 in
// {−1, 0, 1} per grid point, first value in the low byte. 16 KiB, built at
// package initialization.
var iq1Dec = func() (t [len(iq1Grid)]uint64) {
	for i, g := range iq1Grid {
		for k := 0; k < 8; k++ {
			t[i] |= uint64(uint8(int8(g>>(2*k)&3)-1)) << (8 * k)
		}
	}
	return t
}()

// iq1Value is value j (0..7) of decoding-grid entry g.
func iq1Value(g uint64, j int) int8 { return int8(uint8(g >> (8 * j))) }
