// Package measure runs the measurements zq profile makes on this machine
// (load time, resident memory, prompt and generation speed, quality against
// a base model) and keeps them in a cache file beside the models so that a
// rerun only measures what is new.
package measure

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strconv"
	"time"

	"github.com/zqtool/zq/bench"
)

// SpeedOptions are llama-bench's knobs: a prompt of Prompt tokens, then Gen
// generated tokens one at a time, each test repeated Reps times.
type SpeedOptions struct {
	Prompt, Gen, Reps, Threads int
}

func (o SpeedOptions) withDefaults() SpeedOptions {
	if o.Prompt <= 0 {
		o.Prompt = 128
	}
	if o.Gen <= 0 {
		o.Gen = 32
	}
	if o.Reps <= 0 {
		o.Reps = 2
	}
	if o.Threads <= 0 {
		o.Threads = runtime.GOMAXPROCS(0)
	}
	return o
}

// Speed is one engine's measurement of one model.
type Speed struct {
	Engine      string  `json:"engine"` // "zq" or "llama-bench"
	Prompt      int     `json:"n_prompt"`
	Gen         int     `json:"n_gen"`
	Threads     int     `json:"threads"`
	PromptTPS   float64 `json:"prompt_tps"`
	PromptSD    float64 `json:"prompt_tps_stddev"`
	GenTPS      float64 `json:"gen_tps"`
	GenSD       float64 `json:"gen_tps_stddev"`
	LoadSeconds float64 `json:"load_seconds,omitempty"`
	// PeakRSSBytes is the process's peak resident set while loading and
	// running the model (zq engine, Linux); PeakRSSScoped says whether the
	// watermark was reset first (else it may include earlier work).
	PeakRSSBytes  uint64 `json:"peak_rss_bytes,omitempty"`
	PeakRSSScoped bool   `json:"peak_rss_scoped,omitempty"`
}

// Engine measures the speed of a GGUF file.
type Engine interface {
	Name() string
	Measure(ctx context.Context, path string, o SpeedOptions) (Speed, error)
}

// ZQ measures with zq's own forward pass through package bench: its pp
// and tg tests, each after one warm-up run, as llama-bench runs them.
type ZQ struct{}

// Name is "zq".
func (ZQ) Name() string { return "zq" }

// Measure loads the model and runs bench's pp test of o.Prompt tokens and
// tg test of o.Gen tokens, o.Reps times each, and reports the means.
func (ZQ) Measure(ctx context.Context, path string, o SpeedOptions) (Speed, error) {
	o = o.withDefaults()
	scoped := resetPeakRSS()
	t0 := time.Now()
	b, err := bench.Open(path)
	if err != nil {
		return Speed{}, err
	}
	defer b.Close()
	s := Speed{Engine: "zq", Prompt: o.Prompt, Gen: o.Gen, Threads: o.Threads, LoadSeconds: time.Since(t0).Seconds()}
	pp, err := b.Test(ctx, bench.Options{Prompt: o.Prompt, Reps: o.Reps, Threads: o.Threads, Warmup: true})
	if err != nil {
		return Speed{}, err
	}
	tg, err := b.Test(ctx, bench.Options{Gen: o.Gen, Reps: o.Reps, Threads: o.Threads, Warmup: true})
	if err != nil {
		return Speed{}, err
	}
	s.PromptTPS, s.PromptSD = bench.MeanSD(pp.TS())
	s.GenTPS, s.GenSD = bench.MeanSD(tg.TS())
	s.PeakRSSBytes, s.PeakRSSScoped = peakRSS(), scoped
	return s, nil
}

// LlamaBench measures with llama.cpp's llama-bench found on PATH (or at
// Path): on a GPU machine that is the GPU's real speed.
type LlamaBench struct{ Path string }

// Name is "llama-bench".
func (LlamaBench) Name() string { return "llama-bench" }

// FindLlamaBench returns the engine when llama-bench is on PATH.
func FindLlamaBench() (LlamaBench, error) {
	p, err := exec.LookPath("llama-bench")
	if err != nil {
		return LlamaBench{}, errors.New("--engine llama-bench: llama-bench is not on PATH")
	}
	return LlamaBench{Path: p}, nil
}

// Measure runs llama-bench -o json and reads its pp and tg records.
func (l LlamaBench) Measure(ctx context.Context, path string, o SpeedOptions) (Speed, error) {
	o = o.withDefaults()
	cmd := exec.CommandContext(ctx, l.Path, "-m", path, "-p", strconv.Itoa(o.Prompt), "-n", strconv.Itoa(o.Gen),
		"-r", strconv.Itoa(o.Reps), "-t", strconv.Itoa(o.Threads), "-o", "json")
	out, err := cmd.Output()
	if err != nil {
		return Speed{}, fmt.Errorf("llama-bench %s: %w", path, err)
	}
	return ParseLlamaBenchJSON(out)
}

// ParseLlamaBenchJSON reads llama-bench's -o json output (one record per
// test: n_prompt > 0 for pp, n_gen > 0 for tg) with bench.ParseRecords.
func ParseLlamaBenchJSON(b []byte) (Speed, error) {
	recs, err := bench.ParseRecords(b)
	if err != nil {
		return Speed{}, fmt.Errorf("llama-bench output: %w", err)
	}
	s := Speed{Engine: "llama-bench"}
	for _, r := range recs {
		s.Threads = r.NThreads
		switch {
		case r.NPrompt > 0 && r.NGen == 0:
			s.Prompt, s.PromptTPS, s.PromptSD = r.NPrompt, r.AvgTS, r.StddevTS
		case r.NGen > 0 && r.NPrompt == 0:
			s.Gen, s.GenTPS, s.GenSD = r.NGen, r.AvgTS, r.StddevTS
		}
	}
	if s.GenTPS == 0 && s.PromptTPS == 0 {
		return Speed{}, errors.New("llama-bench output has no pp or tg record")
	}
	return s, nil
}
