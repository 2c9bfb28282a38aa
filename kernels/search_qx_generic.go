//go:build !amd64 || purego

package kernels

// qxSearch8 runs eight make_qx_quants searches (see qx8Args); this build
// has no SIMD twin, so it is qxSearch8Go.
func qxSearch8(a *qx8Args) { qxSearch8Go(a) }

// qxSearch8HasAsm reports whether qxSearch8 uses an assembly twin.
var qxSearch8HasAsm = false

// qxSearch8Asm is absent in this build; tests check qxSearch8HasAsm first.
func qxSearch8Asm(a *qx8Args) { qxSearch8Go(a) }
