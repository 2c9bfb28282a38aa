package mix

import (
	"context"
	"fmt"
	"math"

	"github.com/zqtool/zq/model"
)

// evaluator measures how far the model's current weights move its
// predictions from the ones it made when the evaluator was created: the
// mean KL divergence over the scored positions of a few chunks, each
// evaluated as llama-perplexity does (BOS first, the second half scored).
type evaluator struct {
	c      *model.Context
	chunks [][]int32
	first  int         // first scored position of a chunk
	base   [][]float32 // per chunk: the scored positions' log-probabilities
	logits []float32
	vocab  int
}

// newEvaluator evaluates chunks (each nCtx tokens) with m's current
// weights and keeps their log-probabilities as the base.
func newEvaluator(ctx context.Context, m *model.Model, chunks [][]int32, threads int) (*evaluator, error) {
	if len(chunks) == 0 {
		return nil, fmt.Errorf("no calibration chunks")
	}
	nCtx := len(chunks[0])
	c, err := m.NewContext(nCtx)
	if err != nil {
		return nil, err
	}
	if threads > 0 {
		c.Threads = threads
	}
	c.SetCancel(ctx)
	e := &evaluator{c: c, chunks: chunks, first: nCtx / 2, vocab: m.H.Vocab}
	for k := range chunks {
		if err := e.eval(k); err != nil {
			c.Close()
			return nil, err
		}
		lp := make([]float32, len(e.logits))
		n := e.scored()
		for p := 0; p < n; p++ {
			logSoftmax(lp[p*e.vocab:(p+1)*e.vocab], e.logits[p*e.vocab:(p+1)*e.vocab])
		}
		e.base = append(e.base, lp)
	}
	return e, nil
}

// scored is the number of scored positions per chunk: first … nCtx−2,
// the positions that predict a token of the chunk.
func (e *evaluator) scored() int { return len(e.chunks[0]) - 1 - e.first }

// eval runs chunk k and leaves the scored positions' logits in e.logits.
func (e *evaluator) eval(k int) error {
	n := len(e.chunks[k])
	if len(e.logits) != (n-e.first)*e.vocab {
		e.logits = make([]float32, (n-e.first)*e.vocab)
	}
	e.c.Reset()
	if err := e.c.EvalFrom(e.chunks[k], 0, e.first, e.logits); err != nil {
		return err
	}
	e.logits = e.logits[:e.scored()*e.vocab]
	return nil
}

// meanKLD evaluates every chunk with the model's current weights and
// returns the mean KL(base ‖ current) per scored position, in nats.
func (e *evaluator) meanKLD() (float64, error) {
	var sum float64
	n := 0
	for k := range e.chunks {
		if err := e.eval(k); err != nil {
			return 0, err
		}
		for p := 0; p < e.scored(); p++ {
			sum += kld(e.base[k][p*e.vocab:(p+1)*e.vocab], e.logits[p*e.vocab:(p+1)*e.vocab])
			n++
		}
	}
	return sum / float64(n), nil
}

// close stops the evaluator's workers.
func (e *evaluator) close() { e.c.Close() }

// logSoftmax writes log softmax(z) into dst, in float64 internally.
func logSoftmax(dst, z []float32) {
	m := z[0]
	for _, v := range z {
		m = max(m, v)
	}
	var s float64
	for _, v := range z {
		s += math.Exp(float64(v - m))
	}
	lse := float64(m) + math.Log(s)
	for i, v := range z {
		dst[i] = float32(float64(v) - lse)
	}
}

// kld is KL(p ‖ q) for base log-probabilities lp and logits z of q, over
// the whole vocabulary.
func kld(lp, z []float32) float64 {
	m := z[0]
	for _, v := range z {
		m = max(m, v)
	}
	var s float64
	for _, v := range z {
		s += math.Exp(float64(v - m))
	}
	lse := float64(m) + math.Log(s)
	var d float64
	for i, l := range lp {
		p := math.Exp(float64(l))
		d += p * (float64(l) - (float64(z[i]) - lse))
	}
	return max(d, 0)
}
