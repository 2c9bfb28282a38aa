//go:build !amd64 || purego

package kernels

// iq4Search8 runs eight IQ4 scale searches (see iq4x8Args); this build has
// no SIMD twin, so it is iq4Search8Go.
func iq4Search8(a *iq4x8Args) { iq4Search8Go(a) }

// iq4Search8HasAsm reports whether iq4Search8 uses an assembly twin.
var iq4Search8HasAsm = false

// iq4Search8Asm is absent in this build; tests check iq4Search8HasAsm first.
func iq4Search8Asm(a *iq4x8Args) { iq4Search8Go(a) }
