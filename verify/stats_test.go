package verify

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestPercentileAndMedian(t *testing.T) {
	v := []float32{1, 2, 3, 4, 10}
	cases := []struct {
		f    float32
		want float32
	}{
		{0, 1}, {0.25, 2}, {0.5, 3}, {0.9, 7.6}, {0.999, 9.976}, {1, 10},
	}
	for _, tc := range cases {
		if got := Percentile(v, tc.f); math.Abs(float64(got-tc.want)) > 1e-5 {
			t.Errorf("Percentile(%g) = %g, want %g", tc.f, got, tc.want)
		}
	}
	for _, tc := range []struct {
		v    []float32
		want float32
	}{{[]float32{5}, 5}, {[]float32{1, 2, 3}, 2}, {[]float32{1, 2, 3, 10}, 2.5}, {nil, 0}} {
		if got := Median(tc.v); got != tc.want {
			t.Errorf("Median(%v) = %g, want %g", tc.v, got, tc.want)
		}
	}
}

func TestRunningAndUncertainty(t *testing.T) {
	var r Running
	nlls := []float64{4.1, 3.9, 5.0, 2.2, 4.4, 4.0, 3.3, 6.1, 4.2, 3.8, 4.9, 4.5}
	var sum float64
	for _, x := range nlls {
		r.Add(x)
		sum += x
	}
	mean := sum / float64(len(nlls))
	var ss float64
	for _, x := range nlls {
		ss += (x - mean) * (x - mean)
	}
	// population variance / (N−1), as llama-perplexity.
	wantUnc := math.Sqrt(ss/float64(len(nlls))/float64(len(nlls)-1)) * math.Exp(mean)
	if math.Abs(r.PPL()-math.Exp(mean)) > 1e-9 || math.Abs(r.PPLUncertainty()-wantUnc) > 1e-9 {
		t.Errorf("PPL %g ± %g, want %g ± %g", r.PPL(), r.PPLUncertainty(), math.Exp(mean), wantUnc)
	}
	m, u := meanAndUncertainty(r.Sum, r.Sum2, r.N)
	if math.Abs(m-mean) > 1e-12 || math.Abs(u*math.Exp(mean)-wantUnc) > 1e-9 {
		t.Errorf("meanAndUncertainty = %g, %g", m, u)
	}
	if _, u := meanAndUncertainty(r.Sum, r.Sum2, 10); u != 0 {
		t.Errorf("uncertainty with n ≤ 10 = %g, want 0", u)
	}
	if c := covariance(1, 2, 3, 9); c != 0 {
		t.Errorf("covariance with n < 10 = %g, want 0", c)
	}
}

func TestTopK(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	logits := make([]float32, 1000)
	for i := range logits {
		logits[i] = float32(rng.IntN(50)) // many ties
	}
	var h minHeap
	for _, k := range []int{1, 7, 64, 1000} {
		ids := make([]int32, k)
		topK(logits, ids, &h)
		all := make([]int32, len(logits))
		for i := range all {
			all[i] = int32(i)
		}
		slices.SortStableFunc(all, func(a, b int32) int {
			switch {
			case logits[a] > logits[b]:
				return -1
			case logits[a] < logits[b]:
				return 1
			}
			return 0
		})
		if !slices.Equal(ids, all[:k]) {
			t.Errorf("k=%d: top ids %v, want %v", k, ids[:min(k, 8)], all[:min(k, 8)])
		}
	}
}

// TestCompareIdentical: a model compared with itself has zero divergence.
func TestCompareIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	z := make([]float32, 500)
	for i := range z {
		z[i] = float32(rng.NormFloat64() * 3)
	}
	rb := recordBuilder{k: 20}
	var r Record
	rb.build(&r, z, 42)
	c := compare(z, 42, &r, make([]float32, 20))
	if math.Abs(c.kld) > 1e-6 || math.Abs(c.deltaP) > 1e-9 || !c.sameTop || math.Abs(c.nll-r.NLL) > 1e-12 {
		t.Errorf("self-comparison: %+v", c)
	}
	for _, d := range c.drift {
		if d > 1e-4 {
			t.Errorf("self-comparison logit drift %g", d)
		}
	}
	// A shifted copy has the same distribution but drifts in raw logits.
	s := make([]float32, len(z))
	for i := range z {
		s[i] = z[i] + 1
	}
	c = compare(s, 42, &r, make([]float32, 20))
	if math.Abs(c.kld) > 1e-6 || math.Abs(float64(c.drift[0])-1) > 1e-4 {
		t.Errorf("shifted: kld %g drift %g", c.kld, c.drift[0])
	}
}
