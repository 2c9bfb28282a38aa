// Package collect computes importance matrices the way llama-imatrix does:
// it runs a model's forward pass over chunks of a calibration text and
// accumulates, through the model's activation observer, the squared
// activations entering every block weight (and output.weight on request).
package collect

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zqtool/zq/imatrix"
	"github.com/zqtool/zq/model"
	"github.com/zqtool/zq/tokenizer"
	"github.com/zqtool/zq/verify"
)

// Defaults of llama-imatrix.
const (
	DefaultCtx     = 512
	DefaultBatch   = 2048
	DefaultUBatch  = 512
	DefaultOutFreq = 10
)

// minRows is the smallest batch llama-imatrix collects from: products
// with fewer activation rows are skipped (ggml's scheduler callback).
const minRows = 16

// Config is llama-imatrix's command line, as far as it shapes the result.
type Config struct {
	Ctx           int  // tokens per chunk (-c); 0: DefaultCtx
	Batch         int  // logical batch (-b); 0: DefaultBatch
	UBatch        int  // physical batch (-ub); 0: DefaultUBatch
	Chunks        int  // at most this many chunks; < 0: all
	FromChunk     int  // skip this many chunks of the text first
	ProcessOutput bool // collect output.weight too
	PPL           bool // compute the perplexity on the way
	ParseSpecial  bool // parse special-token text in the calibration text
	Threads       int  // forward-pass goroutines; 0: GOMAXPROCS

	// OutFreq and SaveFreq ask for Checkpoint calls every this many chunks
	// (the output file; a copy named after the chunk); 0: never.
	OutFreq, SaveFreq int

	// OnChunk, when set, is called after each chunk with the chunks done,
	// their total and the running perplexity (0 without PPL).
	OnChunk func(done, total int, ppl float64)
	// Checkpoint, when set, is called between chunks when llama-imatrix
	// would save: copyAt is 0 for the output itself, else the chunk number
	// a copy is named after.
	Checkpoint func(copyAt int) error
}

// Result describes a finished collection.
type Result struct {
	TextTokens   int       `json:"text_tokens"`
	Chunks       int       `json:"chunks"`
	ChunkSize    int       `json:"tokens_per_chunk"`
	Sequences    int       `json:"sequences_per_batch"`
	PPL          float64   `json:"ppl,omitempty"`
	PPLUncertain float64   `json:"ppl_uncertainty,omitempty"`
	Running      []float64 `json:"running_ppl,omitempty"`
	Seconds      float64   `json:"elapsed_seconds"`
	TokensPerSec float64   `json:"tokens_per_second"`
}

// normalize fills in defaults and applies llama-imatrix's batch rules: a
// batch holds whole chunks (n_seq = batch/ctx of them) or part of one.
func (c *Config) normalize() (nSeq int, err error) {
	if c.Ctx == 0 {
		c.Ctx = DefaultCtx
	}
	if c.Batch == 0 {
		c.Batch = DefaultBatch
	}
	if c.UBatch == 0 {
		c.UBatch = DefaultUBatch
	}
	switch {
	case c.Ctx < 4:
		return 0, fmt.Errorf("context size %d is too small (at least 4)", c.Ctx)
	case c.Batch < 1 || c.UBatch < 1:
		return 0, fmt.Errorf("batch sizes must be positive (batch %d, ubatch %d)", c.Batch, c.UBatch)
	case c.FromChunk < 0 || c.OutFreq < 0 || c.SaveFreq < 0 || c.Threads < 0:
		return 0, errors.New("from-chunk, output and save frequencies and threads must not be negative")
	}
	nSeq = max(1, c.Batch/c.Ctx)
	c.Batch = min(c.Batch, nSeq*c.Ctx)
	c.UBatch = min(c.UBatch, c.Batch)
	return nSeq, nil
}

// Tokens tokenizes text as llama-imatrix does (BOS added when the
// vocabulary asks for it) and drops the first fromChunk chunks, checking
// that at least two chunks remain.
func Tokens(tok *tokenizer.Tokenizer, text string, nCtx, fromChunk int, parseSpecial bool) ([]int32, error) {
	toks := tok.Encode(text, true, parseSpecial)
	if fromChunk > 0 {
		if (fromChunk+2)*nCtx >= len(toks) {
			return nil, fmt.Errorf("not enough tokens left after removing %d chunks: the text has %d tokens", fromChunk, len(toks))
		}
		toks = toks[fromChunk*nCtx:]
	}
	if len(toks) < 2*nCtx {
		return nil, fmt.Errorf("the text has %d tokens; a context of %d needs at least %d", len(toks), nCtx, 2*nCtx)
	}
	return toks, nil
}

// Run collects into set (whose ChunkSize must be cfg.Ctx) over the chunks
// of tokens (from Tokens) with model m.
func Run(ctx context.Context, m *model.Model, tok *tokenizer.Tokenizer, tokens []int32, set *imatrix.Set, cfg Config) (*Result, error) {
	nSeq, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	if set.ChunkSize != cfg.Ctx {
		return nil, fmt.Errorf("the importance matrix counts chunks of %d tokens, the run has %d", set.ChunkSize, cfg.Ctx)
	}
	nCtx := cfg.Ctx
	nChunks := len(tokens) / nCtx
	if cfg.Chunks >= 0 {
		nChunks = min(nChunks, cfg.Chunks)
	}
	c, err := m.NewContext(nCtx)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if cfg.Threads > 0 {
		c.Threads = cfg.Threads
	}
	set.Threads = c.Threads
	c.SetCancel(ctx)

	// The observer: products of the current physical batch are collected
	// when it has at least minRows rows, as llama-imatrix does.
	var (
		active   bool
		obsErr   error
		save     bool
		saveCopy int
	)
	c.SetObserver(func(name string, x []float32, nTok, cols int) {
		if !active || obsErr != nil || !imatrix.Collects(name, cfg.ProcessOutput) {
			return
		}
		step, err := set.Add(name, x, nTok, cols)
		if err != nil {
			obsErr = err
			return
		}
		if step > 0 {
			last := set.LastChunk
			if cfg.OutFreq > 0 && (last%cfg.OutFreq)/step == 0 {
				save = true
			}
			if cfg.SaveFreq > 0 && (last%cfg.SaveFreq)/step == 0 {
				saveCopy = last
			}
		}
	})

	res := &Result{TextTokens: len(tokens), Chunks: nChunks, ChunkSize: nCtx, Sequences: nSeq}
	var run verify.Running
	first := nCtx / 2
	vocab := m.H.Vocab
	chunk := make([]int32, nCtx)
	var logits []float32
	start := time.Now()
	for k := 0; k < nChunks; k++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		copy(chunk, tokens[k*nCtx:(k+1)*nCtx])
		if tok.AddBOS() {
			chunk[0] = tok.BOS()
		}
		c.Reset()
		// Logical batches of Batch tokens (a whole chunk when several
		// chunks share a batch), each in physical batches of UBatch.
		batch := min(cfg.Batch, nCtx)
		for b0 := 0; b0 < nCtx; b0 += batch {
			b1 := min(nCtx, b0+batch)
			for u0 := b0; u0 < b1; u0 += cfg.UBatch {
				u1 := min(b1, u0+cfg.UBatch)
				// Logits: all of them when output.weight is collected (its
				// product then sees every row), else the scored half.
				from := u1
				if cfg.ProcessOutput {
					from = u0
				} else if cfg.PPL {
					from = max(u0, min(first, u1))
				}
				n := (u1 - from) * vocab
				if cap(logits) < (u1-u0)*vocab {
					logits = make([]float32, (u1-u0)*vocab)
				}
				active = u1-u0 >= minRows
				if err := c.EvalFrom(chunk[u0:u1], u0, from-u0, logits[:n]); err != nil {
					return nil, err
				}
				if obsErr != nil {
					return nil, obsErr
				}
				if cfg.PPL {
					for p := max(from, first); p < min(u1, nCtx-1); p++ {
						z := logits[(p-from)*vocab : (p-from+1)*vocab]
						run.Add(verify.TokenNLL(z, tokens[k*nCtx+p+1]))
					}
				}
			}
		}
		if cfg.PPL {
			res.Running = append(res.Running, run.PPL())
		}
		if cfg.Checkpoint != nil && (save || saveCopy > 0) {
			if save {
				if err := cfg.Checkpoint(0); err != nil {
					return nil, err
				}
			}
			if saveCopy > 0 {
				if err := cfg.Checkpoint(saveCopy); err != nil {
					return nil, err
				}
			}
		}
		save, saveCopy = false, 0
		if cfg.OnChunk != nil {
			p := 0.0
			if cfg.PPL {
				p = run.PPL()
			}
			cfg.OnChunk(k+1, nChunks, p)
		}
	}
	res.Seconds = time.Since(start).Seconds()
	if res.Seconds > 0 {
		res.TokensPerSec = float64(nChunks*nCtx) / res.Seconds
	}
	if cfg.PPL && run.N > 0 {
		res.PPL, res.PPLUncertain = run.PPL(), run.PPLUncertainty()
	}
	return res, nil
}
