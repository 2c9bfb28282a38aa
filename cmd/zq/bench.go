package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"

	"github.com/spf13/cobra"
	"github.com/zqtool/zq/bench"
	"github.com/zqtool/zq/internal/progress"
)

// benchFlags are zq bench's options; the lists take comma-separated values
// (or repeated flags) as llama-bench's do.
type benchFlags struct {
	prompt, gen, threads []int
	reps                 int
	noWarmup, asJSON     bool
	noBandwidth          bool
	compare, from        string
}

func newBenchCmd() *cobra.Command {
	var fl benchFlags
	cmd := &cobra.Command{
		Use:   "bench MODEL.gguf [MODEL.gguf ...]",
		Short: "Measure prompt and generation speed like llama-bench",
		Long: `Measure zq's forward pass the way llama.cpp's llama-bench does: a pp test
evaluates -p tokens in one batch from an empty cache, a tg test generates -n
tokens one at a time from an empty cache; each runs once to warm up and then
-r times, and the table shows the mean ± sample standard deviation of the
repetitions' tokens/s. -p, -n and -t take comma-separated lists (every
combination is run, pp tests before tg tests for each thread count).

It also measures this machine's memory bandwidth once (a STREAM triad on
all -t threads) and prints, for each tg test, the bandwidth roofline (bandwidth
÷ bytes read per generated token: every weight once, one row of the token
embedding, the F16 KV cache at the mean depth) and the share of it reached.

--json prints one object per test with llama-bench's field names (avg_ts,
stddev_ts, samples_ts, …) plus bandwidth_gbs, roofline_ts, roofline_share.
--compare FILE reads llama-bench -o json output for the same files and prints
one table of both engines' tokens/s and their ratio instead; with --from
ZQ.json it compares saved zq bench --json results instead of measuring
(scripts/bench-vs-llama.sh runs both tools and does this).`,
		Example: `  zq bench model-Q4_K_M.gguf
  zq bench a.gguf b.gguf -p 512 -n 128 -r 3 -t 2 --json
  llama-bench -m a.gguf -t 2 -o json > llama.json && zq bench a.gguf -t 2 --compare llama.json`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 && !c.Flags().Changed("from") {
				return fmt.Errorf("missing MODEL.gguf (usage: %s)", c.UseLine())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return runBench(cmd, args, fl) },
	}
	f := cmd.Flags()
	f.IntSliceVarP(&fl.prompt, "n-prompt", "p", []int{512}, "prompt tokens of the pp test (0 skips it)")
	f.IntSliceVarP(&fl.gen, "n-gen", "n", []int{128}, "generated tokens of the tg test (0 skips it)")
	f.IntVarP(&fl.reps, "repetitions", "r", 5, "repetitions of each test")
	// -t/--threads means what addThreads says, but takes a list here.
	f.IntSliceVarP(&fl.threads, "threads", "t", []int{0}, "worker threads (0 = all CPU cores); a list runs each")
	f.BoolVar(&fl.noWarmup, "no-warmup", false, "skip the warm-up run of each test")
	f.BoolVar(&fl.noBandwidth, "no-bandwidth", false, "skip the memory-bandwidth measurement (and the roofline)")
	f.BoolVar(&fl.asJSON, "json", false, "print one JSON object per test (llama-bench's field names)")
	f.StringVar(&fl.compare, "compare", "", "llama-bench -o json output to compare with, as one table")
	f.StringVar(&fl.from, "from", "", "with --compare: take zq's results from this zq bench --json output instead of measuring")
	return cmd
}

// check validates the flags before any model is loaded.
func (fl benchFlags) check() error {
	for _, t := range fl.threads {
		if err := checkThreads(t); err != nil {
			return err
		}
	}
	some := false
	for _, lst := range []struct {
		name string
		v    []int
	}{{"-p", fl.prompt}, {"-n", fl.gen}} {
		for _, n := range lst.v {
			if n < 0 || n > 1<<20 {
				return fmt.Errorf("%s %d: expected 0 (skip) … %d tokens", lst.name, n, 1<<20)
			}
			some = some || n > 0
		}
	}
	if !some {
		return fmt.Errorf("-p and -n are all 0: nothing to measure")
	}
	if fl.reps < 1 {
		return fmt.Errorf("-r %d: expected at least 1 repetition", fl.reps)
	}
	if len(fl.threads) == 0 {
		return fmt.Errorf("--threads: expected at least one value")
	}
	return nil
}

func runBench(cmd *cobra.Command, args []string, fl benchFlags) error {
	if err := fl.check(); err != nil {
		return err
	}
	var llama []bench.Record
	if fl.compare != "" {
		var err error
		if llama, err = readRecords(fl.compare, "llama-bench"); err != nil {
			return err
		}
	}
	if fl.from != "" {
		if fl.compare == "" || len(args) > 0 {
			return fmt.Errorf("--from %s: only with --compare and no MODEL arguments", fl.from)
		}
		recs, err := readRecords(fl.from, "zq bench")
		if err != nil {
			return err
		}
		return writeComparison(cmd, bench.Compare(recs, llama), fl.asJSON)
	}
	ctx := cmd.Context()
	var reports []bench.Report
	for _, path := range args {
		rep, err := benchModel(ctx, cmd, path, fl)
		if err != nil {
			return err
		}
		reports = append(reports, rep)
	}
	bw, bwThreads := 0.0, 0
	if !fl.noBandwidth {
		for _, t := range fl.threads {
			bwThreads = max(bwThreads, t)
		}
		if bwThreads == 0 || slices.Contains(fl.threads, 0) {
			bwThreads = max(bwThreads, runtime.GOMAXPROCS(0))
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		bw = bench.MemoryBandwidth(bwThreads)
	}
	recs := bench.Records(reports, bw, zqVersion())
	out := cmd.OutOrStdout()
	if fl.compare != "" {
		return writeComparison(cmd, bench.Compare(recs, llama), fl.asJSON)
	}
	if fl.asJSON {
		return writeJSON(out, recs)
	}
	if err := bench.WriteMarkdown(out, recs); err != nil {
		return err
	}
	return bench.WriteRoofline(out, recs, bwThreads)
}

// readRecords reads a JSON array of llama-bench-style test records.
func readRecords(path, what string) ([]bench.Record, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	recs, err := bench.ParseRecords(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %s JSON: %w", path, what, err)
	}
	return recs, nil
}

func writeComparison(cmd *cobra.Command, cs []bench.Comparison, asJSON bool) error {
	if asJSON {
		return writeJSON(cmd.OutOrStdout(), cs)
	}
	return bench.WriteComparison(cmd.OutOrStdout(), cs)
}

// benchModel runs every test of one model, with a progress bar on a
// terminal.
func benchModel(ctx context.Context, cmd *cobra.Command, path string, fl benchFlags) (bench.Report, error) {
	b, err := bench.Open(path)
	if err != nil {
		return bench.Report{}, err
	}
	defer b.Close()
	var tests []bench.Options
	for _, t := range fl.threads {
		for _, p := range fl.prompt {
			if p > 0 {
				tests = append(tests, bench.Options{Prompt: p, Reps: fl.reps, Threads: t, Warmup: !fl.noWarmup})
			}
		}
		for _, n := range fl.gen {
			if n > 0 {
				tests = append(tests, bench.Options{Gen: n, Reps: fl.reps, Threads: t, Warmup: !fl.noWarmup})
			}
		}
	}
	total := 0
	for _, o := range tests {
		total += o.Tokens()
	}
	bar := progress.New(cmd.ErrOrStderr(), int64(total), "bench "+filepath.Base(path))
	defer bar.Finish()
	rep := bench.Report{Info: b.Info}
	for _, o := range tests {
		o.Progress = func(n int) { bar.Add(int64(n)) }
		r, err := b.Test(ctx, o)
		if err != nil {
			return bench.Report{}, err
		}
		rep.Tests = append(rep.Tests, r)
	}
	return rep, nil
}
