//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// legacyHasAsm reports whether the Q8_0/Q4_0 reference quantizers and
// FirstNonFinite use their AVX2 twins (VCVTPS2PH needs F16C too).
var legacyHasAsm = cpu.X86.HasAVX2 && cpu.X86.HasF16C

// quantizeQ8_0Bulk quantizes a prefix of the nb = len(src)/32 blocks of src
// into dst (len(dst) >= 34·nb) and returns how many blocks it did: all of
// them, or (AVX2 twin) those before the first block holding a NaN or ±Inf,
// which the caller finishes with quantizeQ8_0Go.
func quantizeQ8_0Bulk(dst []byte, src []float32) int {
	if legacyHasAsm {
		return quantizeQ8_0AVX2(dst, src)
	}
	quantizeQ8_0Go(dst, src)
	return len(src) / qk32
}

// quantizeQ4_0Bulk is quantizeQ8_0Bulk for Q4_0 (18-byte blocks).
func quantizeQ4_0Bulk(dst []byte, src []float32) int {
	if legacyHasAsm {
		return quantizeQ4_0AVX2(dst, src)
	}
	quantizeQ4_0Go(dst, src)
	return len(src) / qk32
}

// finiteBulk returns a prefix length of src known to hold no NaN or ±Inf
// (0 without the twin).
func finiteBulk(src []float32) int {
	if legacyHasAsm {
		return finiteBulkAVX2(src)
	}
	return 0
}

// quantizeQ8_0AVX2 is the AVX2 twin of quantizeQ8_0Go (see
// legacy_amd64.s); it stops before a block holding a NaN or ±Inf.
//
//go:noescape
func quantizeQ8_0AVX2(dst []byte, src []float32) int

// quantizeQ4_0AVX2 is the AVX2 twin of quantizeQ4_0Go (see
// legacy_amd64.s); it stops before a block holding a NaN or ±Inf.
//
//go:noescape
func quantizeQ4_0AVX2(dst []byte, src []float32) int

// finiteBulkAVX2 returns the length of the longest all-finite prefix of
// whole 32-value chunks of src.
//
//go:noescape
func finiteBulkAVX2(src []float32) int
