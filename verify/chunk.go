package verify

import (
	"fmt"
	"time"

	"github.com/zqtool/zq/internal/finite"
	"github.com/zqtool/zq/model"
)

// evaluator carries the state of one Run across chunks.
type evaluator struct {
	cfg    Config
	nCtx   int
	tokens []int32
	bos    int32
	addBOS bool

	bf     *BaseFile      // saved base statistics, or nil
	sw     *BaseWriter    // where to save base statistics, or nil
	mc, bc *model.Context // model and (live) base contexts
	rb     recordBuilder

	chunkBuf       []int32
	logits, blogit []float32
	recs           []Record
	drift          []float32

	ppl       Running
	cmp       *comparison
	modelTime time.Duration
}

// evalChunk clears c's cache and evaluates chunk, returning the logits of
// positions first … n_ctx−1 in buf (reallocated when too small).
func evalChunk(c *model.Context, chunk []int32, first int, buf *[]float32) ([]float32, error) {
	n := (len(chunk) - first) * c.Model().H.Vocab
	if cap(*buf) < n {
		*buf = make([]float32, n)
	}
	out := (*buf)[:n]
	c.Reset()
	return out, c.EvalFrom(chunk, 0, first, out)
}

// chunk evaluates chunk k: the model always, the live base when there is
// one, and accumulates every statistic.
func (e *evaluator) chunk(k int) error {
	nCtx := e.nCtx
	start := k * nCtx
	chunk := append(e.chunkBuf[:0], e.tokens[start:start+nCtx]...)
	e.chunkBuf = chunk
	if e.addBOS {
		// llama-perplexity replaces (does not insert) the first token.
		chunk[0] = e.bos
	}
	first := nCtx / 2
	ns := scored(nCtx)
	if len(e.recs) < ns {
		e.recs = make([]Record, ns)
	}
	next := func(j int) int32 { return e.tokens[start+first+j+1] }

	haveBase := false
	switch {
	case e.bc != nil:
		bl, err := evalChunk(e.bc, chunk, first, &e.blogit)
		if err != nil {
			return err
		}
		if err := finite.Check(bl, e.cfg.Base, fmt.Sprintf("chunk %d", k+1)); err != nil {
			return err
		}
		v := e.bc.Model().H.Vocab
		for j := 0; j < ns; j++ {
			e.rb.build(&e.recs[j], bl[j*v:(j+1)*v], next(j))
		}
		haveBase = true
	case e.bf != nil:
		for j := 0; j < ns; j++ {
			if err := e.bf.Record(k*ns+j, &e.recs[j]); err != nil {
				return err
			}
		}
		haveBase = true
	}

	t0 := time.Now()
	logits, err := evalChunk(e.mc, chunk, first, &e.logits)
	e.modelTime += time.Since(t0)
	if err != nil {
		return err
	}
	if err := finite.Check(logits, e.cfg.Model, fmt.Sprintf("chunk %d", k+1)); err != nil {
		return err
	}
	v := e.mc.Model().H.Vocab
	if haveBase && e.cmp == nil {
		e.cmp = &comparison{}
	}
	if len(e.drift) < e.rb.k {
		e.drift = make([]float32, e.rb.k)
	}
	for j := 0; j < ns; j++ {
		z := logits[j*v : (j+1)*v]
		if haveBase {
			r := &e.recs[j]
			tc := compare(z, next(j), r, e.drift[:len(r.IDs)])
			e.ppl.Add(tc.nll)
			e.cmp.add(tc, r.NLL)
			continue
		}
		if e.sw != nil {
			// The model is its own base: keep its statistics.
			e.rb.build(&e.recs[j], z, next(j))
			e.ppl.Add(e.recs[j].NLL)
			continue
		}
		m, _, lse := softmaxStats(z)
		e.ppl.Add(nll(z, next(j), m, lse))
	}
	if e.sw != nil {
		for j := 0; j < ns; j++ {
			if err := e.sw.Write(&e.recs[j]); err != nil {
				return err
			}
		}
	}
	return nil
}
