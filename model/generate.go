package model

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zqtool/zq/kernels"
)

// ErrNonFiniteLogits is wrapped by Greedy's error when an evaluation
// produced a NaN or infinite logit (a model with bad weights), instead of
// picking tokens from garbage.
var ErrNonFiniteLogits = errors.New("non-finite logits")

// checkLogits wraps ErrNonFiniteLogits when logits hold a NaN or Inf.
func checkLogits(logits []float32, where string) error {
	if i := kernels.FirstNonFinite(logits); i >= 0 {
		return fmt.Errorf("%w (%v) after %s", ErrNonFiniteLogits, logits[i], where)
	}
	return nil
}

// GenerateStats reports what a Greedy call did.
type GenerateStats struct {
	PromptTokens     int           // tokens evaluated as the prompt
	Generated        int           // tokens produced (excluding a stopping token)
	PromptDuration   time.Duration // time to evaluate the prompt
	GenerateDuration time.Duration // time for the token-by-token loop
}

// Argmax returns the first index of the largest value (−1 for none).
func Argmax(x []float32) int {
	best := -1
	for i, v := range x {
		if best < 0 || v > x[best] {
			best = i
		}
	}
	return best
}

// Greedy evaluates prompt from position 0 (the cache is reset) and then
// picks the most likely token n times, as llama.cpp's simple example does:
// each pick is passed to emit before being evaluated; a token for which
// stop returns true ends generation without being emitted. It returns the
// generated tokens.
func Greedy(ctx context.Context, c *Context, prompt []int32, n int, stop func(int32) bool, emit func(int32) error) ([]int32, GenerateStats, error) {
	var st GenerateStats
	if len(prompt) == 0 {
		return nil, st, fmt.Errorf("empty prompt")
	}
	if n < 0 {
		return nil, st, fmt.Errorf("negative token count %d", n)
	}
	if need := len(prompt) + n - 1; need > c.Size() {
		return nil, st, fmt.Errorf("prompt (%d tokens) plus %d generated tokens do not fit the context size %d", len(prompt), n, c.Size())
	}
	c.Reset()
	logits := make([]float32, c.m.H.Vocab)
	start := time.Now()
	if err := c.Eval(prompt, 0, logits); err != nil {
		return nil, st, err
	}
	if err := checkLogits(logits, "the prompt"); err != nil {
		return nil, st, err
	}
	st.PromptTokens = len(prompt)
	st.PromptDuration = time.Since(start)
	start = time.Now()
	var out []int32
	pos := len(prompt)
	for i := 0; i < n; i++ {
		if err := ctx.Err(); err != nil {
			return out, st, err
		}
		tok := int32(Argmax(logits))
		if stop != nil && stop(tok) {
			break
		}
		out = append(out, tok)
		if emit != nil {
			if err := emit(tok); err != nil {
				return out, st, err
			}
		}
		if i == n-1 {
			break
		}
		if err := c.Eval([]int32{tok}, pos, logits); err != nil {
			return out, st, err
		}
		if err := checkLogits(logits, fmt.Sprintf("position %d", pos)); err != nil {
			return out, st, err
		}
		pos++
	}
	st.Generated = len(out)
	st.GenerateDuration = time.Since(start)
	return out, st, nil
}
