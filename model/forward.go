package model

import (
	"fmt"
	"math"

	"github.com/zqtool/zq/kernels"
)

// Eval evaluates tokens at positions pos, pos+1, … (pos ≤ Len(): earlier
// cache entries from pos on are overwritten) and writes logits:
// len(logits) == len(tokens)·Vocab gives every position's logits
// (position-major), Vocab gives only the last position's, 0 none.
func (c *Context) Eval(tokens []int32, pos int, logits []float32) error {
	v := c.m.H.Vocab
	switch len(logits) {
	case len(tokens) * v:
		return c.EvalFrom(tokens, pos, 0, logits)
	case v:
		return c.EvalFrom(tokens, pos, len(tokens)-1, logits)
	case 0:
		return c.EvalFrom(tokens, pos, len(tokens), nil)
	}
	return fmt.Errorf("logits buffer holds %d floats; expected %d (all %d positions), %d (last) or 0", len(logits), len(tokens)*v, len(tokens), v)
}

// EvalFrom is Eval writing the logits of positions first … len(tokens)−1
// of the batch only: len(logits) == (len(tokens)−first)·Vocab. Skipping the
// output head for the other positions is what perplexity needs.
func (c *Context) EvalFrom(tokens []int32, pos, first int, logits []float32) error {
	h := c.m.H
	n := len(tokens)
	if n == 0 {
		return fmt.Errorf("no tokens to evaluate")
	}
	if pos < 0 || pos > c.n {
		return fmt.Errorf("position %d out of range: the cache holds %d positions", pos, c.n)
	}
	if pos+n > c.nCtx {
		return fmt.Errorf("%d tokens at position %d exceed the context size %d", n, pos, c.nCtx)
	}
	if first < 0 || first > n {
		return fmt.Errorf("first logits position %d out of range [0, %d]", first, n)
	}
	if len(logits) != (n-first)*h.Vocab {
		return fmt.Errorf("logits buffer holds %d floats; expected %d", len(logits), (n-first)*h.Vocab)
	}
	for i, t := range tokens {
		if t < 0 || int(t) >= h.Vocab {
			return fmt.Errorf("token %d at batch index %d is outside the vocabulary [0, %d)", t, i, h.Vocab)
		}
	}
	for b0 := 0; b0 < n; b0 += MaxBatch {
		b1 := min(n, b0+MaxBatch)
		f := max(first, b0)
		var out []float32
		if f < b1 {
			out = logits[(f-first)*h.Vocab : (b1-first)*h.Vocab]
		} else {
			f = b1
		}
		if err := c.evalBatch(tokens[b0:b1], pos+b0, f-b0, out); err != nil {
			return err
		}
		c.n = pos + b1
	}
	return nil
}

// evalBatch runs at most MaxBatch tokens through the network.
func (c *Context) evalBatch(tokens []int32, pos, first int, logits []float32) error {
	m, h := c.m, c.m.H
	n := len(tokens)
	c.ensure(n)
	x := c.x[:n*h.Embd]
	for t, tok := range tokens {
		if err := m.TokEmbd.DecodeRow(int(tok), x[t*h.Embd:]); err != nil {
			return err
		}
	}
	if h.EmbdScale {
		kernels.ScaleF32(x, float32(math.Sqrt(float64(h.Embd))))
	}
	return c.evalLayers(n, pos, 0, first, logits, nil)
}

// evalLayers runs the n hidden states in c.x at positions pos… through
// layers from… and the output head (positions first…), calling hook, when
// set, with the states entering each layer and, as layer len(Layers), the
// head.
func (c *Context) evalLayers(n, pos, from, first int, logits []float32, hook func(layer int, x []float32)) error {
	m, h := c.m, c.m.H
	x := c.x[:n*h.Embd]
	for t := 0; t < n; t++ {
		ropeTable(c.rope[t*h.RopeDims:(t+1)*h.RopeDims], pos+t, h.RopeDims, h.RopeBase, h.RopeScale, m.RopeFreqs)
	}
	for il := from; il < len(m.Layers); il++ {
		if err := c.cancelled(); err != nil {
			return err
		}
		if hook != nil {
			hook(il, x)
		}
		if err := c.layer(il, n, pos); err != nil {
			return err
		}
	}
	if hook != nil {
		hook(len(m.Layers), x)
	}
	if first >= n {
		return nil
	}
	nOut := n - first
	xn := c.xn[:nOut*h.Embd]
	for t := 0; t < nOut; t++ {
		rmsNorm(xn[t*h.Embd:(t+1)*h.Embd], x[(first+t)*h.Embd:(first+t+1)*h.Embd], m.OutputNorm, h.RMSEps)
	}
	if err := c.matmul(m.Output, xn, nOut, logits); err != nil {
		return err
	}
	if h.FinalSoftcap > 0 {
		softcap(logits, h.FinalSoftcap)
	}
	return nil
}

// layer applies block il to the n tokens in c.x at positions pos….
func (c *Context) layer(il, n, pos int) error {
	m, h := c.m, c.m.H
	l := &m.Layers[il]
	e, qd, kvd := h.Embd, h.QDim(), h.KVDim()
	x, xn := c.x[:n*e], c.xn[:n*e]

	for t := 0; t < n; t++ {
		rmsNorm(xn[t*e:(t+1)*e], x[t*e:(t+1)*e], l.AttnNorm, h.RMSEps)
	}
	q, kb, vb := c.q[:n*qd], c.kb[:n*kvd], c.vb[:n*kvd]
	for _, p := range []struct {
		w *Weight
		y []float32
		b []float32
	}{{l.Q, q, l.BQ}, {l.K, kb, l.BK}, {l.V, vb, l.BV}} {
		if err := c.matmul(p.w, xn, n, p.y); err != nil {
			return err
		}
		addBias(p.y, n, p.b)
	}
	rot := rope
	if h.NeoX {
		rot = ropeNeoX
	}
	for t := 0; t < n; t++ {
		table := c.rope[t*h.RopeDims : (t+1)*h.RopeDims]
		rot(q[t*qd:(t+1)*qd], h.Heads, h.HeadDim, table)
		rot(kb[t*kvd:(t+1)*kvd], h.KVHeads, h.HeadDim, table)
	}
	if h.QScale {
		kernels.ScaleF32(q, h.QScaleValue)
	}
	if c.opts.Reference {
		copy(c.ref.k[il][pos*kvd:], kb)
		copy(c.ref.v[il][pos*kvd:], vb)
	} else {
		c.kv.k.store(il, pos, n, kvd, kb)
		c.kv.v.store(il, pos, n, kvd, vb)
	}
	c.attention(il, n, pos)
	tmp := c.tmp[:n*e]
	if err := c.matmul(l.O, c.att[:n*qd], n, tmp); err != nil {
		return err
	}
	addBias(tmp, n, l.BO)
	postNorm(tmp, n, e, l.AttnPostNorm, h.RMSEps)
	addTo(x, tmp)

	for t := 0; t < n; t++ {
		rmsNorm(xn[t*e:(t+1)*e], x[t*e:(t+1)*e], l.FFNNorm, h.RMSEps)
	}
	g, u := c.gate[:n*h.FF], c.up[:n*h.FF]
	if err := c.matmul(l.Gate, xn, n, g); err != nil {
		return err
	}
	addBias(g, n, l.BGate)
	if err := c.matmul(l.Up, xn, n, u); err != nil {
		return err
	}
	addBias(u, n, l.BUp)
	if h.GELU {
		geglu(g, u)
	} else {
		c.swiglu(g, u)
	}
	if err := c.matmul(l.Down, g, n, tmp); err != nil {
		return err
	}
	addBias(tmp, n, l.BDown)
	postNorm(tmp, n, e, l.FFNPostNorm, h.RMSEps)
	addTo(x, tmp)
	return nil
}

// postNorm RMS-normalises each of the n rows of x (length e) in place with
// weight w; a nil w does nothing.
func postNorm(x []float32, n, e int, w []float32, eps float32) {
	if w == nil {
		return
	}
	for t := 0; t < n; t++ {
		rmsNorm(x[t*e:(t+1)*e], x[t*e:(t+1)*e], w, eps)
	}
}
