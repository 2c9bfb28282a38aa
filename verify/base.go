package verify

import (
	"math"
)

// DefaultTopK is how many of the base model's most likely tokens are kept
// per scored position (a record is 12+8·k bytes, against 2·n_vocab for
// llama.cpp's --kl-divergence-base format). The KL divergence is exact over
// those tokens; the rest of the vocabulary is one "other" bucket plus the
// assumption that its tokens disagree among themselves as much as the top-k
// do (see compare). On the bundled 4096-token micro model, whose
// distributions are flat (perplexity ≈ 77, the top 64 tokens hold well
// under 90% of the mass), k = 64 gives the full-vocabulary mean KLD within
// 3%, k = 16 within 2%, k = 8 within 8%; peaked distributions of real
// models leave less in the bucket. 64 keeps a 512-token, 600-chunk base
// file under 100 MB.
const DefaultTopK = 64

// MaxTopK bounds k in files and options.
const MaxTopK = 4096

// Record is what is kept of the base model's output at one scored
// position.
type Record struct {
	NLL  float64   // −log p(actual next token)
	LogZ float32   // max logit + log Σ exp(logit − max): logit_i − LogZ = log p_i
	IDs  []int32   // the k most likely tokens, best first (ties: lower id first)
	LogP []float32 // their log-probabilities
}

// recordBuilder turns logits into Records, reusing scratch.
type recordBuilder struct {
	k int
	h minHeap
}

// build fills r from one position's logits and the actual next token.
func (b *recordBuilder) build(r *Record, logits []float32, next int32) {
	m, _, lse := softmaxStats(logits)
	r.NLL = nll(logits, next, m, lse)
	r.LogZ = m + float32(lse)
	if cap(r.IDs) < b.k {
		r.IDs = make([]int32, b.k)
		r.LogP = make([]float32, b.k)
	}
	r.IDs, r.LogP = r.IDs[:b.k], r.LogP[:b.k]
	topK(logits, r.IDs, &b.h)
	for i, id := range r.IDs {
		r.LogP[i] = float32(float64(logits[id]-m) - lse)
	}
}

// tokenComparison is everything compared at one scored position.
type tokenComparison struct {
	nll      float64 // model's −log p(next)
	kld      float64 // estimated KL(base ‖ model), see compare
	kldLower float64 // the top-k plus bucket lower bound
	sameTop  bool    // model's argmax equals the base's
	deltaP   float64 // p_model(next) − p_base(next)
	deltaTop float64 // p_model(base top) − p_base(base top)
	drift    []float32
}

// compare computes the per-position statistics of model logits z against
// base record r for next token next; drift receives |Δlogit| over r's
// tokens (len k).
//
// With P, Q the base and model probability of r's k tokens and p̃, q̃ the
// distributions renormalized over them, KL(base ‖ model) is
//
//	Σ_top p·log(p/q) + (1−P)·log((1−P)/(1−Q)) + (1−P)·KL(rest)
//
// The first two terms are exact (the second treats the rest as one token,
// which alone gives a lower bound); KL(rest), the disagreement inside the
// rest of the vocabulary, is estimated by KL(p̃ ‖ q̃), the disagreement
// inside the top-k.
func compare(z []float32, next int32, r *Record, drift []float32) tokenComparison {
	m, imax, lse := softmaxStats(z)
	c := tokenComparison{nll: nll(z, next, m, lse), drift: drift}
	c.sameTop = int32(imax) == r.IDs[0]
	c.deltaP = math.Exp(-c.nll) - math.Exp(-r.NLL)
	var pTop, qTop float64
	for i, id := range r.IDs {
		lq := float64(z[id]-m) - lse
		lp := float64(r.LogP[i])
		p := math.Exp(lp)
		pTop += p
		qTop += math.Exp(lq)
		c.kld += p * (lp - lq)
		if i == 0 {
			c.deltaTop = math.Exp(lq) - p
		}
		drift[i] = float32(math.Abs(float64(z[id]) - float64(lp+float64(r.LogZ))))
	}
	if pRest := 1 - pTop; pRest > 1e-9 {
		qRest := max(1-qTop, 1e-30)
		within := max(0, c.kld/pTop-math.Log(pTop/qTop))
		c.kld += pRest * math.Log(pRest/qRest)
		c.kldLower = c.kld
		c.kld += pRest * within
	} else {
		c.kldLower = c.kld
	}
	return c
}
