package verify

import (
	"math"
)

// comparison accumulates the per-token statistics of a model against its
// base, as llama-perplexity's KL-divergence mode does (sums in float64,
// per-token values kept in float32 for percentiles).
type comparison struct {
	q, base               Running
	nllCross              float64 // Σ nll·nll_base
	kldSum, kldSum2       float64
	kldLowerSum           float64
	kld                   []float32
	dpSum, dpSum2, dpSum4 float64
	dp                    []float32
	dpTopSum2             float64
	sameTop               int
	driftMax, driftSum2   float64
	driftN                int
}

// add records one scored position.
func (c *comparison) add(t tokenComparison, baseNLL float64) {
	c.q.Add(t.nll)
	c.base.Add(baseNLL)
	c.nllCross += t.nll * baseNLL
	c.kldSum += t.kld
	c.kldSum2 += t.kld * t.kld
	c.kldLowerSum += t.kldLower
	c.kld = append(c.kld, float32(t.kld))
	d2 := t.deltaP * t.deltaP
	c.dpSum += t.deltaP
	c.dpSum2 += d2
	c.dpSum4 += d2 * d2
	c.dp = append(c.dp, float32(t.deltaP))
	c.dpTopSum2 += t.deltaTop * t.deltaTop
	if t.sameTop {
		c.sameTop++
	}
	for _, d := range t.drift {
		c.driftMax = max(c.driftMax, float64(d))
		c.driftSum2 += float64(d) * float64(d)
	}
	c.driftN += len(t.drift)
}

// ValueUnc is a value with its uncertainty (one standard error).
type ValueUnc struct {
	Value       float64 `json:"value"`
	Uncertainty float64 `json:"uncertainty"`
}

// Comparison is the model-versus-base part of a report.
type Comparison struct {
	Tokens      int     `json:"tokens"`
	Correlation float64 `json:"cor_ln_ppl"` // correlation of the per-token nll (Pearson)
	// LnPPLRatio is mean ln(PPL(Q)/PPL(base)) = mean nll − mean nll_base.
	LnPPLRatio ValueUnc `json:"ln_ppl_ratio"`
	PPLRatio   ValueUnc `json:"ppl_ratio"`
	DeltaPPL   ValueUnc `json:"delta_ppl"`
	// KLD is KL(base ‖ model) per token in nats: exact over the base's
	// top-k tokens, estimated for the rest of the vocabulary (see compare).
	KLD Distribution `json:"kld"`
	// KLDLowerBound is the mean KLD with the rest of the vocabulary
	// counted as one token: a strict lower bound.
	KLDLowerBound float64 `json:"kld_mean_lower_bound"`
	// DeltaP is p_model − p_base of the actual next token (a probability,
	// not a percentage), as llama-perplexity's Δp.
	DeltaP    Distribution `json:"delta_p"`
	RMSDeltaP ValueUnc     `json:"rms_delta_p"`
	// RMSDeltaPTop is the RMS of p_model − p_base of the base's most
	// likely token.
	RMSDeltaPTop float64  `json:"rms_delta_p_top"`
	SameTop1     ValueUnc `json:"same_top1"` // fraction of positions whose argmax agrees
	// LogitDrift is |logit_model − logit_base| over the base's top-k tokens
	// of every scored position.
	LogitDriftMax float64 `json:"logit_drift_max"`
	LogitDriftRMS float64 `json:"logit_drift_rms"`
}

// result computes the final statistics (sorting the kept values).
func (c *comparison) result() Comparison {
	n := c.q.N
	r := Comparison{Tokens: n}
	if n == 0 {
		return r
	}
	mq, uq := meanAndUncertainty(c.q.Sum, c.q.Sum2, n)
	mb, ub := meanAndUncertainty(c.base.Sum, c.base.Sum2, n)
	cov := covariance(c.q.Sum, c.base.Sum, c.nllCross, n)
	if uq > 0 && ub > 0 {
		r.Correlation = cov / (uq * ub)
	}
	r.LnPPLRatio = ValueUnc{mq - mb, math.Sqrt(max(0, uq*uq+ub*ub-2*cov))}
	ratio := math.Exp(r.LnPPLRatio.Value)
	r.PPLRatio = ValueUnc{ratio, ratio * r.LnPPLRatio.Uncertainty}
	pq, pb := math.Exp(mq), math.Exp(mb)
	upq, upb := pq*uq, pb*ub
	r.DeltaPPL = ValueUnc{pq - pb, math.Sqrt(max(0, upq*upq+upb*upb-2*pq*pb*cov))}
	r.KLD = summarize(c.kld, c.kldSum, c.kldSum2)
	r.KLDLowerBound = c.kldLowerSum / float64(n)
	r.DeltaP = summarize(c.dp, c.dpSum, c.dpSum2)
	mse, mseUnc := meanAndUncertainty(c.dpSum2, c.dpSum4, n)
	if rms := math.Sqrt(mse); rms > 0 {
		r.RMSDeltaP = ValueUnc{rms, 0.5 / rms * mseUnc}
	}
	r.RMSDeltaPTop = math.Sqrt(c.dpTopSum2 / float64(n))
	same := float64(c.sameTop) / float64(n)
	r.SameTop1.Value = same
	if n > 1 {
		r.SameTop1.Uncertainty = math.Sqrt(same * (1 - same) / float64(n-1))
	}
	r.LogitDriftMax = c.driftMax
	if c.driftN > 0 {
		r.LogitDriftRMS = math.Sqrt(c.driftSum2 / float64(c.driftN))
	}
	return r
}
