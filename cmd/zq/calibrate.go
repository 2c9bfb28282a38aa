package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/zqtool/zq/imatrix"
	"github.com/zqtool/zq/imatrix/collect"
	"github.com/zqtool/zq/internal/progress"
	"github.com/zqtool/zq/quantize"
)

// calibration is quantize's --calibration TEXT and the settings of the
// importance matrix computed from it in the same run.
type calibration struct {
	text        string // --calibration: the calibration text (also for --target-size/--like)
	ctx, chunks int    // --calibration-ctx, --calibration-chunks
	saveImatrix string // --save-imatrix: keep the computed matrix here
}

// addCalibration registers the calibration flags of zq quantize.
func addCalibration(cmd *cobra.Command, c *calibration) {
	f := cmd.Flags()
	f.StringVar(&c.text, "calibration", "", "calibration text: compute the importance matrix from INPUT itself, as zq imatrix would (instead of --imatrix)")
	f.IntVar(&c.ctx, "calibration-ctx", collect.DefaultCtx, "tokens per calibration chunk (zq imatrix -c)")
	f.IntVar(&c.chunks, "calibration-chunks", -1, "use at most this many calibration chunks (-1: all)")
	f.StringVar(&c.saveImatrix, "save-imatrix", "", "write the importance matrix computed from --calibration to this file (.dat: legacy format)")
}

// check validates the calibration flags against --imatrix and the output.
func (c *calibration) check(cmd *cobra.Command, imatrixPath, input, out string) error {
	switch {
	case c.text == "" && c.saveImatrix != "":
		return fmt.Errorf("--save-imatrix needs --calibration")
	case c.text == "" && (cmd.Flags().Changed("calibration-ctx") || cmd.Flags().Changed("calibration-chunks")):
		return fmt.Errorf("--calibration-ctx and --calibration-chunks need --calibration")
	case c.text != "" && imatrixPath != "":
		return fmt.Errorf("--imatrix and --calibration both give an importance matrix; give one")
	case c.text != "" && c.ctx < 4:
		return fmt.Errorf("--calibration-ctx %d: at least 4", c.ctx)
	}
	if c.saveImatrix != "" {
		if c.saveImatrix == out {
			return fmt.Errorf("--save-imatrix %s is the quantized output", out)
		}
		if err := checkOutput(cmd, c.saveImatrix, input, c.text); err != nil {
			return fmt.Errorf("--save-imatrix: %w", err)
		}
	}
	return nil
}

// imatrix computes the importance matrix of input on the calibration text,
// writes it when asked and returns it as quantize uses it. It is recorded
// in the output (quantize.imatrix.file) under the --save-imatrix name, or
// else the text's.
func (c *calibration) imatrix(cmd *cobra.Command, input, out string, threads int) (*quantize.Imatrix, error) {
	errw := cmd.ErrOrStderr()
	fmt.Fprintf(errw, "%s: computing the importance matrix of %s on %s (chunks of %d tokens)\n",
		cmd.CommandPath(), input, c.text, c.ctx)
	var bar *progress.Bar
	cfg := collect.Config{Ctx: c.ctx, Chunks: c.chunks, Threads: threads,
		OnChunk: func(done, total int, _ float64) {
			if bar == nil {
				bar = progress.New(errw, int64(total), "imatrix")
			}
			bar.Add(1)
		}}
	set := imatrix.NewSet(c.ctx)
	res, err := collect.Calibrate(cmd.Context(), input, c.text, filepath.Dir(out), set, cfg)
	bar.Finish()
	if err != nil {
		return nil, fmt.Errorf("--calibration: %w", err)
	}
	f := set.File(c.text)
	f.Path = c.text
	if c.saveImatrix != "" {
		write := set.WriteGGUF
		if strings.HasSuffix(c.saveImatrix, ".dat") {
			write = set.WriteDat
		}
		if err := write(c.saveImatrix, c.text); err != nil {
			return nil, fmt.Errorf("--save-imatrix: %w", err)
		}
		f.Path = c.saveImatrix
		if strings.HasSuffix(c.saveImatrix, ".dat") {
			// Quantize exactly as from the file written.
			if f, err = imatrix.Read(c.saveImatrix); err != nil {
				return nil, err
			}
		}
	}
	fmt.Fprintf(errw, "%s: importance matrix: %d entries from %d chunks of %d tokens in %.1f s\n",
		cmd.CommandPath(), len(f.Entries), res.Chunks, res.ChunkSize, res.Seconds)
	return quantize.FromFile(f), nil
}
