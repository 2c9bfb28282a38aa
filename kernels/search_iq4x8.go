package kernels

// Eight IQ4 scale searches side by side: the 32-element sub-blocks of an
// IQ4_XS super-block are independent, as are consecutive IQ4_NL blocks, so
// lane j of every row below holds sub-block j and a SIMD twin (iq4Search8
// on amd64) runs iq4SubScale's float32 sequence in all eight lanes at once.

// iq4x8Args is the shared frame of one eight-lane search. Field offsets are
// hard-coded in search_iq4_amd64.s (checked by TestIQ4x8ArgsLayout).
type iq4x8Args struct {
	x, w  [qk32][8]float32 // inputs and search weights, x[l][j] = element l of sub-block j
	scale [8]float32       // out: iq4SubScale of each sub-block
}

// iq4Mid8 holds, broadcast to eight lanes, the 15 midpoints between
// neighbouring code-book values. For every x, iq4BestIndex(x) is the number
// of midpoints m with !(x < m): ggml's x−lo < hi−x is exact near each
// midpoint (the half gaps are no larger than the midpoints' magnitudes), so
// it is the same test as x < m; NaN is never below a midpoint, giving 15.
var iq4Mid8 = func() (m [15][8]float32) {
	for k := range m {
		for j := range m[k] {
			m[k][j] = (iq4ValuesF[k] + iq4ValuesF[k+1]) / 2
		}
	}
	return m
}()

// iq4Num holds the numerators float32(itry + values[0]) of the seven-wide
// candidate search, itry = −7…7.
var iq4Num = func() (n [2*iq4NTry + 1]float32) {
	for i := range n {
		n[i] = float32(i - iq4NTry + int(iq4Values[0]))
	}
	return n
}()

// iq4Search8Go is the pure-Go eight-lane search: iq4SubScale on each lane.
func iq4Search8Go(a *iq4x8Args) {
	var xs, ws [qk32]float32
	for j := range 8 {
		for l := range qk32 {
			xs[l], ws[l] = a.x[l][j], a.w[l][j]
		}
		a.scale[j] = iq4SubScale(xs[:], ws[:])
	}
}

// load puts sub-block x (32 values) with importance qw (nil: none) and
// super-block σ² into lane j, computing its search weights as iq4Weights.
func (a *iq4x8Args) load(j int, x, qw []float32, sigma2 float32) {
	var w [qk32]float32
	iq4Weights(w[:], x[:qk32], qw, sigma2)
	for l, v := range x[:qk32] {
		a.x[l][j] = v
		a.w[l][j] = w[l]
	}
}
