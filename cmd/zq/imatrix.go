package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/zqtool/zq/imatrix"
	"github.com/zqtool/zq/imatrix/collect"
	"github.com/zqtool/zq/internal/progress"
)

// imatrixSummary is zq imatrix's --json output.
type imatrixSummary struct {
	Output     string          `json:"output"`
	Format     string          `json:"format"`
	Datasets   []string        `json:"datasets"`
	InFiles    []string        `json:"in_files,omitempty"`
	Entries    int             `json:"entries"`
	ChunkCount int             `json:"chunk_count"`
	ChunkSize  int             `json:"tokens_per_chunk"`
	Run        *collect.Result `json:"run,omitempty"`
}

func newImatrixCmd() *cobra.Command {
	var (
		cfg               collect.Config
		text, out, format string
		inFiles           []string
		noPPL, asJSON     bool
	)
	cmd := &cobra.Command{
		Use:   "imatrix MODEL -f TEXT [-o imatrix.gguf]",
		Short: "Compute an importance matrix like llama-imatrix",
		Long: `Compute an importance matrix of MODEL (a GGUF file, or a Hugging Face model
directory, converted to F16 in a temporary file first) on the calibration text
TEXT, the way llama-imatrix does: the text is tokenized once (BOS added when the
vocabulary asks for it), --from-chunk chunks are dropped, and each chunk of -c
tokens (its first token replaced by BOS) goes through the forward pass in
batches of -b and physical batches of --ubatch-size tokens. For every block
weight (and output.weight with --process-output) the squared activations
entering it are summed per input column, with the count of tokens. Physical
batches of fewer than 16 tokens are skipped, as in llama.cpp.

The result is written in llama.cpp's GGUF importance-matrix format (or the
legacy format with --output-format dat), which zq quantize --imatrix and
llama-quantize read; every --output-frequency chunks the file is updated, and
--save-frequency N also keeps copies named OUT.at_N. --in-file merges earlier
files (repeatable, or comma-separated); without -f they are only combined.
The file only appears complete: Ctrl-C leaves at most the last whole update.

Unless --no-ppl, the perplexity of the second half of each chunk is printed
as it goes (the running estimate, then the final one with its ±), as
llama-imatrix prints it. --json prints one summary object instead.`,
		Example: `  zq imatrix model-f16.gguf -f calibration.txt -o imatrix.gguf
  zq imatrix ./Mistral-7B-v0.1 -f calibration.txt -c 512 --chunks 100 -t 8
  zq imatrix model-f16.gguf --in-file a.gguf --in-file b.gguf -o merged.gguf
  zq inspect imatrix.gguf`,
		Args: positional(nil, "MODEL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkThreads(cfg.Threads); err != nil {
				return err
			}
			cfg.PPL = !noPPL
			var files []string
			for _, f := range inFiles {
				files = append(files, strings.Split(f, ",")...)
			}
			switch {
			case format != imatrix.FormatGGUF && format != imatrix.FormatDat:
				return fmt.Errorf("--output-format %q: use gguf or dat", format)
			case text == "" && len(files) == 0:
				return fmt.Errorf("no calibration text (-f) and no --in-file to combine")
			case text != "" && len(args) == 0:
				return fmt.Errorf("missing MODEL (usage: %s)", cmd.UseLine())
			}
			errw := cmd.ErrOrStderr()
			if format == imatrix.FormatGGUF && !cmd.Flags().Changed("output-format") && !strings.HasSuffix(out, ".gguf") {
				fmt.Fprintf(errw, "%s: writing the GGUF format to %s, whose name does not end in .gguf (--output-format dat for the legacy format)\n", cmd.CommandPath(), out)
			}
			inputs := append(append([]string{text}, args...), files...)
			if err := checkOutput(cmd, out, inputs...); err != nil {
				return err
			}
			if cfg.Ctx <= 0 {
				return fmt.Errorf("-c/--ctx %d: must be positive", cfg.Ctx)
			}
			set := imatrix.NewSet(cfg.Ctx)
			for _, f := range files {
				im, err := imatrix.Read(f)
				if err != nil {
					return err
				}
				if err := set.Merge(im); err != nil {
					return err
				}
			}
			write := func(path string) error {
				if format == imatrix.FormatDat {
					return set.WriteDat(path, text)
				}
				return set.WriteGGUF(path, text)
			}
			sum := imatrixSummary{Output: out, Format: format, InFiles: files}
			if text != "" {
				run, err := computeImatrix(cmd, args[0], text, out, set, cfg, write, !asJSON)
				if err != nil {
					return err
				}
				sum.Run = run
			}
			if err := write(out); err != nil {
				return err
			}
			f := set.File(text)
			sum.Datasets, sum.Entries, sum.ChunkCount, sum.ChunkSize = f.Datasets, len(f.Entries), f.ChunkCount, f.ChunkSize
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), sum)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (%s): %d entries, %d chunks of %d tokens, datasets %q\n",
				out, format, sum.Entries, sum.ChunkCount, sum.ChunkSize, sum.Datasets)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&text, "text", "f", "", "calibration text file (llama-imatrix's -f)")
	f.StringVarP(&out, "outfile", "o", "imatrix.gguf", "output file")
	f.StringVar(&format, "output-format", imatrix.FormatGGUF, "output format: gguf or dat (legacy)")
	f.IntVarP(&cfg.Ctx, "ctx", "c", collect.DefaultCtx, "tokens per chunk (llama-imatrix's -c)")
	f.IntVarP(&cfg.Batch, "batch-size", "b", collect.DefaultBatch, "logical batch size (several chunks per batch when a multiple of -c)")
	f.IntVar(&cfg.UBatch, "ubatch-size", collect.DefaultUBatch, "physical batch size")
	f.IntVar(&cfg.Chunks, "chunks", -1, "process at most this many chunks (-1: all)")
	f.IntVar(&cfg.FromChunk, "from-chunk", 0, "skip this many chunks of the text first")
	f.BoolVar(&cfg.ProcessOutput, "process-output", false, "collect data for output.weight too")
	f.BoolVar(&noPPL, "no-ppl", false, "do not compute the perplexity")
	f.BoolVar(&cfg.ParseSpecial, "parse-special", false, "parse special-token text in the calibration text")
	f.IntVar(&cfg.OutFreq, "output-frequency", collect.DefaultOutFreq, "update the output file every N chunks (0: only at the end)")
	f.IntVar(&cfg.SaveFreq, "save-frequency", 0, "also keep a copy OUT.at_N every N chunks")
	f.StringArrayVar(&inFiles, "in-file", nil, "merge this earlier imatrix file (GGUF or .dat; repeatable, or comma-separated)")
	addThreads(cmd, &cfg.Threads)
	f.BoolVar(&asJSON, "json", false, "print a JSON summary")
	return cmd
}

// computeImatrix runs the collection, printing llama-imatrix's running
// perplexity (when talk) and drawing a progress bar on a terminal.
func computeImatrix(cmd *cobra.Command, modelPath, text, out string, set *imatrix.Set, cfg collect.Config,
	write func(string) error, talk bool) (*collect.Result, error) {
	errw, stdout := cmd.ErrOrStderr(), cmd.OutOrStdout()
	if !talk {
		stdout = io.Discard
	}
	var bar *progress.Bar
	cfg.OnChunk = func(done, total int, ppl float64) {
		if bar == nil {
			bar = progress.New(errw, int64(total), "imatrix")
		}
		if cfg.PPL {
			bar.Describe(fmt.Sprintf("PPL %.4f", ppl))
			sep := ","
			if done%10 == 0 || done == total {
				sep = ",\n"
			}
			fmt.Fprintf(stdout, "[%d]%.4f%s", done, ppl, sep)
		}
		bar.Add(1)
	}
	cfg.Checkpoint = func(copyAt int) error {
		if copyAt > 0 {
			return write(out + ".at_" + strconv.Itoa(copyAt))
		}
		return write(out)
	}
	res, err := collect.Calibrate(cmd.Context(), modelPath, text, filepath.Dir(out), set, cfg)
	bar.Finish()
	if err != nil {
		return nil, err
	}
	if cfg.PPL && res.PPL > 0 {
		fmt.Fprintf(stdout, "Final estimate: PPL = %.4f +/- %.5f\n", res.PPL, res.PPLUncertain)
	}
	return res, nil
}
