package verify

import (
	"math"
	"slices"
)

// Running accumulates negative log-likelihoods the way llama-perplexity
// does: Σnll and Σnll² in float64.
type Running struct {
	Sum, Sum2 float64
	N         int
}

// Add records one token's nll.
func (r *Running) Add(nll float64) {
	r.Sum += nll
	r.Sum2 += nll * nll
	r.N++
}

// Mean is Σnll/N.
func (r Running) Mean() float64 { return r.Sum / float64(r.N) }

// PPL is exp(mean nll).
func (r Running) PPL() float64 { return math.Exp(r.Mean()) }

// PPLUncertainty is llama-perplexity's printed ±: PPL·sqrt(var/(N−1)) with
// var = Σnll²/N − mean², or 0 when the variance is not positive or N < 2.
func (r Running) PPLUncertainty() float64 {
	if r.N < 2 {
		return 0
	}
	m := r.Mean()
	v := r.Sum2/float64(r.N) - m*m
	if !(v > 0) {
		return 0
	}
	return math.Sqrt(v/float64(r.N-1)) * r.PPL()
}

// meanAndUncertainty is llama.cpp's mean_and_uncertainty: the mean and its
// standard error, the error being 0 unless the variance is positive and
// n > 10.
func meanAndUncertainty(sum, sum2 float64, n int) (mean, unc float64) {
	if n == 0 {
		return 0, 0
	}
	mean = sum / float64(n)
	if n > 10 {
		if v := sum2/float64(n) - mean*mean; v > 0 {
			unc = math.Sqrt(v / float64(n-1))
		}
	}
	return mean, unc
}

// covariance is llama.cpp's covariance of two means (0 when n < 10).
func covariance(a, b, ab float64, n int) float64 {
	if n < 10 {
		return 0
	}
	fn := float64(n)
	return (ab/fn - (a/fn)*(b/fn)) / (fn - 1)
}

// Percentile returns the value at fraction f of sorted (ascending) values,
// interpolated the way llama-perplexity does: p = f·(N−1) in float32,
// i = ⌊p⌋, v = (1−frac)·v[i] + frac·v[min(i+1, N−1)].
func Percentile(sorted []float32, f float32) float32 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	p := f * float32(n-1)
	i := int(p)
	frac := p - float32(i)
	return (1-frac)*sorted[i] + frac*sorted[min(i+1, n-1)]
}

// Median is the middle value of sorted values, or the mean of the two
// middle values when there is an even number of them.
func Median(sorted []float32) float32 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// Distribution summarizes per-token values the way llama-perplexity's
// final report does.
type Distribution struct {
	Mean        float64 `json:"mean"`
	Uncertainty float64 `json:"uncertainty"`
	Min         float64 `json:"min"`
	P0_1        float64 `json:"p0_1"`
	P1          float64 `json:"p1"`
	P5          float64 `json:"p5"`
	P10         float64 `json:"p10"`
	P25         float64 `json:"p25"`
	Median      float64 `json:"median"`
	P75         float64 `json:"p75"`
	P90         float64 `json:"p90"`
	P95         float64 `json:"p95"`
	P99         float64 `json:"p99"`
	P99_9       float64 `json:"p99_9"`
	Max         float64 `json:"max"`
}

// summarize computes a Distribution of values (sorted in place) whose sum
// and sum of squares were accumulated in float64 as they came.
func summarize(values []float32, sum, sum2 float64) Distribution {
	var d Distribution
	d.Mean, d.Uncertainty = meanAndUncertainty(sum, sum2, len(values))
	if len(values) == 0 {
		return d
	}
	slices.Sort(values)
	p := func(f float32) float64 { return float64(Percentile(values, f)) }
	d.Min, d.Max = float64(values[0]), float64(values[len(values)-1])
	d.P0_1, d.P1, d.P5, d.P10, d.P25 = p(0.001), p(0.01), p(0.05), p(0.1), p(0.25)
	d.Median = float64(Median(values))
	d.P75, d.P90, d.P95, d.P99, d.P99_9 = p(0.75), p(0.9), p(0.95), p(0.99), p(0.999)
	return d
}
