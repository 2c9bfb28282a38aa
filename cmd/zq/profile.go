package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/zqtool/zq/profile"
	"github.com/zqtool/zq/profile/catalog"
	"github.com/zqtool/zq/profile/hw"
	"github.com/zqtool/zq/profile/measure"
	"github.com/zqtool/zq/profile/plot"
	"github.com/zqtool/zq/profile/report"
)

// profileFlags are zq profile's command-line settings.
type profileFlags struct {
	hardware, listTargets, asJSON, checkLlama, matrix bool
	target, vram, bandwidth, class                    string
	ctx                                               int
	ctxs                                              []int
	kv, format, plotPath, text, types, outDir         string
	engine                                            string
	flashAttn                                         bool
	ubatch, verifyCtx, chunks, threads, gpuLayers     int
	minTPS                                            float64
	speed                                             measure.SpeedOptions
}

func newProfileCmd() *cobra.Command {
	var pf profileFlags
	cmd := &cobra.Command{
		Use:   "profile [MODEL_DIR | DIR_OF_GGUFS | FILE.gguf...] [--target NAME]",
		Short: "Which quantization fits a GPU or Mac at a context, how good and how fast: memory, quality and speed matrix",
		Long: `Profile answers "which file should I run on my RTX 3060 / my 16 GB M2, at 8k
context, and how fast will it be?".

  zq profile --hardware [--json]          this machine: CPU, RAM, GPUs and VRAM
  zq profile --list-targets               the device catalog
  zq profile FILE.gguf --ctx 8192         memory estimate (weights, KV cache, compute
                                          buffer, output buffer, reserve, total) the way
                                          llama.cpp allocates it; with --target, the
                                          verdict and largest context per KV type;
                                          --check-llama puts llama.cpp's own dry run beside it
  zq profile DIR_OF_GGUFS --text FILE --target "rtx 3060"
  zq profile MODEL_DIR --types q4_k_m,q5_k_m,q8_0 --text FILE --target "m2 max 96"
                                          the matrix: per quantization size, bits/weight,
                                          memory at each context, fit on the target, PPL,
                                          ΔPPL, KLD, top-1 (against the F16 file), tokens/s
                                          measured here and predicted on the target, and a
                                          recommendation

Targets match forgivingly ("3060", "RTX3060 12GB", "m2 max 96"); any other device
is --vram 12GiB --bandwidth 360GB/s [--device-class nvidia-geforce]. Without a
target, this machine is the target. Measurements are cached in
` + measure.CacheFile + ` beside the models (keyed by file and text sha256, context
and zq version), so a rerun measures only what is new. Predicted numbers are
labelled as predictions: memory follows llama.cpp's allocation rules (checked
against its dry runs), decode speed a bandwidth roofline times the device class's
measured efficiency.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runProfile(cmd, args, &pf)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&pf.hardware, "hardware", false, "describe this machine's CPU, RAM and GPUs")
	f.BoolVar(&pf.listTargets, "list-targets", false, "list the device catalog")
	f.BoolVar(&pf.asJSON, "json", false, "print JSON (same as --format json)")
	f.StringVar(&pf.target, "target", "", `target device, e.g. "rtx 3060", "m2 max 96" (default: this machine)`)
	f.StringVar(&pf.vram, "vram", "", "custom target memory, e.g. 12GiB")
	f.StringVar(&pf.bandwidth, "bandwidth", "", "custom target memory bandwidth, e.g. 360GB/s")
	f.StringVar(&pf.class, "device-class", "", "custom target efficiency class (nvidia-geforce, nvidia-datacenter, amd, apple-base, apple-pro, apple-max, apple-ultra, cpu)")
	f.IntVar(&pf.ctx, "ctx", 0, "context for the memory estimate, verdict and recommendation (default 8192, or the largest of --ctxs)")
	f.IntSliceVar(&pf.ctxs, "ctxs", nil, "contexts of the matrix's memory columns (default 4096,8192,32768)")
	f.StringVar(&pf.kv, "kv", "f16", "KV cache type: f16, q8_0, q4_0, ... (quantized types imply flash attention)")
	f.BoolVar(&pf.flashAttn, "flash-attn", true, "assume flash attention (llama.cpp's default 'auto' turns it on for supported GPUs)")
	f.IntVar(&pf.ubatch, "ubatch", 512, "physical batch size (llama.cpp -ub)")
	f.IntVar(&pf.gpuLayers, "gpu-layers", -1, "memory estimate with this many layers offloaded, the output layer counted as the highest (llama.cpp -ngl; -1: all)")
	f.BoolVar(&pf.checkLlama, "check-llama", false, "run llama.cpp's dry run (llama-fit-params on PATH) and show its breakdown beside zq's")
	f.BoolVar(&pf.matrix, "matrix", false, "show the matrix even for a single GGUF file")
	f.StringVar(&pf.format, "format", "table", "matrix format: table, md, csv or json")
	f.StringVar(&pf.plotPath, "plot", "", "write a quality-versus-memory chart (.svg, .png or .pdf)")
	f.StringVar(&pf.text, "text", "", "evaluation text for quality against the F16 file (zq verify)")
	f.StringVar(&pf.types, "types", "", "quantizations to make from a checkpoint directory, e.g. q4_k_m,q5_k_m,q8_0")
	f.StringVar(&pf.outDir, "out-dir", "", "where files made from a checkpoint go (default MODEL_DIR/zq-profile)")
	f.StringVar(&pf.engine, "engine", "zq", "speed measured here with: zq, llama-bench (on PATH) or none")
	f.Float64Var(&pf.minTPS, "min-tps", 0, "recommend only rows predicted at least this fast on the target")
	f.IntVar(&pf.verifyCtx, "verify-ctx", 0, "tokens per verify chunk (default 512)")
	f.IntVar(&pf.chunks, "chunks", 0, "verify at most this many chunks (default all)")
	addThreads(cmd, &pf.threads)
	f.IntVarP(&pf.speed.Prompt, "n-prompt", "p", 128, "prompt tokens of the speed test")
	f.IntVarP(&pf.speed.Gen, "n-gen", "n", 32, "generated tokens of the speed test")
	f.IntVarP(&pf.speed.Reps, "repetitions", "r", 2, "repetitions of each speed test")
	return cmd
}

func runProfile(cmd *cobra.Command, args []string, pf *profileFlags) error {
	out := cmd.OutOrStdout()
	if pf.asJSON {
		pf.format = "json"
	}
	switch {
	case pf.hardware:
		return writeHardware(cmd.Context(), out, pf.format == "json")
	case pf.listTargets:
		return writeTargets(out, pf.format == "json")
	case len(args) == 0:
		return fmt.Errorf("give a GGUF file, a directory of GGUF files or a checkpoint directory (or --hardware, --list-targets)")
	}
	if !slices.Contains(report.Formats, pf.format) && pf.format != "markdown" {
		return fmt.Errorf("--format %q: use %s", pf.format, strings.Join(report.Formats, ", "))
	}
	if err := checkThreads(pf.threads); err != nil {
		return err
	}
	target, err := pf.resolveTarget()
	if err != nil {
		return err
	}
	if pf.ctx < 0 || (pf.ctx == 0 && cmd.Flags().Changed("ctx")) {
		return fmt.Errorf("--ctx %d: the context must be at least 1 token", pf.ctx)
	}
	if len(args) == 1 && !pf.matrix && pf.text == "" && pf.types == "" && pf.plotPath == "" {
		if st, err := os.Stat(args[0]); err == nil && !st.IsDir() {
			return runMemory(cmd, args[0], target, pf)
		}
	}
	o := profile.Options{
		Inputs: args, OutDir: pf.outDir, Target: target, Ctxs: pf.ctxs, Ctx: pf.ctx, KVType: pf.kv,
		FlashAttn: pf.flashAttn, UBatch: pf.ubatch, MinTPS: pf.minTPS, Text: pf.text,
		VerifyCtx: pf.verifyCtx, Chunks: pf.chunks, Engine: pf.engine, Speed: pf.speed, Threads: pf.threads,
		Version: zqVersion(), Progress: cmd.ErrOrStderr(),
		Warn: func(s string) { fmt.Fprintln(cmd.ErrOrStderr(), "zq profile: warning:", s) },
	}
	o.Speed.Threads = pf.threads
	if pf.types != "" {
		o.Types = strings.Split(pf.types, ",")
	}
	if pf.ctx == 0 && len(pf.ctxs) == 0 {
		o.Ctx = 8192
	}
	mx, err := profile.Run(cmd.Context(), o)
	if err != nil {
		return err
	}
	if pf.plotPath != "" {
		if err := plot.Write(mx, pf.plotPath); err != nil {
			return err
		}
	}
	return mx.Write(out, pf.format)
}

// resolveTarget returns the --target device, a custom --vram/--bandwidth
// device, or nil for this machine.
func (pf *profileFlags) resolveTarget() (*catalog.Device, error) {
	if pf.vram != "" || pf.bandwidth != "" {
		if pf.target != "" {
			return nil, fmt.Errorf("--target and --vram/--bandwidth are exclusive")
		}
		mem, err := parseBytes(pf.vram)
		if err != nil {
			return nil, fmt.Errorf("--vram: %w", err)
		}
		bw, err := parseBandwidth(pf.bandwidth)
		if err != nil {
			return nil, fmt.Errorf("--bandwidth: %w", err)
		}
		d, err := catalog.Custom(mem, bw, pf.class)
		return &d, err
	}
	if pf.target == "" {
		return nil, nil
	}
	d, err := catalog.Find(pf.target)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// parseBytes reads a memory size: "12GiB", "12GB" (decimal), "12288MiB";
// a bare number is GiB.
func parseBytes(s string) (uint64, error) {
	num, unit := splitUnit(s)
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("%q is not a size such as 12GiB", s)
	}
	mult := map[string]float64{"": 1 << 30, "g": 1 << 30, "gib": 1 << 30, "gb": 1e9, "m": 1 << 20, "mib": 1 << 20, "mb": 1e6, "t": 1 << 40, "tib": 1 << 40, "tb": 1e12}
	m, ok := mult[unit]
	if !ok {
		return 0, fmt.Errorf("%q: unknown unit %q (GiB, GB, MiB, MB, TiB, TB)", s, unit)
	}
	return uint64(v * m), nil
}

// parseBandwidth reads GB/s: "360GB/s", "360", "1.5TB/s".
func parseBandwidth(s string) (float64, error) {
	num, unit := splitUnit(strings.TrimSuffix(strings.ToLower(s), "/s"))
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("%q is not a bandwidth such as 360GB/s", s)
	}
	switch unit {
	case "", "gb", "g", "gbps":
		return v, nil
	case "tb", "t":
		return v * 1000, nil
	case "mb", "m":
		return v / 1000, nil
	}
	return 0, fmt.Errorf("%q: unknown unit %q (GB/s, TB/s)", s, unit)
}

func splitUnit(s string) (string, string) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.ToLower(strings.TrimSpace(s[i:]))
}

func writeHardware(ctx context.Context, w io.Writer, asJSON bool) error {
	info := hw.Detect(ctx, hw.Sources{})
	if asJSON {
		return writeJSON(w, info)
	}
	gib := func(b uint64) string { return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30)) }
	fmt.Fprintf(w, "os/arch:  %s/%s\n", info.OS, info.Arch)
	fmt.Fprintf(w, "cpu:      %s (%d cores, %d threads; SIMD: %s)\n", info.CPU.Model, info.CPU.Cores, info.CPU.Threads, info.CPU.Features)
	fmt.Fprintf(w, "memory:   %s total, %s available\n", gib(info.Memory.TotalBytes), gib(info.Memory.AvailableBytes))
	if a := info.Apple; a != nil {
		fmt.Fprintf(w, "apple:    %s, %d P + %d E cores, GPU working set %s\n", a.Chip, a.PCores, a.ECores, gib(a.WorkingSetBytes))
	}
	if info.NoGPU {
		fmt.Fprintln(w, "gpu:      none")
	}
	for _, g := range info.GPUs {
		fmt.Fprintf(w, "gpu %d:    %s %s", g.Index, g.Vendor, g.Name)
		if g.VRAMTotalBytes > 0 {
			fmt.Fprintf(w, ", %s VRAM (%s free)", gib(g.VRAMTotalBytes), gib(g.VRAMFreeBytes))
		}
		if g.BandwidthGBs > 0 {
			fmt.Fprintf(w, ", %.0f GB/s (catalog: %s, %s)", g.BandwidthGBs, g.CatalogName, g.Class)
		}
		fmt.Fprintf(w, " [%s]\n", g.Source)
	}
	for _, n := range info.Notes {
		fmt.Fprintln(w, "note:     "+n)
	}
	return nil
}

func writeTargets(w io.Writer, asJSON bool) error {
	ds, err := catalog.All()
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(w, ds)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "device\tmemory\tusable\tbandwidth\tclass\tdecode efficiency (Q4_0 / K-quants)")
	for _, d := range ds {
		fmt.Fprintf(tw, "%s\t%.0f GiB\t%.1f GiB\t%.0f GB/s\t%s\t%.2f / %.2f\n", d.Name, float64(d.MemoryBytes)/(1<<30),
			float64(d.UsableBytes())/(1<<30), d.BandwidthGBs, d.ClassName, d.Class.Eta, d.Class.EtaKQuant)
	}
	return tw.Flush()
}
