//go:build !amd64 || purego

package kernels

// qkxSearch8 runs eight make_qkx2_quants searches (see qkx8Args); this
// build has no SIMD twin, so it is qkxSearch8Go.
func qkxSearch8(a *qkx8Args) { qkxSearch8Go(a) }

// qkxSearch8HasAsm reports whether qkxSearch8 uses an assembly twin.
var qkxSearch8HasAsm = false

// qkxSearch8Asm is absent in this build; tests check qkxSearch8HasAsm first.
func qkxSearch8Asm(a *qkx8Args) { qkxSearch8Go(a) }
