package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/internal/progress"
	"github.com/zqtool/zq/quantize"
)

func newQuantizeCmd() *cobra.Command {
	var (
		typeName, outType, embType, imatrixPath string
		include, exclude                        []string
		list, pure, leaveOutput, allowRequant   bool
		dryRun, asJSON                          bool
		threads                                 int
		// calib.text is --calibration TEXT: the one calibration text of
		// quantize, for the importance matrix and any other use.
		calib calibration
		mixf  mixFlags
	)
	cmd := &cobra.Command{
		Use:   "quantize INPUT OUTPUT [TYPE [THREADS]]",
		Short: "Quantize a GGUF file or a Hugging Face model directory like llama-quantize",
		Long: `Quantize INPUT into OUTPUT with one of llama-quantize's presets, producing the same
file llama-quantize would: the same per-tensor types (llama.cpp's mixture rules,
fallbacks for row lengths that are not a multiple of 256, 1-D tensors kept),
the same metadata and byte-identical tensor data.

INPUT is a GGUF file (F32/F16/BF16, or already quantized with --allow-requantize)
or a Hugging Face model directory, which is converted and quantized in one pass
without writing an F16 file.

--imatrix FILE uses an importance matrix (zq imatrix's or llama-imatrix's).
--calibration TEXT computes it instead from INPUT itself in the same run, as
zq imatrix INPUT -f TEXT would (chunks of --calibration-ctx tokens, at most
--calibration-chunks of them; a directory INPUT is converted to a temporary
F16 file beside OUTPUT for this); --save-imatrix FILE keeps it, and quantizing
with it later gives the same output. TYPE is case-insensitive, e.g. q4_k_m, and is
given either as --type or, as with llama-quantize, as the third argument
followed by an optional thread count (not both). -t is --threads, as in every
zq command and llama.cpp tool. --list shows the presets with llama.cpp's notes.

OUTPUT is checked before any work: its directory must exist and be writable,
and it must not be a directory or the input itself (or one of an input
directory's files). An existing OUTPUT is replaced, as llama-quantize does,
with a note on stderr.

Per-tensor progress goes to stderr (a bar on a terminal, one line per tensor
otherwise); the summary (sizes, bits per weight, time) goes to stdout, as one
JSON object with --json.`,
		Example: `  zq quantize model-f16.gguf model-Q4_K_M.gguf --type q4_k_m
  zq quantize ./Mistral-7B-v0.1 mistral-Q5_K_M.gguf Q5_K_M 8
  zq quantize model-f16.gguf out.gguf --type iq4_xs --imatrix imatrix.gguf --json
  zq quantize ./hf-dir out.gguf --type q4_k_m --calibration text.txt --save-imatrix imatrix.gguf
  zq quantize model-f16.gguf out.gguf --type q3_k_m -t 8 --dry-run
  zq quantize --list`,
		Args: func(cmd *cobra.Command, args []string) error {
			if list {
				return cobra.NoArgs(cmd, args)
			}
			return positional([]string{"INPUT", "OUTPUT"}, "TYPE", "THREADS")(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if list {
				return printPresets(cmd, asJSON)
			}
			if len(args) >= 3 {
				if typeName != "" {
					return fmt.Errorf("type given twice: --type %s and argument %s; give one", typeName, args[2])
				}
				typeName = args[2]
			}
			if len(args) == 4 {
				if cmd.Flags().Changed("threads") {
					return fmt.Errorf("threads given twice: --threads %d and argument %s; give one", threads, args[3])
				}
				n, err := strconv.Atoi(args[3])
				if err != nil {
					return fmt.Errorf("THREADS argument %q is not a number", args[3])
				}
				threads = n
			}
			if err := checkThreads(threads); err != nil {
				return err
			}
			if mixf.active(cmd) {
				return runMix(cmd, args, &mixf, &calib, threads, dryRun, asJSON)
			}
			if typeName == "" {
				return fmt.Errorf("no quantization type: pass --type (see zq quantize --list)")
			}
			preset, err := quantize.ParsePreset(typeName)
			if err != nil {
				return err
			}
			opts := quantize.Options{Preset: preset, Pure: pure, LeaveOutputTensor: leaveOutput,
				AllowRequantize: allowRequant, Threads: threads}
			if opts.OutputTensorType, err = optionalType("--output-tensor-type", outType); err != nil {
				return err
			}
			if opts.TokenEmbeddingType, err = optionalType("--token-embedding-type", embType); err != nil {
				return err
			}
			if len(include) > 0 && len(exclude) > 0 {
				return fmt.Errorf("--include-weights and --exclude-weights cannot be used together")
			}
			if err := calib.check(cmd, imatrixPath, args[0], args[1]); err != nil {
				return err
			}
			if imatrixPath != "" {
				if opts.Imatrix, err = quantize.LoadImatrix(imatrixPath); err != nil {
					return err
				}
				opts.Imatrix.Filter(include, exclude)
			}
			src, err := quantize.OpenSource(args[0])
			if err != nil {
				return err
			}
			defer src.Close()
			if !dryRun {
				if err := checkOutput(cmd, args[1], args[0], imatrixPath, calib.text); err != nil {
					return err
				}
			}
			if calib.text != "" {
				if dryRun {
					// The plan only depends on whether there is a matrix.
					opts.Imatrix = &quantize.Imatrix{File: calib.text, Entries: map[string][]float32{"": nil}}
				} else {
					if opts.Imatrix, err = calib.imatrix(cmd, args[0], args[1], threads); err != nil {
						return err
					}
					opts.Imatrix.Filter(include, exclude)
				}
			}
			if dryRun {
				plan, err := quantize.PlanSource(src, opts)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(cmd.OutOrStdout(), plan)
				}
				plan.Print(cmd.OutOrStdout())
				return nil
			}
			errw := cmd.ErrOrStderr()
			var bar *progress.Bar
			if !asJSON {
				opts.OnTensor = func(i, n int, t quantize.TensorSummary) {
					if progress.IsTerminal(errw) {
						if bar == nil {
							bar = progress.New(errw, int64(n), "quantizing")
						}
						bar.Describe(t.Name)
						bar.Add(1)
						return
					}
					fmt.Fprintln(errw, quantize.TensorLine(i, n, t))
				}
			}
			sum, err := quantize.Run(cmd.Context(), src, args[1], opts)
			bar.Finish()
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), sum)
			}
			sum.WriteText(cmd.OutOrStdout())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&typeName, "type", "", "quantization preset, e.g. q4_k_m (see --list)")
	f.BoolVar(&list, "list", false, "list the quantization presets and exit")
	f.BoolVar(&pure, "pure", false, "no k-quant mixture: quantize every tensor to the preset's type")
	f.StringVar(&outType, "output-tensor-type", "", "ggml type for output.weight, e.g. q8_0")
	f.StringVar(&embType, "token-embedding-type", "", "ggml type for token_embd.weight")
	f.BoolVar(&leaveOutput, "leave-output-tensor", false, "leave output.weight un(re)quantized")
	f.BoolVar(&allowRequant, "allow-requantize", false, "allow inputs whose tensors are already quantized")
	f.StringVar(&imatrixPath, "imatrix", "", "importance matrix file (llama-imatrix GGUF or legacy .dat)")
	f.StringArrayVar(&include, "include-weights", nil, "use the importance matrix only for tensors whose name contains this (repeatable)")
	f.StringArrayVar(&exclude, "exclude-weights", nil, "do not use the importance matrix for tensors whose name contains this (repeatable)")
	addCalibration(cmd, &calib)
	addMixFlags(cmd, &mixf)
	addThreads(cmd, &threads)
	f.BoolVar(&dryRun, "dry-run", false, "print the per-tensor plan without writing OUT")
	f.BoolVar(&asJSON, "json", false, "print the summary (or the --list/--dry-run output) as JSON")
	return cmd
}

func optionalType(flag, name string) (*ggml.Type, error) {
	if name == "" {
		return nil, nil
	}
	t, err := ggml.ParseType(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	return &t, nil
}

func printPresets(cmd *cobra.Command, asJSON bool) error {
	ps := quantize.Presets()
	if asJSON {
		type row struct {
			Name     string `json:"name"`
			FileType string `json:"file_type"`
			ID       uint32 `json:"file_type_id"`
			Default  string `json:"default_type"`
			Note     string `json:"note"`
			Imatrix  bool   `json:"needs_imatrix,omitempty"`
		}
		rows := make([]row, len(ps))
		for i, p := range ps {
			rows[i] = row{p.Name, p.FileType.String(), uint32(p.FileType), p.Default.String(), p.Note, p.NeedsImatrix}
		}
		return writeJSON(cmd.OutOrStdout(), map[string]any{"presets": rows})
	}
	w := cmd.OutOrStdout()
	fmt.Fprintln(w, "Allowed quantization types:")
	for _, p := range ps {
		note := p.Note
		if p.NeedsImatrix {
			note += " (needs --imatrix)"
		}
		fmt.Fprintf(w, "  %2d  or  %-7s : %s\n", p.FileType, p.Name, note)
	}
	return nil
}
