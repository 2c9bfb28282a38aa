//go:build amd64 && !purego

package kernels

// kqHasAVX2 reports whether the AVX2 microkernels run (they convert the
// fp16 scales with VCVTPH2PS, so F16C too).
var kqHasAVX2 = features.AVX2 && features.F16C

// Dispatch of the K-quant matrix kernels, chosen once at start-up: the
// fastest assembly variant the CPU runs, else the pure-Go twin.
var (
	kqMulQ2K = kqBest(kqGoQ2K)
	kqMulQ3K = kqBest(kqGoQ3K)
	kqMulQ4K = kqBest(kqGoQ4K)
	kqMulQ5K = kqBest(kqGoQ5K)
	kqMulQ6K = kqBest(kqGoQ6K)
)

// kqBest returns the first of the type's assembly variants, or goK.
func kqBest(goK kqRowKernels) kqRowKernels {
	if v := kqVariants(goK); len(v) > 0 {
		return v[0]
	}
	return goK
}

// kqVariants lists the assembly variants of goK's type that this CPU
// runs, fastest first (the tests check each against the twin).
func kqVariants(goK kqRowKernels) []kqRowKernels {
	var v []kqRowKernels
	if !kqHasAVX2 {
		return v
	}
	k := goK
	switch goK.name {
	case "Q2_K":
		k.one = func(w, a []byte, nb int) float32 { return q2kDot1AVX2(&w[0], &a[0], nb) }
		k.four = func(w, a []byte, aStride, nb int, out *[4]float32) { q2kDot4AVX2(&w[0], &a[0], aStride, nb, out) }
	case "Q3_K":
		k.one = func(w, a []byte, nb int) float32 { return q3kDot1AVX2(&w[0], &a[0], nb) }
		k.four = func(w, a []byte, aStride, nb int, out *[4]float32) { q3kDot4AVX2(&w[0], &a[0], aStride, nb, out) }
	case "Q4_K":
		k.one = func(w, a []byte, nb int) float32 { return q4kDot1AVX2(&w[0], &a[0], nb) }
		k.four = func(w, a []byte, aStride, nb int, out *[4]float32) { q4kDot4AVX2(&w[0], &a[0], aStride, nb, out) }
	case "Q5_K":
		k.one = func(w, a []byte, nb int) float32 { return q5kDot1AVX2(&w[0], &a[0], nb) }
		k.four = func(w, a []byte, aStride, nb int, out *[4]float32) { q5kDot4AVX2(&w[0], &a[0], aStride, nb, out) }
	case "Q6_K":
		k.one = func(w, a []byte, nb int) float32 { return q6kDot1AVX2(&w[0], &a[0], nb) }
		k.four = func(w, a []byte, aStride, nb int, out *[4]float32) { q6kDot4AVX2(&w[0], &a[0], aStride, nb, out) }
	default:
		return v
	}
	k.name = goK.name + "/avx2"
	return append(v, k)
}

// q4kDot1AVX2 is the Q4_K row (nb ≥ 1 super-blocks at w) times one Q8_K
// row at a.
//
//go:noescape
func q4kDot1AVX2(w, a *byte, nb int) float32

// q4kDot4AVX2 is the Q4_K row at w times the four Q8_K rows at a,
// a+aStride, a+2·aStride, a+3·aStride, each as q4kDot1AVX2 computes it.
//
//go:noescape
func q4kDot4AVX2(w, a *byte, aStride, nb int, out *[4]float32)

// q6kDot1AVX2 is q4kDot1AVX2 for Q6_K.
//
//go:noescape
func q6kDot1AVX2(w, a *byte, nb int) float32

// q6kDot4AVX2 is q4kDot4AVX2 for Q6_K.
//
//go:noescape
func q6kDot4AVX2(w, a *byte, aStride, nb int, out *[4]float32)

// q5kDot1AVX2 is q4kDot1AVX2 for Q5_K.
//
//go:noescape
func q5kDot1AVX2(w, a *byte, nb int) float32

// q5kDot4AVX2 is q4kDot4AVX2 for Q5_K.
//
//go:noescape
func q5kDot4AVX2(w, a *byte, aStride, nb int, out *[4]float32)

// q2kDot1AVX2 is q4kDot1AVX2 for Q2_K.
//
//go:noescape
func q2kDot1AVX2(w, a *byte, nb int) float32

// q2kDot4AVX2 is q4kDot4AVX2 for Q2_K.
//
//go:noescape
func q2kDot4AVX2(w, a *byte, aStride, nb int, out *[4]float32)

// q3kDot1AVX2 is q4kDot1AVX2 for Q3_K.
//
//go:noescape
func q3kDot1AVX2(w, a *byte, nb int) float32

// q3kDot4AVX2 is q4kDot4AVX2 for Q3_K.
//
//go:noescape
func q3kDot4AVX2(w, a *byte, aStride, nb int, out *[4]float32)
