package kernels

import "math"

// Expf returns e^x rounded to float32, agreeing with float32(math.Exp(x))
// except in rare last-bit ties: x = (32m + j)·ln2/32 + r with |r| ≤ ln2/64,
// e^x = 2^m · 2^(j/32) · e^r with a table for 2^(j/32) and a degree-4
// polynomial for e^r, all in float64, every operation rounded on its own
// (explicit conversions keep a compiler from fusing them, so GOAMD64=v3
// builds and the assembly of AttendF16 give the same bits). It is several
// times faster than math.Exp, which the streaming attention would call
// once per score.
func Expf(x float32) float32 {
	switch {
	case x != x:
		return x
	case x < -110:
		return 0
	case x > 88:
		return float32(math.Exp(float64(x)))
	}
	c := &expfTab.c
	t := float64(x) * c[expfInvLn2x32]
	var k int64
	if t >= 0 {
		k = int64(t + 0.5)
	} else {
		k = -int64(0.5 - t)
	}
	kf := float64(k)
	r := float64(float64(x)-float64(kf*c[expfHi])) - float64(kf*c[expfLo])
	r2 := r * r
	p := float64(1+r) + float64(r2*float64(0.5+float64(r*c[expfSixth]))) + float64(float64(r2*r2)*c[expfTwentyFourth])
	return float32(float64(p*expfTab.exp2[k&31]) * math.Float64frombits(uint64(k>>5+1023)<<52))
}

// Indices of Expf's float64 constants in expfTab.c.
const (
	expfInvLn2x32 = iota
	expfHi
	expfLo
	expfSixth
	expfTwentyFourth
	expfMin  // −110: below it Expf is 0
	expfHalf // 0.5
	expfOne  // 1
)

// expfTables holds Expf's constants and 2^(j/32) table, handed to the
// assembly as one pointer.
type expfTables struct {
	c    [8]float64
	exp2 [32]float64
}

var expfTab = func() (t expfTables) {
	t.c[expfInvLn2x32] = 32 / math.Ln2
	t.c[expfHi] = 6.93147180369123816490e-01 / 32
	t.c[expfLo] = 1.90821492927058770002e-10 / 32
	t.c[expfSixth] = 1.0 / 6
	t.c[expfTwentyFourth] = 1.0 / 24
	t.c[expfMin], t.c[expfHalf], t.c[expfOne] = -110, 0.5, 1
	for j := range t.exp2 {
		t.exp2[j] = math.Exp2(float64(j) / 32)
	}
	return t
}()
