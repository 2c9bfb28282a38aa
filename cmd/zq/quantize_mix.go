package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/imatrix/collect"
	"github.com/zqtool/zq/internal/progress"
	"github.com/zqtool/zq/mix"
	"github.com/zqtool/zq/quantize"
	"github.com/zqtool/zq/verify"
)

// mixFlags are quantize's measured-mix flags: a target and how to measure.
type mixFlags struct {
	like, size string
	bpw        float64
	tokens     int
	values     int
	groups     string
	probes     int
	cache      string
	noCache    bool
	types      []string
}

func addMixFlags(cmd *cobra.Command, m *mixFlags) {
	f := cmd.Flags()
	f.StringVar(&m.like, "like", "", "measured mix: the size of this preset's file for the model, e.g. Q4_K_M (needs --calibration)")
	f.StringVar(&m.size, "target-size", "", "measured mix: the file size, e.g. 4.0GiB, 3.5GB, 800MiB or 123456789B (needs --calibration)")
	f.Float64Var(&m.bpw, "target-bpw", 0, "measured mix: bits per weight, e.g. 4.5 (needs --calibration)")
	f.IntVar(&m.tokens, "measure-tokens", mix.DefaultSettings.Tokens, "tokens of the calibration text in each calibration pass of a mix (0: 4096 up to 200M parameters, proportionally fewer beyond)")
	f.IntVar(&m.values, "measure-values", mix.DefaultSettings.Values, "values per tensor (whole rows) whose quantization error a mix measures (0: all)")
	f.StringVar(&m.groups, "measure-groups", mix.DefaultSettings.Groups, "calibration passes of a mix: tensor (one per tensor), block (one per tensor of the probe layers, one per attention and feed-forward half of the others) or auto (tensor up to 64 tensors)")
	f.IntVar(&m.probes, "measure-probes", mix.DefaultSettings.Probes, "with --measure-groups block: layers calibrated tensor by tensor (first, last and evenly between)")
	f.StringVar(&m.cache, "measure-cache", mix.DefaultCacheDir(), "directory keeping a mix's measurements per model, text and settings")
	f.BoolVar(&m.noCache, "no-measure-cache", false, "measure again and keep nothing")
	f.StringSliceVar(&m.types, "mix-types", nil, "the only types a mix may use, e.g. q4_K,q5_K,q6_K,q8_0 (default: every candidate)")
}

// active reports whether a mix target was given.
func (m *mixFlags) active(cmd *cobra.Command) bool {
	return m.like != "" || m.size != "" || cmd.Flags().Changed("target-bpw")
}

// target parses the one target given.
func (m *mixFlags) target(cmd *cobra.Command) (mix.Target, error) {
	n := 0
	for _, set := range []bool{m.like != "", m.size != "", cmd.Flags().Changed("target-bpw")} {
		if set {
			n++
		}
	}
	if n != 1 {
		return mix.Target{}, fmt.Errorf("give one of --like, --target-size and --target-bpw")
	}
	switch {
	case m.like != "":
		p, err := quantize.ParsePreset(m.like)
		if err != nil {
			return mix.Target{}, fmt.Errorf("--like: %w", err)
		}
		if !p.Quantized() {
			return mix.Target{}, fmt.Errorf("--like %s: not a quantized preset", p.Name)
		}
		return mix.Target{Like: &p}, nil
	case m.size != "":
		b, err := parseFileSize(m.size)
		if err != nil {
			return mix.Target{}, fmt.Errorf("--target-size: %w", err)
		}
		return mix.Target{Size: b}, nil
	}
	if m.bpw <= 0 || m.bpw > 32 {
		return mix.Target{}, fmt.Errorf("--target-bpw %g: expected a number of bits per weight in (0, 32]", m.bpw)
	}
	return mix.Target{BPW: m.bpw}, nil
}

// parseFileSize reads a file size: a number with B, KB, MB, GB, TB
// (decimal) or KiB, MiB, GiB, TiB (binary).
func parseFileSize(s string) (int64, error) {
	num, unit := splitUnit(s)
	v, err := strconv.ParseFloat(num, 64)
	mult := map[string]float64{"b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
		"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40}
	m, ok := mult[unit]
	switch {
	case err != nil || v <= 0:
		return 0, fmt.Errorf("%q is not a size such as 4.0GiB", s)
	case !ok:
		return 0, fmt.Errorf("%q: unknown or missing unit %q (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)", s, unit)
	case v*m >= 1<<62:
		return 0, fmt.Errorf("%q is too large", s)
	}
	return int64(v * m), nil
}

// quantizeOptionsForMix are the preset-mode flags a mix cannot take.
var mixConflicts = []string{"type", "pure", "output-tensor-type", "token-embedding-type", "leave-output-tensor",
	"allow-requantize", "imatrix", "include-weights", "exclude-weights", "save-imatrix"}

// runMix is zq quantize with --like, --target-size or --target-bpw.
func runMix(cmd *cobra.Command, args []string, mf *mixFlags, calib *calibration, threads int, dryRun, asJSON bool) error {
	for _, name := range mixConflicts {
		if cmd.Flags().Changed(name) {
			return fmt.Errorf("--%s cannot be used with --like, --target-size or --target-bpw (the mix chooses every type)", name)
		}
	}
	if len(args) > 2 {
		return fmt.Errorf("a TYPE argument cannot be used with --like, --target-size or --target-bpw (the mix chooses every type)")
	}
	target, err := mf.target(cmd)
	if err != nil {
		return err
	}
	pc := mix.PlanConfig{Target: target}
	for _, name := range mf.types {
		t, err := ggml.ParseType(name)
		if err != nil {
			return fmt.Errorf("--mix-types: %w", err)
		}
		pc.Types = append(pc.Types, t)
	}
	if calib.text == "" {
		return fmt.Errorf("a measured mix needs a calibration text: pass --calibration TEXT")
	}
	if err := calib.check(cmd, "", args[0], args[1]); err != nil {
		return err
	}
	in, out := args[0], args[1]
	if !dryRun {
		if err := checkOutput(cmd, out, in, calib.text); err != nil {
			return err
		}
	}
	text, textSHA, err := verify.ReadText(calib.text)
	if err != nil {
		return fmt.Errorf("--calibration: %w", err)
	}
	modelSHA, err := mix.InputSHA256(in)
	if err != nil {
		return err
	}
	errw := cmd.ErrOrStderr()
	m, err := collect.OpenModel(cmd.Context(), in, filepath.Dir(out), threads)
	if err != nil {
		return err
	}
	defer m.Close()
	src, err := quantize.OpenSource(in)
	if err != nil {
		return err
	}
	defer src.Close()

	s := mix.DefaultSettings
	s.ImatrixCtx, s.ImatrixChunks, s.Ctx = calib.ctx, calib.chunks, calib.ctx
	s.Tokens, s.Values, s.Groups, s.Probes = mf.tokens, mf.values, mf.groups, mf.probes
	cfg := mix.Config{Settings: s, Threads: threads, CacheDir: mf.cache, Progress: stageBars(errw)}
	if mf.noCache {
		cfg.CacheDir = ""
	}
	ms, im, err := mix.Measure(cmd.Context(), mix.Input{Model: m.Model, Tok: m.Tok, ModelSHA256: modelSHA,
		Text: text, TextName: calib.text, TextSHA256: textSHA}, cfg)
	cfg.Progress("", 0, 0)
	if err != nil {
		return err
	}
	m.Close()
	if ms.Cached {
		fmt.Fprintf(errw, "%s: measurements of %s on %s from the cache (%s)\n", cmd.CommandPath(), in, calib.text, cfg.CacheDir)
	} else {
		fmt.Fprintf(errw, "%s: measured %d tensors in %d calibration passes of %d tokens: importance matrix %.1f s, proxies %.1f s, passes %.1f s\n",
			cmd.CommandPath(), len(ms.Tensors), len(ms.Groups)+1, ms.Tokens, ms.ImatrixSeconds, ms.ProxySeconds, ms.PassSeconds)
	}
	pc.Imatrix = im
	plan, err := mix.NewPlan(src, ms, pc)
	if err != nil {
		return err
	}
	if dryRun {
		if asJSON {
			return writeJSON(cmd.OutOrStdout(), map[string]any{"plan": plan, "measurements": measureSummary(ms)})
		}
		plan.Print(cmd.OutOrStdout())
		return nil
	}
	opts := quantize.Options{Preset: plan.Preset, Imatrix: im, TensorTypes: plan.Types, Threads: threads}
	for _, kv := range plan.Metadata {
		if strings.HasPrefix(kv.Key, "zq.") {
			opts.Metadata = append(opts.Metadata, kv)
		}
	}
	var bar *progress.Bar
	if !asJSON && progress.IsTerminal(errw) {
		opts.OnTensor = func(i, n int, t quantize.TensorSummary) {
			if bar == nil {
				bar = progress.New(errw, int64(n), "quantizing")
			}
			bar.Describe(t.Name)
			bar.Add(1)
		}
	}
	sum, err := quantize.Run(cmd.Context(), src, out, opts)
	bar.Finish()
	if err != nil {
		return err
	}
	if sum.FileSize != plan.FileSize {
		return fmt.Errorf("internal error: %s has %d bytes, the plan expected %d", out, sum.FileSize, plan.FileSize)
	}
	if asJSON {
		return writeJSON(cmd.OutOrStdout(), map[string]any{"plan": plan, "summary": sum, "measurements": measureSummary(ms)})
	}
	sum.WriteText(cmd.OutOrStdout())
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "mix target    %s, file type %s\n", plan.Target, plan.Preset.FileType)
	fmt.Fprintf(w, "predicted KLD %.6f (lower bound %.6f)", plan.PredictedKLD, plan.LowerBound)
	if plan.LikeKLD != nil {
		fmt.Fprintf(w, "; %s's own: %.6f", plan.Preset.Name, *plan.LikeKLD)
	}
	fmt.Fprintln(w)
	return nil
}

// measureSummary is the measurements' JSON without the per-tensor tables.
func measureSummary(ms *mix.Measurements) map[string]any {
	return map[string]any{"model_sha256": ms.ModelSHA256, "text_sha256": ms.TextSHA256, "settings": ms.Settings,
		"calibration_tokens": ms.Tokens, "tensors": len(ms.Tensors), "groups": ms.Groups, "cached": ms.Cached,
		"imatrix_seconds": ms.ImatrixSeconds, "proxy_seconds": ms.ProxySeconds, "calibration_seconds": ms.PassSeconds}
}

// stageBars returns a progress callback drawing one bar per stage on a
// terminal; a call with an empty stage finishes the last bar.
func stageBars(w io.Writer) func(stage string, done, total int) {
	var bar *progress.Bar
	cur, last := "", 0
	return func(stage string, done, total int) {
		if stage != cur {
			bar.Finish()
			bar, cur, last = nil, stage, 0
			if stage == "" {
				return
			}
			bar = progress.New(w, int64(total), stage)
		}
		bar.Add(int64(done - last))
		last = done
	}
}
