package verify

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
)

// RunMany verifies several models against one base. The base is evaluated
// once: its statistics are saved (to cfg.SaveBase, or a temporary file) by
// the first run and loaded by the others, so every model is compared with
// exactly the same numbers. cfg.Model is ignored.
func RunMany(ctx context.Context, cfg Config, models []string) ([]*Report, error) {
	if err := Check(cfg, models); err != nil {
		return nil, err
	}
	if len(models) == 1 || cfg.Base == "" {
		var reps []*Report
		for _, m := range models {
			c := cfg
			c.Model = m
			r, err := Run(ctx, c)
			if err != nil {
				return nil, err
			}
			reps = append(reps, r)
		}
		return reps, nil
	}
	first := cfg
	first.Model = models[0]
	if first.SaveBase == "" {
		dir, err := os.MkdirTemp("", "zq-verify-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		first.SaveBase = filepath.Join(dir, "base.zqb")
	}
	r0, err := Run(ctx, first)
	if err != nil {
		return nil, err
	}
	reps := []*Report{r0}
	for _, m := range models[1:] {
		c := cfg
		c.Model, c.Base, c.SaveBase, c.LoadBase = m, "", "", first.SaveBase
		r, err := Run(ctx, c)
		if err != nil {
			return nil, err
		}
		// The base's own perplexity is only known from the live run.
		r.Base = r0.Base
		reps = append(reps, r)
	}
	return reps, nil
}

// WriteSummary prints one line per model (and one for their base): type,
// size, bits per weight, perplexity, ΔPPL, mean KLD and top-1 agreement.
func WriteSummary(w io.Writer, reps []*Report) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "model\ttype\tsize MiB\tbits/weight\tPPL\tΔPPL\tKLD mean\tsame top-1\t")
	line := func(r *ModelResult, cmp *Comparison) {
		dppl, kld, top := "—", "—", "—"
		if cmp != nil {
			dppl = fmt.Sprintf("%+.4f", cmp.DeltaPPL.Value)
			kld = fmt.Sprintf("%.6f", cmp.KLD.Mean)
			top = fmt.Sprintf("%.2f%%", 100*cmp.SameTop1.Value)
		}
		fmt.Fprintf(tw, "%s\t%s\t%.2f\t%.2f\t%.4f ± %.4f\t%s\t%s\t%s\t\n", filepath.Base(r.Path), r.FileType,
			float64(r.SizeBytes)/(1<<20), r.BitsPerWeight, r.PPL, r.Uncertainty, dppl, kld, top)
	}
	if len(reps) > 0 && reps[0].Base != nil && reps[0].Base.FileType != "" {
		line(reps[0].Base, nil)
	}
	for _, r := range reps {
		line(&r.Model, r.Comparison)
	}
	if len(reps) > 0 {
		pv := reps[0].Provenance
		fmt.Fprintf(tw, "\n%d chunks × %d tokens, %d tokens scored per model\n", pv.Chunks, pv.Ctx, reps[0].Model.Tokens)
	}
	return tw.Flush()
}
