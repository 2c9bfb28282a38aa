package verify

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteTable prints the report as an aligned plain-text table.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	pv := r.Provenance
	row := func(name, format string, args ...any) {
		fmt.Fprintf(tw, "%s\t"+format+"\n", append([]any{name}, args...)...)
	}
	row("chunks", "%d × %d tokens (%d scored each, %d scored in all)", pv.Chunks, pv.Ctx, pv.ScoredPerChunk, r.Model.Tokens)
	row("PPL(model)", "%.4f ± %.5f", r.Model.PPL, r.Model.Uncertainty)
	if r.Base != nil {
		row("PPL(base)", "%.4f ± %.5f", r.Base.PPL, r.Base.Uncertainty)
	}
	if c := r.Comparison; c != nil {
		row("Cor(ln PPL(Q), ln PPL(base))", "%.2f%%", 100*c.Correlation)
		row("ln(PPL(Q)/PPL(base))", "%.6f ± %.6f", c.LnPPLRatio.Value, c.LnPPLRatio.Uncertainty)
		row("PPL(Q)/PPL(base)", "%.6f ± %.6f", c.PPLRatio.Value, c.PPLRatio.Uncertainty)
		row("ΔPPL = PPL(Q)−PPL(base)", "%.6f ± %.6f", c.DeltaPPL.Value, c.DeltaPPL.Uncertainty)
		row(fmt.Sprintf("KLD (top-%d + rest)", pv.TopK), "mean %.6f ± %.6f", c.KLD.Mean, c.KLD.Uncertainty)
		row("  median / 90% / 95%", "%.6f / %.6f / %.6f", c.KLD.Median, c.KLD.P90, c.KLD.P95)
		row("  99% / 99.9% / max", "%.6f / %.6f / %.6f", c.KLD.P99, c.KLD.P99_9, c.KLD.Max)
		row("Δp (next token)", "mean %.3f ± %.3f %%, RMS %.3f ± %.3f %%", 100*c.DeltaP.Mean, 100*c.DeltaP.Uncertainty, 100*c.RMSDeltaP.Value, 100*c.RMSDeltaP.Uncertainty)
		row("  min / median / max", "%.3f%% / %.3f%% / %.3f%%", 100*c.DeltaP.Min, 100*c.DeltaP.Median, 100*c.DeltaP.Max)
		row("RMS Δp (base top token)", "%.3f %%", 100*c.RMSDeltaPTop)
		row("same top-1", "%.3f ± %.3f %%", 100*c.SameTop1.Value, 100*c.SameTop1.Uncertainty)
		row("logit drift |Δlogit|", "max %.4f, RMS %.4f", c.LogitDriftMax, c.LogitDriftRMS)
	}
	fwd := pv.ForwardPath
	if pv.CacheK != "" {
		fwd += fmt.Sprintf(" (KV cache %s/%s)", pv.CacheK, pv.CacheV)
	}
	row("forward pass", "%s, CPU %s", fwd, pv.CPUFeatures)
	row("time", "%.1f s (model %.0f tokens/s)", r.Timing.Seconds, r.Timing.ModelTokensPerS)
	return tw.Flush()
}
