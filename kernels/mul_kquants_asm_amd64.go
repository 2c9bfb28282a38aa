//go:build amd64 && !purego

package kernels

// The assembly microkernels (mulk_*_amd64.s). For every type X, qXkDot1
// continues acc with the row of nb ≥ 1 super-blocks at w times the Q8_K
// row at a; qXkDot4 continues the four sums acc with the row times the
// four Q8_K rows at a, a+aStride, a+2·aStride, a+3·aStride, each lane as
// qXkDot1 computes it (and as kqCombine does). The sums go by value, so no
// pointer escapes through the func values that hold these.

//go:noescape
func q2kDot1AVX2(w, a *byte, nb int, acc float32) float32

//go:noescape
func q2kDot4AVX2(w, a *byte, aStride, nb int, acc [4]float32) [4]float32

//go:noescape
func q2kDot1VNNI(w, a *byte, nb int, acc float32) float32

//go:noescape
func q2kDot4VNNI(w, a *byte, aStride, nb int, acc [4]float32) [4]float32

//go:noescape
func q3kDot1AVX2(w, a *byte, nb int, acc float32) float32

//go:noescape
func q3kDot4AVX2(w, a *byte, aStride, nb int, acc [4]float32) [4]float32

//go:noescape
func q3kDot1VNNI(w, a *byte, nb int, acc float32) float32

//go:noescape
func q3kDot4VNNI(w, a *byte, aStride, nb int, acc [4]float32) [4]float32

//go:noescape
func q4kDot1AVX2(w, a *byte, nb int, acc float32) float32

//go:noescape
func q4kDot4AVX2(w, a *byte, aStride, nb int, acc [4]float32) [4]float32

//go:noescape
func q4kDot1VNNI(w, a *byte, nb int, acc float32) float32

//go:noescape
func q4kDot4VNNI(w, a *byte, aStride, nb int, acc [4]float32) [4]float32

//go:noescape
func q5kDot1AVX2(w, a *byte, nb int, acc float32) float32

//go:noescape
func q5kDot4AVX2(w, a *byte, aStride, nb int, acc [4]float32) [4]float32

//go:noescape
func q5kDot1VNNI(w, a *byte, nb int, acc float32) float32

//go:noescape
func q5kDot4VNNI(w, a *byte, aStride, nb int, acc [4]float32) [4]float32

//go:noescape
func q6kDot1AVX2(w, a *byte, nb int, acc float32) float32

//go:noescape
func q6kDot4AVX2(w, a *byte, aStride, nb int, acc [4]float32) [4]float32

//go:noescape
func q6kDot1VNNI(w, a *byte, nb int, acc float32) float32

//go:noescape
func q6kDot4VNNI(w, a *byte, aStride, nb int, acc [4]float32) [4]float32

// qXkDot8VNNI are the eight-token kernels: out[i] is the
// row times the Q8_K row at a+i·aStride.
//
//go:noescape
func q4kDot8VNNI(w, a *byte, aStride, nb int, acc [8]float32) [8]float32

//go:noescape
func q5kDot8VNNI(w, a *byte, aStride, nb int, acc [8]float32) [8]float32

//go:noescape
func q6kDot8VNNI(w, a *byte, aStride, nb int, acc [8]float32) [8]float32

//go:noescape
func q2kDot8VNNI(w, a *byte, aStride, nb int, acc [8]float32) [8]float32

//go:noescape
func q3kDot8VNNI(w, a *byte, aStride, nb int, acc [8]float32) [8]float32

// The AVX-VNNI (VEX) one- and four-token kernels.

//go:noescape
func q2kDot1AVXVNNI(w, a *byte, nb int, acc float32) float32

//go:noescape
func q2kDot4AVXVNNI(w, a *byte, aStride, nb int, acc [4]float32) [4]float32

//go:noescape
func q3kDot1AVXVNNI(w, a *byte, nb int, acc float32) float32

//go:noescape
func q3kDot4AVXVNNI(w, a *byte, aStride, nb int, acc [4]float32) [4]float32

//go:noescape
func q4kDot1AVXVNNI(w, a *byte, nb int, acc float32) float32

//go:noescape
func q4kDot4AVXVNNI(w, a *byte, aStride, nb int, acc [4]float32) [4]float32

//go:noescape
func q5kDot1AVXVNNI(w, a *byte, nb int, acc float32) float32

//go:noescape
func q5kDot4AVXVNNI(w, a *byte, aStride, nb int, acc [4]float32) [4]float32

//go:noescape
func q6kDot1AVXVNNI(w, a *byte, nb int, acc float32) float32

//go:noescape
func q6kDot4AVXVNNI(w, a *byte, aStride, nb int, acc [4]float32) [4]float32
