package model

import (
	"context"
	"fmt"
	"runtime"
)

// MaxBatch is the most tokens pushed through the layers at once; longer
// Eval calls are processed in consecutive sub-batches.
const MaxBatch = 512

// maxContext bounds the KV cache a Context may allocate.
const maxContext = 1 << 20

// Context is one evaluation sequence: a float32 KV cache of NCtx positions
// plus scratch buffers. It is not safe for concurrent use; make one per
// goroutine (they can share the Model).
type Context struct {
	m    *Model
	nCtx int

	// Threads is how many goroutines the matrix products and attention
	// use; it defaults to GOMAXPROCS.
	Threads int

	// cancel, when set, is checked between layers and between row tiles
	// of large products; Eval returns its error once it is done.
	cancel context.Context

	// observe, when set, sees every matrix product's input (SetObserver).
	observe Observer

	k, v [][]float32 // per layer: position-major KVDim floats each
	n    int         // positions filled

	bufTokens                  int // batch size the buffers below hold
	x, xn, q, kb, vb, att, tmp []float32
	gate, up                   []float32
	rope                       []float32
	scores                     [][]float32 // per worker: nCtx attention weights
	scratch                    [][]float32 // per worker: tileRows rows
}

// NewContext makes a context with room for nCtx positions.
func (m *Model) NewContext(nCtx int) (*Context, error) {
	if nCtx < 1 || nCtx > maxContext {
		return nil, fmt.Errorf("context size %d out of range [1, %d]", nCtx, maxContext)
	}
	c := &Context{m: m, nCtx: nCtx, Threads: runtime.GOMAXPROCS(0)}
	kv := m.H.KVDim()
	c.k = make([][]float32, m.H.Layers)
	c.v = make([][]float32, m.H.Layers)
	for i := range c.k {
		c.k[i] = make([]float32, nCtx*kv)
		c.v[i] = make([]float32, nCtx*kv)
	}
	return c, nil
}

// Model returns the model c evaluates.
func (c *Context) Model() *Model { return c.m }

// Size is the number of positions the cache holds.
func (c *Context) Size() int { return c.nCtx }

// Len is the number of positions evaluated so far (the next position).
func (c *Context) Len() int { return c.n }

// Reset empties the KV cache.
func (c *Context) Reset() { c.n = 0 }

// workers returns the effective thread count.
func (c *Context) workers() int { return max(1, c.Threads) }

// ensure sizes the batch buffers for n tokens and the per-worker scratch.
func (c *Context) ensure(n int) {
	h := c.m.H
	if n > c.bufTokens {
		c.bufTokens = n
		c.x = make([]float32, n*h.Embd)
		c.xn = make([]float32, n*max(h.Embd, h.QDim()))
		c.q = make([]float32, n*h.QDim())
		c.kb = make([]float32, n*h.KVDim())
		c.vb = make([]float32, n*h.KVDim())
		c.att = make([]float32, n*h.QDim())
		c.tmp = make([]float32, n*h.Embd)
		c.gate = make([]float32, n*h.FF)
		c.up = make([]float32, n*h.FF)
		c.rope = make([]float32, n*h.RopeDims)
	}
	w := c.workers()
	widest := max(h.Embd, h.FF, h.QDim())
	for len(c.scratch) < w {
		c.scratch = append(c.scratch, make([]float32, tileRows*widest))
		c.scores = append(c.scores, make([]float32, c.nCtx))
	}
}
