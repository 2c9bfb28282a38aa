package model

import "sync/atomic"

// Matrix products of the forward pass. The fast path quantizes the
// activation rows once per product into the weight kernel's activation
// format and lets the workers run the fused kernel over fixed chunks of
// weight rows (all tokens at once; the kernel tiles them for the caches).
// Every output depends on its row and token only, so the result is the
// same for any thread count.

// Row chunks one task of a product takes. For one token: up to
// chunkRowsOne rows but at least batchTasksPerWorker tasks per worker
// (never under chunkRowsOneMin): long runs of rows keep the kernels'
// prefetching streaming (a 1B Q8_0 file generated 15.2 t/s with 32-row
// chunks, 16.4 with 128, 15.6 with 256 on 2 threads). For a batch: at
// least chunkRowsBatch rows and at most batchTasksPerWorker tasks per
// worker. Both are multiples of 16 rows (the interleaved tiles' group);
// a batch call prepares all its tokens' activations once.
const (
	chunkRowsOne        = 128
	chunkRowsOneMin     = 32
	chunkRowsBatch      = 64
	batchTasksPerWorker = 4
	// quantChunk is how many activation rows one task quantizes.
	quantChunk = 16
)

// matmul computes y[t·Rows + r] = W[r]·x[t] for n tokens.
func (c *Context) matmul(w *Weight, x []float32, n int, y []float32) error {
	if c.observer != nil && w.Name != "" {
		c.observer(w.Name, x[:n*w.Cols], n, w.Cols)
	}
	if c.opts.Reference || w.kern.Mul == nil {
		return c.matmulRef(w, x, n, y)
	}
	act := w.kern.Act
	rb := act.RowBytes(w.Cols)
	if cap(c.act) < n*rb {
		c.act = make([]byte, n*rb)
	}
	a := c.act[:n*rb]
	cols := w.Cols
	if n > quantChunk {
		c.run((n+quantChunk-1)/quantChunk, func(_, task int) {
			for t := task * quantChunk; t < min(n, (task+1)*quantChunk); t++ {
				act.Quantize(a[t*rb:(t+1)*rb], x[t*cols:(t+1)*cols])
			}
		})
	} else {
		for t := 0; t < n; t++ {
			act.Quantize(a[t*rb:(t+1)*rb], x[t*cols:(t+1)*cols])
		}
	}
	chunk := max(chunkRowsOneMin, min(chunkRowsOne, w.Rows/(batchTasksPerWorker*c.workers())&^15))
	if n > 1 {
		chunk = max(chunkRowsBatch, (w.Rows/(batchTasksPerWorker*c.workers())+15)&^15)
	}
	var stop atomic.Bool
	c.run((w.Rows+chunk-1)/chunk, func(_, task int) {
		if n > 1 && (stop.Load() || c.cancelled() != nil) {
			stop.Store(true)
			return
		}
		r0 := task * chunk
		r1 := min(w.Rows, r0+chunk)
		w.kern.Mul(cols, w.Data[r0*w.RowBytes:], w.RowBytes, r1-r0, a, rb, n, y[r0:], w.Rows)
	})
	return c.cancelled()
}

// matmulRef is the reference path's product: weight rows decoded to
// float32 in tiles and multiplied with the float32 activations.
func (c *Context) matmulRef(w *Weight, x []float32, n int, y []float32) error {
	tiles := (w.Rows + tileRows - 1) / tileRows
	errs := make([]error, c.workers())
	c.run(tiles, func(wk, tile int) {
		if errs[wk] != nil {
			return
		}
		r0 := tile * tileRows
		errs[wk] = w.mulTile(r0, min(r0+tileRows, w.Rows), x, n, y, w.Rows, c.work[wk].rows)
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
