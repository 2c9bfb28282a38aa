package convert

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/internal/progress"
)

// ExecOptions configure Execute.
type ExecOptions struct {
	Threads  int       // conversion workers; <= 0 uses the plan's
	Progress io.Writer // where a progress bar is drawn when it is a terminal; nil for none
}

// Summary describes a finished conversion.
type Summary struct {
	Output     string  `json:"output"`
	FileType   string  `json:"file_type"`    // e.g. "F16"
	FileTypeID uint32  `json:"file_type_id"` // general.file_type
	Tensors    int     `json:"tensors"`
	Parameters uint64  `json:"parameters"`
	Bytes      int64   `json:"file_size_bytes"`
	Seconds    float64 `json:"elapsed_seconds"`
	MBPerSec   float64 `json:"megabytes_per_second"`
}

// String is the one-line summary printed by zq convert.
func (s *Summary) String() string {
	return fmt.Sprintf("wrote %s: %d tensors, %s, %.1f MB in %.2fs (%.0f MB/s)",
		s.Output, s.Tensors, s.FileType, float64(s.Bytes)/1e6, s.Seconds, s.MBPerSec)
}

// chunkJob is one chunk of one tensor, and where its result goes.
type chunkJob struct {
	tensor int
	c      chunk
	out    chan chunkResult
}

type chunkResult struct {
	buf []byte
	err error
}

// Execute writes the plan's GGUF file to outPath. Chunks of the tensors are
// converted by a pool of workers, in order, with a bounded number in flight,
// and streamed into the file in tensor order; the output is identical for
// any thread count. The file is written under a temporary name and renamed
// into place only when complete; on error or cancellation nothing is left
// behind.
func Execute(ctx context.Context, p *Plan, outPath string, opts ExecOptions) (*Summary, error) {
	start := time.Now()
	threads := opts.Threads
	if threads <= 0 {
		threads = p.threads
	}
	w, err := gguf.Create(outPath, p.md, p.infos)
	if err != nil {
		return nil, err
	}
	defer w.Abort()

	var total int64
	for _, t := range p.infos {
		total += int64(t.Size())
	}
	var bar *progress.Bar
	if opts.Progress != nil {
		bar = progress.NewBytes(opts.Progress, total, "converting")
	}
	defer bar.Finish()

	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan chunkJob)
	// At most threads chunks wait in ordered, threads more are being
	// converted and one is being written: memory is bounded by
	// 2·threads+1 chunk buffers plus each worker's scratch.
	ordered := make(chan chunkJob, threads)
	pool := &bufPool{size: p.maxChunkBytes()}

	var wg sync.WaitGroup
	for range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var sc scratch
			for j := range jobs {
				buf := pool.get((j.c.b - j.c.a) * p.unitBytes(j.tensor))
				err := p.produce(j.tensor, j.c, buf, &sc)
				j.out <- chunkResult{buf, err}
			}
		}()
	}
	go func() { // dispatcher
		defer close(jobs)
		defer close(ordered)
		for i := range p.steps {
			for _, c := range p.chunks(i) {
				j := chunkJob{i, c, make(chan chunkResult, 1)}
				select {
				case ordered <- j:
				case <-ctx.Done():
					return
				}
				select {
				case jobs <- j:
				case <-ctx.Done():
					return
				}
			}
		}
	}()

	err = writeOrdered(ctx, p, w, ordered, pool, bar)
	cancel()
	for range ordered { // let the dispatcher finish
	}
	wg.Wait()
	if err == nil {
		err = parent.Err()
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return nil, err
	}
	el := time.Since(start).Seconds()
	s := &Summary{
		Output: outPath, FileType: p.ftype.String(), FileTypeID: uint32(p.ftype), Tensors: len(p.steps),
		Parameters: p.ParameterCount(), Bytes: w.Size(), Seconds: el,
	}
	if el > 0 {
		s.MBPerSec = float64(s.Bytes) / 1e6 / el
	}
	return s, nil
}

// writeOrdered consumes chunk results in dispatch order and streams each
// tensor's chunks into the writer.
func writeOrdered(ctx context.Context, p *Plan, w *gguf.Writer, ordered <-chan chunkJob, pool *bufPool, bar *progress.Bar) error {
	for i := range p.steps {
		r := &chunkReader{ctx: ctx, ordered: ordered, pool: pool, left: len(p.chunks(i)), bar: bar}
		if err := w.WriteTensorFrom(i, r); err != nil {
			if r.err != nil {
				return r.err
			}
			return err
		}
	}
	return nil
}

// chunkReader presents the next `left` chunk results as one byte stream.
type chunkReader struct {
	ctx     context.Context
	ordered <-chan chunkJob
	pool    *bufPool
	left    int
	cur     []byte
	held    []byte
	bar     *progress.Bar
	err     error
}

func (r *chunkReader) Read(b []byte) (int, error) {
	for len(r.cur) == 0 {
		if r.held != nil {
			r.pool.put(r.held)
			r.held = nil
		}
		if r.left == 0 {
			return 0, io.EOF
		}
		var j chunkJob
		var ok bool
		select {
		case j, ok = <-r.ordered:
		case <-r.ctx.Done():
			r.err = r.ctx.Err()
			return 0, r.err
		}
		if !ok {
			r.err = errors.New("conversion stopped")
			return 0, r.err
		}
		var res chunkResult
		select {
		case res = <-j.out:
		case <-r.ctx.Done():
			r.err = r.ctx.Err()
			return 0, r.err
		}
		if res.err != nil {
			r.err = res.err
			return 0, res.err
		}
		r.left--
		r.cur, r.held = res.buf, res.buf
		r.bar.Add(int64(len(res.buf)))
	}
	n := copy(b, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}

// bufPool recycles chunk buffers, all of the largest chunk's size.
type bufPool struct {
	mu   sync.Mutex
	size int
	free [][]byte
}

func (p *bufPool) get(n int) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	if k := len(p.free); k > 0 {
		b := p.free[k-1]
		p.free = p.free[:k-1]
		return b[:n]
	}
	return make([]byte, n, max(n, p.size))
}

func (p *bufPool) put(b []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if cap(b) >= p.size {
		p.free = append(p.free, b)
	}
}

// maxChunkBytes is the output size of the plan's largest chunk.
func (p *Plan) maxChunkBytes() int {
	m := 0
	for i := range p.steps {
		for _, c := range p.chunks(i) {
			m = max(m, (c.b-c.a)*p.unitBytes(i))
		}
	}
	return m
}
