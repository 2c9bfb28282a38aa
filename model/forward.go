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
	for t := 0; t < n; t++ {
		ropeTable(c.rope[t*h.RopeDims:(t+1)*h.RopeDims], pos+t, h.RopeDims, h.RopeBase, h.RopeScale, m.RopeFreqs)
	}
	for il := range m.Layers {
		if err := c.cancelled(); err != nil {
			return err
		}
		if err := c.layer(il, n, pos); err != nil {
			return err
		}
	}
	if first >= n {
		return nil
	}
	nOut := n - first
	xn := c.xn[:nOut*h.Embd]
	for t := 0; t < nOut; t++ {
		rmsNorm(xn[t*h.Embd:(t+1)*h.Embd], x[(first+t)*h.Embd:(first+t+1)*h.Embd], m.OutputNorm, h.RMSEps)
	}
	return c.matmul(m.Output, xn, nOut, logits)
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
	for t := 0; t < n; t++ {
		table := c.rope[t*h.RopeDims : (t+1)*h.RopeDims]
		rope(q[t*qd:(t+1)*qd], h.Heads, h.HeadDim, table)
		rope(kb[t*kvd:(t+1)*kvd], h.KVHeads, h.HeadDim, table)
	}
	copy(c.k[il][pos*kvd:], kb)
	copy(c.v[il][pos*kvd:], vb)
	if err := c.attention(il, n, pos); err != nil {
		return err
	}
	tmp := c.tmp[:n*e]
	if err := c.matmul(l.O, c.att[:n*qd], n, tmp); err != nil {
		return err
	}
	addBias(tmp, n, l.BO)
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
	swiglu(g, u)
	if err := c.matmul(l.Down, g, n, tmp); err != nil {
		return err
	}
	addBias(tmp, n, l.BDown)
	addTo(x, tmp)
	return nil
}

// matmul computes y[t·Rows + r] = W[r]·x[t] for n tokens, in parallel over
// tiles of weight rows.
func (c *Context) matmul(w *Weight, x []float32, n int, y []float32) error {
	if c.observe != nil {
		c.observe(w.Name, x[:n*w.Cols], n, w.Cols)
	}
	tiles := (w.Rows + tileRows - 1) / tileRows
	return parallelFor(tiles, 1, c.workers(), func(wk, lo, hi int) error {
		for tile := lo; tile < hi; tile++ {
			r0 := tile * tileRows
			if err := w.mulTile(r0, min(r0+tileRows, w.Rows), x, n, y, w.Rows, c.scratch[wk]); err != nil {
				return err
			}
		}
		return nil
	})
}

// attention computes causal (optionally sliding-window) grouped-query
// attention of the n queries in c.q against the cache of layer il, writing
// c.att.
func (c *Context) attention(il, n, pos int) error {
	h := c.m.H
	hd, qd, kvd := h.HeadDim, h.QDim(), h.KVDim()
	group := h.Heads / h.KVHeads
	kc, vc := c.k[il], c.v[il]
	return parallelFor(n*h.Heads, 4, c.workers(), func(wk, lo, hi int) error {
		sc := c.scores[wk]
		for u := lo; u < hi; u++ {
			t, head := u/h.Heads, u%h.Heads
			p := pos + t
			kvOff := (head / group) * hd
			q := c.q[t*qd+head*hd : t*qd+(head+1)*hd]
			j0 := 0
			if h.Window > 0 {
				j0 = max(0, p-h.Window+1)
			}
			mx := float32(math.Inf(-1))
			for j := j0; j <= p; j++ {
				s := kernels.DotF32(q, kc[j*kvd+kvOff:j*kvd+kvOff+hd]) * h.AttnScale
				sc[j] = s
				mx = max(mx, s)
			}
			var sum float64
			for j := j0; j <= p; j++ {
				e := float32(math.Exp(float64(sc[j] - mx)))
				sc[j] = e
				sum += float64(e)
			}
			out := c.att[t*qd+head*hd : t*qd+(head+1)*hd]
			clear(out)
			for j := j0; j <= p; j++ {
				kernels.AxpyF32(sc[j], vc[j*kvd+kvOff:j*kvd+kvOff+hd], out)
			}
			kernels.ScaleF32(out, float32(1/sum))
		}
		return nil
	})
}
