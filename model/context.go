package model

import (
	"context"
	"fmt"
	"runtime"

	"github.com/zqtool/zq/internal/parallel"
)

// MaxBatch is the most tokens pushed through the layers at once; longer
// Eval calls are processed in consecutive sub-batches.
const MaxBatch = 512

// maxContext bounds the KV cache a Context may allocate.
const maxContext = 1 << 20

// Options selects how a Context evaluates.
type Options struct {
	// Reference selects the reference forward pass: every weight row is
	// decoded to float32 and multiplied with the float32 activations, the
	// KV cache is float32 and attention is an exact two-pass softmax. It is
	// slow; the default fast path quantizes activations to the type ggml
	// pairs with each weight type and runs the fused integer kernels, with
	// an F16 (or CacheK/CacheV) cache and streaming attention, as
	// llama.cpp's CPU backend does.
	Reference bool
	// CacheK and CacheV are the KV cache types of the fast path (default
	// F16, as llama.cpp's).
	CacheK, CacheV CacheType
}

// Context is one evaluation sequence: a KV cache of NCtx positions, scratch
// buffers and a pool of worker goroutines. It is not safe for concurrent
// use; make one per goroutine (they can share the Model). Close stops its
// workers.
type Context struct {
	m    *Model
	nCtx int
	opts Options

	// Threads is how many goroutines the matrix products and attention
	// use; it defaults to GOMAXPROCS. Results do not depend on it.
	Threads int

	// cancel, when set, is checked between layers and between row tiles
	// of large products; Eval returns its error once it is done.
	cancel context.Context

	observer func(tensor string, x []float32, nTok, cols int)

	pool *poolHolder

	ref  refCache // the reference path's float32 cache
	kv   kvCache  // the fast path's cache
	n    int      // positions filled
	work []workerScratch

	bufTokens                  int // batch size the buffers below hold
	x, xn, q, kb, vb, att, tmp []float32
	gate, up                   []float32
	rope                       []float32
	act                        []byte // activations quantized for the current product
}

// poolHolder owns the context's worker pool; a cleanup closes it when a
// Context is dropped without Close.
type poolHolder struct{ p *parallel.Pool }

// NewContext makes a context with room for nCtx positions and the default
// options (fast path, F16 cache).
func (m *Model) NewContext(nCtx int) (*Context, error) {
	return m.NewContextWith(nCtx, Options{})
}

// NewContextWith makes a context with room for nCtx positions evaluated as
// o says.
func (m *Model) NewContextWith(nCtx int, o Options) (*Context, error) {
	if nCtx < 1 || nCtx > maxContext {
		return nil, fmt.Errorf("context size %d out of range [1, %d]", nCtx, maxContext)
	}
	c := &Context{m: m, nCtx: nCtx, opts: o, Threads: runtime.GOMAXPROCS(0), pool: &poolHolder{}}
	if o.Reference {
		c.ref = newRefCache(m.H, nCtx)
	} else {
		kv, err := newKVCache(m.H, nCtx, o.CacheK, o.CacheV)
		if err != nil {
			return nil, err
		}
		c.kv = kv
	}
	runtime.AddCleanup(c, func(h *poolHolder) {
		if h.p != nil {
			h.p.Close()
		}
	}, c.pool)
	return c, nil
}

// Close stops the context's worker goroutines. The context may still be
// used afterwards (it then runs on the calling goroutine alone until the
// next Eval starts a new pool).
func (c *Context) Close() {
	if c.pool.p != nil {
		c.pool.p.Close()
		c.pool.p = nil
	}
}

// SetObserver makes every matrix product with a named weight (the output
// head included) first call fn, from the evaluating goroutine and in
// forward order, with the float32 activation rows entering it: nTok rows of
// cols values, row-major, and tensor the weight's GGUF name. fn must not
// keep x. nil removes the observer.
func (c *Context) SetObserver(fn func(tensor string, x []float32, nTok, cols int)) {
	c.observer = fn
}

// Options returns the options c was made with.
func (c *Context) Options() Options { return c.opts }

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

// run executes tasks on the context's pool, (re)starting it when Threads
// changed.
func (c *Context) run(tasks int, fn func(worker, task int)) {
	if p := c.pool.p; p == nil || p.Workers() != c.workers() {
		if p != nil {
			p.Close()
		}
		c.pool.p = parallel.NewPool(c.workers())
		c.ensureWorkers()
	}
	c.pool.p.Run(tasks, fn)
}

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
	c.ensureWorkers()
}

// ensureWorkers gives every worker its scratch.
func (c *Context) ensureWorkers() {
	for len(c.work) < c.workers() {
		c.work = append(c.work, newWorkerScratch(c.m.H, c.nCtx, c.opts.Reference))
	}
}
