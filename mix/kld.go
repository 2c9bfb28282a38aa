package mix

import (
	"context"
	"fmt"
	"math"

	"github.com/zqtool/zq/model"
)

// maxSavedStates bounds the memory the evaluator spends on saved layer
// inputs (float32 values); beyond it every pass starts from the embeddings.
const maxSavedStates = 1 << 28

// evaluator measures how far the model's current weights move its
// predictions from the ones it made when the evaluator was created: the
// mean KL divergence over the scored positions of a few chunks, each
// evaluated as llama-perplexity does (BOS first, the second half scored).
// It keeps every layer's input from the base pass, so that a pass after
// changing weights of layer l only reruns layers l… .
type evaluator struct {
	m      *model.Model
	c      *model.Context
	chunks [][]int32
	first  int         // first scored position of a chunk
	base   [][]float32 // per chunk: the scored positions' log-probabilities
	saved  [][][][]float32
	x      []float32
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
	e := &evaluator{m: m, c: c, chunks: chunks, first: nCtx / 2, vocab: m.H.Vocab,
		logits: make([]float32, (nCtx-nCtx/2)*m.H.Vocab)}
	save := len(chunks)*nCtx*m.H.Embd*(len(m.Layers)+1) <= maxSavedStates
	for k := range chunks {
		if save {
			e.saved = append(e.saved, make([][][]float32, e.batches()))
		}
		if err := e.eval(k, -1); err != nil {
			c.Close()
			return nil, err
		}
		lp := make([]float32, e.scored()*e.vocab)
		for p := range e.scored() {
			logSoftmax(lp[p*e.vocab:(p+1)*e.vocab], e.logits[p*e.vocab:(p+1)*e.vocab])
		}
		e.base = append(e.base, lp)
	}
	return e, nil
}

// scored is the number of scored positions per chunk: first … nCtx−2,
// the positions that predict a token of the chunk.
func (e *evaluator) scored() int { return len(e.chunks[0]) - 1 - e.first }

// batches is the number of physical batches per chunk.
func (e *evaluator) batches() int { return (len(e.chunks[0]) + model.MaxBatch - 1) / model.MaxBatch }

// eval runs chunk k from layer from (−1: from the token embeddings, and
// the base pass saves every layer's input) and leaves the logits of
// positions first… in e.logits.
func (e *evaluator) eval(k, from int) error {
	toks := e.chunks[k]
	n, embd := len(toks), e.m.H.Embd
	if e.saved == nil {
		from = -1
	}
	e.c.Reset()
	for b := range e.batches() {
		b0, b1 := b*model.MaxBatch, min(n, (b+1)*model.MaxBatch)
		var x []float32
		var hook func(int, []float32)
		if from < 0 {
			if cap(e.x) < (b1-b0)*embd {
				e.x = make([]float32, (b1-b0)*embd)
			}
			x = e.x[:(b1-b0)*embd]
			for t, tok := range toks[b0:b1] {
				if err := e.m.TokEmbd.DecodeRow(int(tok), x[t*embd:]); err != nil {
					return err
				}
			}
			if e.saved != nil && e.saved[k][b] == nil {
				e.saved[k][b] = make([][]float32, len(e.m.Layers)+1)
				hook = func(l int, h []float32) { e.saved[k][b][l] = append([]float32(nil), h...) }
			}
		} else {
			x = e.saved[k][b][from]
		}
		f := min(max(e.first, b0), b1)
		var out []float32
		if f < b1 {
			out = e.logits[(f-e.first)*e.vocab : (b1-e.first)*e.vocab]
		}
		if err := e.c.EvalHidden(x, b0, max(from, 0), f-b0, out, hook); err != nil {
			return err
		}
	}
	return nil
}

// meanKLD evaluates every chunk with the model's current weights, rerun
// from layer from (−1: from the token embeddings; the weights of earlier
// layers must be the base's) and returns the mean KL(base ‖ current) per
// scored position, in nats.
func (e *evaluator) meanKLD(from int) (float64, error) {
	var sum float64
	n := 0
	for k := range e.chunks {
		if err := e.eval(k, from); err != nil {
			return 0, err
		}
		for p := range e.scored() {
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
	lse := logSumExp(z)
	for i, v := range z {
		dst[i] = float32(float64(v) - lse)
	}
}

// logSumExp is log Σ exp(z_i), in float64.
func logSumExp(z []float32) float64 {
	m := z[0]
	for _, v := range z {
		m = max(m, v)
	}
	var s float64
	for _, v := range z {
		s += math.Exp(float64(v - m))
	}
	return float64(m) + math.Log(s)
}

// kld is KL(p ‖ q) for base log-probabilities lp and logits z of q, over
// the whole vocabulary.
func kld(lp, z []float32) float64 {
	lse := logSumExp(z)
	var d float64
	for i, l := range lp {
		p := math.Exp(float64(l))
		d += p * (float64(l) - (float64(z[i]) - lse))
	}
	return max(d, 0)
}
