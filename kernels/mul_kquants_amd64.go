//go:build amd64 && !purego

package kernels

// kqHasAVX2 reports whether the AVX2 microkernels run (they convert the
// fp16 scales with VCVTPH2PS, so F16C too); kqHasVNNI whether their
// VPDPWSSD variants do (AVX512-VNNI on 256-bit registers needs VL; the
// eight-token kernels use Y16-Y31, which needs BW for the byte ops);
// kqHasAVXVNNI whether the VEX-encoded VPDPWSSD (AVX-VNNI) does.
var (
	kqHasAVX2    = features.AVX2 && features.F16C
	kqHasVNNI    = kqHasAVX2 && features.AVX512VNNI && features.AVX512VL && features.AVX512BW
	kqHasAVXVNNI = kqHasAVX2 && features.AVXVNNI
)

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

type (
	// kqTiles16Func is the form of kqRowKernels.tiles16.
	kqTiles16Func func(nb int, w []byte, wStride, rows int, a []byte, aStride, toks int, out []float32, ldo int)
	kqAsm1        func(w, a *byte, nb int, acc float32) float32
	kqAsm4        func(w, a *byte, aStride, nb int, acc [4]float32) [4]float32
	kqAsm8        func(w, a *byte, aStride, nb int, acc [8]float32) [8]float32
)

// kqAsmSet is one instruction-set variant of a type's microkernels.
type kqAsmSet struct {
	suffix string
	on     bool
	one    kqAsm1
	four   kqAsm4
	eight  kqAsm8        // nil: none
	tiles  kqTiles16Func // nil: none (16-row panels: Q4_K and Q6_K, VNNI)
	min16  int           // the fewest tokens for tiles
}

// kqAsmSets lists each type's variants, fastest first.
var kqAsmSets = map[string][]kqAsmSet{
	"Q2_K": {{"vnni", kqHasVNNI, q2kDot1VNNI, q2kDot4VNNI, q2kDot8VNNI, nil, 0}, {"avxvnni", kqHasAVXVNNI, q2kDot1AVXVNNI, q2kDot4AVXVNNI, nil, nil, 0}, {"avx2", kqHasAVX2, q2kDot1AVX2, q2kDot4AVX2, nil, nil, 0}},
	"Q3_K": {{"vnni", kqHasVNNI, q3kDot1VNNI, q3kDot4VNNI, q3kDot8VNNI, nil, 0}, {"avxvnni", kqHasAVXVNNI, q3kDot1AVXVNNI, q3kDot4AVXVNNI, nil, nil, 0}, {"avx2", kqHasAVX2, q3kDot1AVX2, q3kDot4AVX2, nil, nil, 0}},
	"Q4_K": {{"vnni", kqHasVNNI, q4kDot1VNNI, q4kDot4VNNI, q4kDot8VNNI, q4kMul16, kq16MinToksQ4K}, {"avxvnni", kqHasAVXVNNI, q4kDot1AVXVNNI, q4kDot4AVXVNNI, nil, nil, 0}, {"avx2", kqHasAVX2, q4kDot1AVX2, q4kDot4AVX2, nil, nil, 0}},
	"Q5_K": {{"vnni", kqHasVNNI, q5kDot1VNNI, q5kDot4VNNI, q5kDot8VNNI, nil, 0}, {"avxvnni", kqHasAVXVNNI, q5kDot1AVXVNNI, q5kDot4AVXVNNI, nil, nil, 0}, {"avx2", kqHasAVX2, q5kDot1AVX2, q5kDot4AVX2, nil, nil, 0}},
	"Q6_K": {{"vnni", kqHasVNNI, q6kDot1VNNI, q6kDot4VNNI, q6kDot8VNNI, q6kMul16, kq16MinToksQ6K}, {"avxvnni", kqHasAVXVNNI, q6kDot1AVXVNNI, q6kDot4AVXVNNI, nil, nil, 0}, {"avx2", kqHasAVX2, q6kDot1AVX2, q6kDot4AVX2, nil, nil, 0}},
}

// kqVariants lists the assembly variants of goK's type that this CPU
// runs, fastest first (the tests check each against the twin).
func kqVariants(goK kqRowKernels) []kqRowKernels {
	var v []kqRowKernels
	for _, s := range kqAsmSets[goK.name] {
		if !s.on {
			continue
		}
		one, four, eight := s.one, s.four, s.eight
		k := goK
		k.name = goK.name + "/" + s.suffix
		k.one = func(w, a []byte, nb int, acc float32) float32 { return one(&w[0], &a[0], nb, acc) }
		k.four = func(w, a []byte, aStride, nb int, acc [4]float32) [4]float32 {
			return four(&w[0], &a[0], aStride, nb, acc)
		}
		if eight != nil {
			k.eight = func(w, a []byte, aStride, nb int, acc [8]float32) [8]float32 {
				return eight(&w[0], &a[0], aStride, nb, acc)
			}
		}
		k.tiles16, k.min16 = s.tiles, s.min16
		v = append(v, k)
	}
	return v
}

// q4kMul16 is the tiles16 of Q4_K, q6kMul16 that of Q6_K.
func q4kMul16(nb int, w []byte, wStride, rows int, a []byte, aStride, toks int, out []float32, ldo int) {
	kqMul16(packQ4K16, kq16Block, &q4kTiles16, nb, w, wStride, rows, a, aStride, toks, out, ldo)
}

// packQ4K16 writes the 16 Q4_K rows at w (wStride bytes apart, nb
// super-blocks each) as an interleaved panel into dst (nb·kq16Block
// bytes).
func packQ4K16(dst, w []byte, wStride, nb int) {
	_ = w[(kq16Rows-1)*wStride+nb*kqBytesQ4K-1]
	packQ4K16Head(dst, w, wStride, nb)
	packQ4K16Codes(nb, &w[0], wStride, &dst[0])
}

func q6kMul16(nb int, w []byte, wStride, rows int, a []byte, aStride, toks int, out []float32, ldo int) {
	kqMul16(packQ6K16, q6k16Block, &q6kTiles16, nb, w, wStride, rows, a, aStride, toks, out, ldo)
}

// kqMul16 packs the call's rows 16 at a time (pack, block bytes per
// super-block) into one scratch panel, which then meets the tokens in
// chunks whose activations fit L2 (kqActCacheBytes), four tokens per tile.
func kqMul16(pack func(dst, w []byte, wStride, nb int), block int, tiles *[4]func(nb int, w, a *byte, aStride int, out *float32, ldo int),
	nb int, w []byte, wStride, rows int, a []byte, aStride, toks int, out []float32, ldo int) {
	s := scratchPool.Get().(*mulScratch)
	defer scratchPool.Put(s)
	pb := nb * block
	groups := rows / kq16Rows
	panel, _ := s.grab(groups*pb, 0)
	for g := 0; g < groups; g++ {
		pack(panel[g*pb:], w[g*kq16Rows*wStride:], wStride, nb)
	}
	_ = a[(toks-1)*aStride+nb*kqBytesQ8K-1]
	_ = out[(toks-1)*ldo+rows-1]
	chunk := max(4, kqActCacheBytes/(nb*kqBytesQ8K)&^3)
	for t0 := 0; t0 < toks; t0 += chunk {
		t1 := min(toks, t0+chunk)
		for g := 0; g < groups; g++ {
			for t := t0; t < t1; t += 4 {
				tt := min(4, t1-t)
				tiles[tt-1](nb, &panel[g*pb], &a[t*aStride], aStride, &out[t*ldo+g*kq16Rows], ldo)
			}
		}
	}
}
