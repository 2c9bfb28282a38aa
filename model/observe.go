package model

// Observer receives the activations entering one matrix product: the nTok
// rows of cols floats (row-major) that multiply the weight whose GGUF name
// is tensor. The slice is only valid during the call.
type Observer func(tensor string, x []float32, nTok, cols int)

// SetObserver makes c call fn before every matrix product with a named
// weight (output.weight, or token_embd.weight when tied, included), from
// the evaluating goroutine, in forward order. This is how importance
// matrices are collected. A nil fn (the default) costs nothing.
func (c *Context) SetObserver(fn func(tensor string, x []float32, nTok, cols int)) {
	c.observe = fn
}
