//go:build amd64 && !purego && linux

package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/unix"
)

// TestMulKQuantsDispatch checks that the dispatch picked the fastest
// variant this CPU runs.
func TestMulKQuantsDispatch(t *testing.T) {
	for _, c := range kqMulCases() {
		want := c.name
		switch {
		case kqHasVNNI:
			want += "/vnni"
		case kqHasAVXVNNI:
			want += "/avxvnni"
		case kqHasAVX2:
			want += "/avx2"
		}
		if c.disp.name != want {
			t.Errorf("%s dispatches to %q, want %q (features %v)", c.name, c.disp.name, want, Features())
		}
	}
}

// guardedBytes returns a slice of n bytes that ends exactly where an
// inaccessible page begins, so a kernel reading past it faults.
func guardedBytes(t *testing.T, n int) []byte {
	t.Helper()
	page := unix.Getpagesize()
	size := (n+page-1)/page*page + page
	mem, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Skipf("mmap: %v", err)
	}
	t.Cleanup(func() { unix.Munmap(mem) })
	if err := unix.Mprotect(mem[size-page:], unix.PROT_NONE); err != nil {
		t.Skipf("mprotect: %v", err)
	}
	return mem[size-page-n : size-page : size-page]
}

// TestMulKQuantsNoOverread runs every assembly variant on rows that end
// at an inaccessible page: the last weight block and the last Q8_K block
// must be read only within their bytes.
func TestMulKQuantsNoOverread(t *testing.T) {
	const n = 512
	for _, c := range kqMulCases() {
		rng := rand.New(rand.NewPCG(5, 6))
		for _, toks := range []int{1, 4, 8} {
			wb := n / kqBlock * c.bytes
			ab := ActQ8_K.RowBytes(n)
			w := guardedBytes(t, wb)
			copy(w, kqWeights(c, kqWRandom, rng, n, 1, wb))
			a := guardedBytes(t, toks*ab)
			copy(a, kqActs(kqARandom, rng, n, toks, ab))
			want := make([]float32, toks)
			c.goK.mul(n, w, wb, 1, a, ab, toks, want, 1)
			for _, v := range kqVariants(*c.goK) {
				got := make([]float32, toks)
				v.mul(n, w, wb, 1, a, ab, toks, got, 1)
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s toks=%d: out[%d] = %g, pure-Go twin %g", v.name, toks, i, got[i], want[i])
					}
				}
			}
		}
	}
}
