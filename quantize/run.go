package quantize

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zqtool/zq/codec"
	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/kernels"
)

// Options configure Run.
type Options struct {
	Preset             Preset
	Pure               bool       // --pure: no mixture rules, no fallbacks
	LeaveOutputTensor  bool       // --leave-output-tensor: copy output.weight unchanged
	AllowRequantize    bool       // accept already-quantized source tensors
	OutputTensorType   *ggml.Type // --output-tensor-type
	TokenEmbeddingType *ggml.Type // --token-embedding-type
	Imatrix            *Imatrix   // --imatrix (nil: none)
	// TensorTypes gives named tensors a type of the caller's choosing
	// instead of the preset's rules (see PlanOptions.TensorTypes); the
	// file keeps the preset's general.file_type, as llama-quantize does.
	TensorTypes map[string]ggml.Type
	// Metadata holds extra key/value pairs appended to the output's
	// (replacing keys of the same name).
	Metadata gguf.Metadata
	Threads  int // worker goroutines; <= 0 means GOMAXPROCS
	// OnTensor, when set, is called from one goroutine after each tensor is
	// written, in output order, with its position i of n.
	OnTensor func(i, n int, t TensorSummary)
}

// Tuning of the pipeline: rows are handed out in chunks of about
// chunkElems values, and at most inFlight tensors are held in memory.
const (
	chunkElems = 1 << 16
	inFlight   = 4
	maxThreads = 1024
)

// Run quantizes in into a new GGUF file at outPath (written to a temporary
// file beside it and renamed into place on success).
func Run(ctx context.Context, in Source, outPath string, opts Options) (*Summary, error) {
	start := time.Now()
	if opts.Preset.Name == "" {
		return nil, fmt.Errorf("no quantization preset given")
	}
	im := opts.Imatrix
	if im != nil && len(im.Entries) == 0 {
		im = nil
	}
	if opts.Preset.NeedsImatrix && im == nil {
		return nil, fmt.Errorf("preset %s needs an importance matrix: like llama-quantize, zq refuses IQ1_S, IQ1_M, IQ2_S, IQ2_XXS, IQ2_XS and Q2_K_S without one (give --imatrix FILE or --calibration TEXT)", opts.Preset.Name)
	}
	if im != nil {
		if err := im.check(); err != nil {
			return nil, err
		}
	}
	plan, err := NewPlan(in.Metadata(), in.Tensors(), opts.planOptions(im != nil))
	if err != nil {
		return nil, err
	}
	if err := plan.checkSupported(); err != nil {
		return nil, err
	}
	weights, err := planWeights(plan, im)
	if err != nil {
		return nil, err
	}
	srcInfos := in.Tensors()
	infos := make([]gguf.TensorInfo, len(plan.Tensors))
	for i, pt := range plan.Tensors {
		infos[i] = gguf.TensorInfo{Name: pt.Name, Dims: pt.Dims, Type: pt.To}
	}
	md := OutputMetadata(in.Metadata(), opts.Preset, im)
	for _, kv := range opts.Metadata {
		md.Delete(kv.Key)
		md = append(md, kv)
	}
	w, err := gguf.Create(outPath, md, infos)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", outPath, err)
	}
	defer w.Abort()

	threads := opts.Threads
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	threads = min(threads, maxThreads)
	sum := &Summary{Output: outPath, Preset: opts.Preset.Name, FileType: opts.Preset.FileType.String(), FileTypeID: uint32(opts.Preset.FileType), Threads: threads,
		Fallbacks: plan.NFallback, KQuantized: plan.NKQuantized}
	if im != nil {
		sum.ImatrixEntries = len(im.Entries)
	}
	p := &pipeline{in: in, srcInfos: srcInfos, plan: plan, weights: weights, w: w, threads: threads, onTensor: opts.OnTensor}
	for i, pt := range plan.Tensors {
		sum.Tensors = append(sum.Tensors, TensorSummary{
			Name: pt.Name, Dims: pt.Dims, From: pt.From.String(), To: pt.To.String(),
			Quantized: pt.Quantize, Fallback: pt.Fallback, Imatrix: weights[i] != nil,
			BytesFrom: srcInfos[pt.Source].Size(), BytesTo: infos[i].Size(),
		})
	}
	p.summaries = sum.Tensors
	if err := p.run(ctx); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("write %s: %w", outPath, err)
	}
	if st, err := os.Stat(outPath); err == nil {
		sum.FileSize = st.Size()
	}
	sum.finish()
	sum.Seconds = time.Since(start).Seconds()
	return sum, nil
}

func (o Options) planOptions(hasImatrix bool) PlanOptions {
	return PlanOptions{
		Preset: o.Preset,
		Policy: PolicyOptions{Pure: o.Pure, OutputTensorType: o.OutputTensorType,
			TokenEmbeddingType: o.TokenEmbeddingType, HasImatrix: hasImatrix},
		LeaveOutputTensor: o.LeaveOutputTensor,
		AllowRequantize:   o.AllowRequantize,
		TensorTypes:       o.TensorTypes,
	}
}

// PlanSource returns the plan Run would follow for in, without converting
// anything.
func PlanSource(in Source, opts Options) (*Plan, error) {
	hasIm := opts.Imatrix != nil && len(opts.Imatrix.Entries) > 0
	return NewPlan(in.Metadata(), in.Tensors(), opts.planOptions(hasIm))
}

// planWeights looks up each quantized tensor's importance values as
// llama-quantize does, and refuses what it refuses.
func planWeights(plan *Plan, im *Imatrix) ([][]float32, error) {
	out := make([][]float32, len(plan.Tensors))
	for i, pt := range plan.Tensors {
		if !pt.Quantize {
			continue
		}
		if !codec.Supports(pt.To) {
			return nil, fmt.Errorf("tensor %q: zq cannot quantize to %s", pt.Name, pt.To)
		}
		if !codec.Supports(pt.From) {
			return nil, fmt.Errorf("tensor %q: zq cannot decode %s", pt.Name, pt.From)
		}
		if im != nil {
			if v, ok := im.Entries[pt.Name]; ok && pt.Role.Ne[3] > 1 {
				return nil, fmt.Errorf("tensor %q: importance data for 4-dimensional tensors is not supported", pt.Name)
			} else if ok {
				want := uint64(pt.Role.Ne[0]) * uint64(pt.Role.Ne[2])
				switch {
				case uint64(len(v)) == want:
					out[i] = v
				case pt.Name != "token_embd.weight":
					return nil, fmt.Errorf("imatrix %s: entry %q has %d values, the tensor needs %d (ne0·ne2)", im.File, pt.Name, len(v), want)
				}
			}
		}
		if out[i] == nil && NeedsWeights(plan.Preset.FileType, pt.To, pt.Name) {
			return nil, fmt.Errorf("tensor %q: missing importance matrix data for %s, a very low-bit type that llama-quantize refuses to make without one", pt.Name, pt.To)
		}
	}
	return out, nil
}

// tensorJob is one tensor in flight.
type tensorJob struct {
	idx     int // position in the plan
	pt      *PlannedTensor
	src     []byte
	out     []byte
	pending atomic.Int64
	done    chan struct{}
}

// chunkJob is a range of rows of one tensor, all in the same ne[2] slice.
type chunkJob struct {
	tj     *tensorJob
	r0, r1 int
}

type pipeline struct {
	in        Source
	srcInfos  []gguf.TensorInfo
	plan      *Plan
	weights   [][]float32
	w         *gguf.Writer
	threads   int
	onTensor  func(i, n int, t TensorSummary)
	summaries []TensorSummary

	errOnce sync.Once
	err     error
	cancel  context.CancelFunc
}

func (p *pipeline) fail(err error) {
	p.errOnce.Do(func() {
		p.err = err
		p.cancel()
	})
}

// run converts every tensor: a dispatcher hands out row chunks to a fixed
// pool of workers while a writer stores finished tensors in order. At most
// inFlight tensors are held at once. Each row is quantized independently,
// so the bytes do not depend on the thread count or the scheduling.
func (p *pipeline) run(parent context.Context) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	p.cancel = cancel
	jobs := make(chan chunkJob, 2*p.threads)
	ready := make(chan *tensorJob, inFlight-1)

	var wg sync.WaitGroup
	for range p.threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.worker(ctx, jobs)
		}()
	}
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		p.writer(ctx, ready)
	}()

	p.dispatch(ctx, jobs, ready)
	close(jobs)
	close(ready)
	wg.Wait()
	<-writerDone
	if p.err != nil {
		return p.err
	}
	return parent.Err()
}

// loaded is a tensor's source bytes, read ahead of the workers.
type loaded struct {
	i   int
	src []byte
}

// load reads the tensors' source bytes in plan order, one tensor ahead of
// the dispatcher, so that workers do not sit idle while the next tensor is
// read from disk.
func (p *pipeline) load(ctx context.Context, out chan<- loaded) {
	defer close(out)
	for i := range p.plan.Tensors {
		pt := &p.plan.Tensors[i]
		src, err := p.in.Data(pt.Source)
		if err != nil {
			p.fail(fmt.Errorf("tensor %q: %w", pt.Name, err))
			return
		}
		if want := p.srcInfos[pt.Source].Size(); uint64(len(src)) != want {
			p.fail(fmt.Errorf("tensor %q: source gave %d bytes, expected %d", pt.Name, len(src), want))
			return
		}
		select {
		case out <- loaded{i, src}:
		case <-ctx.Done():
			return
		}
	}
}

func (p *pipeline) dispatch(ctx context.Context, jobs chan<- chunkJob, ready chan<- *tensorJob) {
	next := make(chan loaded, 1)
	go p.load(ctx, next)
	defer func() {
		for range next { // let the loader finish after a failure
		}
	}()
	for ld := range next {
		pt := &p.plan.Tensors[ld.i]
		tj := &tensorJob{idx: ld.i, pt: pt, src: ld.src, out: ld.src, done: make(chan struct{})}
		if pt.Quantize {
			tj.out = make([]byte, p.summaries[ld.i].BytesTo)
		}
		chunks := p.chunks(tj)
		tj.pending.Store(int64(len(chunks)))
		if len(chunks) == 0 {
			close(tj.done)
		}
		select {
		case ready <- tj:
		case <-ctx.Done():
			return
		}
		for _, c := range chunks {
			select {
			case jobs <- c:
			case <-ctx.Done():
				return
			}
		}
	}
}

// chunks splits a tensor's rows into jobs that never cross an ne[2] slice.
// Copied tensors of float types are still scanned for NaN/Inf.
func (p *pipeline) chunks(tj *tensorJob) []chunkJob {
	pt := tj.pt
	if !pt.Quantize && !isFloat(pt.From) {
		return nil
	}
	ne0 := uint64(1)
	if len(pt.Dims) > 0 {
		ne0 = pt.Dims[0]
	}
	if ne0 == 0 {
		return nil
	}
	rows := pt.rows()
	perSlice := rows
	if len(pt.Dims) > 1 && pt.Dims[1] > 0 {
		perSlice = pt.Dims[1]
	}
	step := max(1, chunkElems/ne0)
	var out []chunkJob
	for s0 := uint64(0); s0 < rows; s0 += perSlice {
		s1 := min(rows, s0+perSlice)
		for r := s0; r < s1; r += step {
			out = append(out, chunkJob{tj: tj, r0: int(r), r1: int(min(s1, r+step))})
		}
	}
	return out
}

func (pt *PlannedTensor) rows() uint64 {
	n := uint64(1)
	for _, d := range pt.Dims[min(1, len(pt.Dims)):] {
		n *= d
	}
	return n
}

func isFloat(t ggml.Type) bool {
	return t == ggml.TypeF32 || t == ggml.TypeF16 || t == ggml.TypeBF16
}

func (p *pipeline) worker(ctx context.Context, jobs <-chan chunkJob) {
	var scratch []float32
	for c := range jobs {
		if ctx.Err() == nil {
			var err error
			scratch, err = p.convert(c, scratch)
			if err != nil {
				p.fail(err)
			}
		}
		if c.tj.pending.Add(-1) == 0 {
			close(c.tj.done)
		}
	}
}

// convert decodes one chunk to float32 and, for quantized tensors, encodes
// it into the output buffer.
func (p *pipeline) convert(c chunkJob, scratch []float32) ([]float32, error) {
	pt := c.tj.pt
	ne0 := int(pt.Dims[0])
	n := (c.r1 - c.r0) * ne0
	if cap(scratch) < n {
		scratch = make([]float32, n)
	}
	buf := scratch[:n]
	srcRow := int(p.summaries[c.tj.idx].BytesFrom / pt.rows())
	if err := codec.Dequantize(pt.From, buf, c.tj.src[c.r0*srcRow:c.r1*srcRow], 1); err != nil {
		return scratch, fmt.Errorf("tensor %q: %w", pt.Name, err)
	}
	if !pt.Quantize {
		if i := kernels.FirstNonFinite(buf); i >= 0 {
			return scratch, fmt.Errorf("tensor %q has invalid data: value %v at row %d, column %d", pt.Name, buf[i], c.r0+i/ne0, i%ne0)
		}
		return scratch, nil
	}
	var w []float32
	if im := p.weights[c.tj.idx]; im != nil {
		slice := c.r0 / int(pt.Dims[1])
		w = im[slice*ne0 : (slice+1)*ne0]
	}
	dstRow := int(p.summaries[c.tj.idx].BytesTo / pt.rows())
	if err := codec.Quantize(pt.To, c.tj.out[c.r0*dstRow:c.r1*dstRow], buf, ne0, w, 1); err != nil {
		return scratch, fmt.Errorf("tensor %q (rows %d..%d): %w", pt.Name, c.r0, c.r1-1, err)
	}
	return scratch, nil
}

func (p *pipeline) writer(ctx context.Context, ready <-chan *tensorJob) {
	n := len(p.plan.Tensors)
	for tj := range ready {
		select {
		case <-tj.done:
		case <-ctx.Done():
			return
		}
		if ctx.Err() != nil {
			return
		}
		if err := p.w.WriteTensor(tj.idx, tj.out); err != nil {
			p.fail(err)
			return
		}
		tj.src, tj.out = nil, nil
		if p.onTensor != nil {
			p.onTensor(tj.idx, n, p.summaries[tj.idx])
		}
	}
}
