package model

import "fmt"

// EvalHidden is the second half of EvalFrom, for callers that replay a
// batch from a saved layer input: the hidden states x (n·Embd values for n
// ≤ MaxBatch tokens at positions pos…) enter layer from and run through
// the rest of the network; logits receives positions first… as EvalFrom's
// does. The layers before from are skipped and their KV cache left as it
// is. hook, when set, is called with the states entering each layer from
// on and, as layer len(Layers), the output head; it must not keep them. x
// itself is not changed.
func (c *Context) EvalHidden(x []float32, pos, from, first int, logits []float32, hook func(layer int, x []float32)) error {
	h := c.m.H
	n := len(x) / h.Embd
	switch {
	case n == 0 || len(x) != n*h.Embd || n > MaxBatch:
		return fmt.Errorf("hidden states of %d values: expected 1 … %d rows of %d", len(x), MaxBatch, h.Embd)
	case from < 0 || from > len(c.m.Layers):
		return fmt.Errorf("layer %d out of range [0, %d]", from, len(c.m.Layers))
	case pos < 0 || pos > c.n:
		return fmt.Errorf("position %d out of range: the cache holds %d positions", pos, c.n)
	case pos+n > c.nCtx:
		return fmt.Errorf("%d tokens at position %d exceed the context size %d", n, pos, c.nCtx)
	case first < 0 || first > n:
		return fmt.Errorf("first logits position %d out of range [0, %d]", first, n)
	case len(logits) != (n-first)*h.Vocab:
		return fmt.Errorf("logits buffer holds %d floats; expected %d", len(logits), (n-first)*h.Vocab)
	}
	c.ensure(n)
	copy(c.x, x)
	if err := c.evalLayers(n, pos, from, first, logits, hook); err != nil {
		return err
	}
	c.n = pos + n
	return nil
}
