// Package bench measures prompt-processing and generation speed of a GGUF
// model with zq's forward pass the way llama-bench does, this machine's
// memory bandwidth (a STREAM triad), and what share of the bandwidth
// roofline generation reaches.
package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/montanaflynn/stats"
	"github.com/zqtool/zq/model"
)

// Options are llama-bench's knobs for one model: a pp test of Prompt
// tokens in one batch and a tg test of Gen tokens one at a time (either
// may be 0 to skip it), each repeated Reps times on Threads threads after
// one discarded warm-up run when Warmup is set.
type Options struct {
	Prompt, Gen, Reps, Threads int
	Warmup                     bool
	// Progress, when set, is called with the number of tokens each
	// evaluation (timed or warm-up) has just processed.
	Progress func(tokens int)
}

// Check validates o (as given on the command line).
func (o Options) Check() error {
	switch {
	case o.Prompt < 0 || o.Gen < 0:
		return fmt.Errorf("-p %d / -n %d: token counts must be ≥ 0", o.Prompt, o.Gen)
	case o.Prompt == 0 && o.Gen == 0:
		return fmt.Errorf("-p 0 and -n 0: nothing to measure")
	case o.Reps < 1:
		return fmt.Errorf("-r %d: expected at least 1 repetition", o.Reps)
	case o.Threads < 0:
		return fmt.Errorf("--threads %d: expected 0 (all CPU cores) or more", o.Threads)
	}
	return nil
}

// Tokens is how many tokens o evaluates (warm-up included), for progress.
func (o Options) Tokens() int {
	n := o.Reps * (o.Prompt + o.Gen)
	if o.Warmup {
		n += o.Prompt + min(o.Gen, 1)
	}
	return n
}

// Result is one test (pp or tg) of one model: tokens/s of every repetition.
type Result struct {
	Prompt, Gen, Threads int
	SamplesNS            []int64
	Time                 time.Time // when the test started
}

// Name is llama-bench's test name: "pp512" or "tg128".
func (r Result) Name() string {
	if r.Prompt > 0 {
		return fmt.Sprintf("pp%d", r.Prompt)
	}
	return fmt.Sprintf("tg%d", r.Gen)
}

// TS is tokens/s of each repetition.
func (r Result) TS() []float64 {
	ts := make([]float64, len(r.SamplesNS))
	for i, ns := range r.SamplesNS {
		ts[i] = 1e9 * float64(r.Prompt+r.Gen) / float64(ns)
	}
	return ts
}

// MeanSD is the mean and sample standard deviation of xs (0 for fewer than
// two samples), as llama-bench reports them.
func MeanSD(xs []float64) (mean, sd float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	mean, _ = stats.Mean(xs)
	if len(xs) > 1 {
		sd, _ = stats.StandardDeviationSample(xs)
	}
	return mean, sd
}

// Report is one model's results.
type Report struct {
	Info  Info
	Tests []Result
}

// Run measures the model at path: the pp test, then the tg test.
func Run(ctx context.Context, path string, o Options) (Report, error) {
	b, err := Open(path)
	if err != nil {
		return Report{}, err
	}
	defer b.Close()
	rep := Report{Info: b.Info}
	if o.Prompt > 0 {
		r, err := b.Test(ctx, Options{Prompt: o.Prompt, Reps: o.Reps, Threads: o.Threads, Warmup: o.Warmup, Progress: o.Progress})
		if err != nil {
			return Report{}, err
		}
		rep.Tests = append(rep.Tests, r)
	}
	if o.Gen > 0 {
		r, err := b.Test(ctx, Options{Gen: o.Gen, Reps: o.Reps, Threads: o.Threads, Warmup: o.Warmup, Progress: o.Progress})
		if err != nil {
			return Report{}, err
		}
		rep.Tests = append(rep.Tests, r)
	}
	return rep, nil
}

// Bench is an open model to run tests on.
type Bench struct {
	Info Info
	m    *model.Model
	bos  int32
}

// Open reads the model at path; errors name the file.
func Open(path string) (*Bench, error) {
	in, err := ReadInfo(path)
	if err != nil {
		return nil, err
	}
	m, err := model.Open(path)
	if err != nil {
		return nil, err
	}
	b := &Bench{Info: in, m: m, bos: -1}
	if id, err := m.Metadata.Uint32("tokenizer.ggml.bos_token_id"); err == nil && int(id) < m.H.Vocab {
		if add, err := m.Metadata.Bool("tokenizer.ggml.add_bos_token"); err != nil || add {
			b.bos = int32(id)
		}
	}
	return b, nil
}

// Close releases the model.
func (b *Bench) Close() error { return b.m.Close() }

// tokens returns n benchmark tokens: BOS first when the vocabulary adds
// one, then pseudo-random ids (a fixed seed, as llama-bench's unseeded
// rand()).
func (b *Bench) tokens(n int) []int32 {
	rng := rand.New(rand.NewPCG(1, 2))
	t := make([]int32, n)
	for i := range t {
		t[i] = int32(rng.IntN(b.m.H.Vocab))
	}
	if n > 0 && b.bos >= 0 {
		t[0] = b.bos
	}
	return t
}

// Test runs one test: o.Prompt > 0 is a pp test (then o.Gen is ignored),
// else a tg test of o.Gen tokens from an empty cache. Each repetition gets
// a cleared cache; only the last position's logits are computed.
func (b *Bench) Test(ctx context.Context, o Options) (Result, error) {
	if o.Prompt > 0 {
		o.Gen = 0
	}
	if err := o.Check(); err != nil {
		return Result{}, err
	}
	threads := o.Threads
	if threads == 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	r := Result{Prompt: o.Prompt, Gen: o.Gen, Threads: threads, Time: time.Now()}
	c, err := b.m.NewContext(o.Prompt + o.Gen)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", b.Info.Filename, err)
	}
	defer c.Close()
	c.Threads = threads
	c.SetCancel(ctx)
	toks := b.tokens(o.Prompt + o.Gen)
	logits := make([]float32, b.m.H.Vocab)
	progress := func(n int) {
		if o.Progress != nil {
			o.Progress(n)
		}
	}
	run := func(gen int) (time.Duration, error) {
		c.Reset()
		t0 := time.Now()
		if o.Prompt > 0 {
			if err := c.Eval(toks, 0, logits); err != nil {
				return 0, err
			}
			progress(o.Prompt)
			return time.Since(t0), nil
		}
		for i := range gen {
			if err := c.Eval(toks[i:i+1], i, logits); err != nil {
				return 0, err
			}
			progress(1)
		}
		return time.Since(t0), nil
	}
	if o.Warmup {
		if _, err := run(1); err != nil {
			return Result{}, b.wrap(err)
		}
	}
	for range o.Reps {
		d, err := run(o.Gen)
		if err != nil {
			return Result{}, b.wrap(err)
		}
		r.SamplesNS = append(r.SamplesNS, max(1, d.Nanoseconds()))
	}
	return r, nil
}

// wrap names the file in an evaluation error (cancellation stays
// recognisable with errors.Is).
func (b *Bench) wrap(err error) error { return fmt.Errorf("%s: %w", b.Info.Filename, err) }
