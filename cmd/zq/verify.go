package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/zqtool/zq/verify"
)

func newVerifyCmd() *cobra.Command {
	var cfg verify.Config
	var asJSON bool
	var fwd forwardFlags
	cmd := &cobra.Command{
		Use:   "verify MODEL.gguf [MODEL.gguf...] --text FILE [--base F16.gguf | --load-base FILE]",
		Short: "Measure perplexity and, against a base model, KL divergence the way llama-perplexity does",
		Long: fmt.Sprintf(`Measure the perplexity of a llama-architecture GGUF model on a text exactly as
llama-perplexity does: the text is tokenized once, cut into chunks of --ctx
tokens whose first token is replaced by BOS, and only the second half of each
chunk is scored; the running estimate and its ± (one standard error) follow.

With --base, the same chunks also go through the base model (normally the F16
file) and every scored token is compared: KL divergence (mean ± uncertainty,
median, 90/95/99/99.9 percentiles, max), ΔPPL and ln(PPL ratio), same top-1
percentage, RMS Δp of the next token and of the base's top token, and logit
drift. The text must hold at least two contexts of tokens.

--save-base FILE keeps the base's statistics (the model's own when --base is
not given) so later runs use --load-base FILE instead of evaluating the base
again; the text and context then come from the file. The file is compact: per
scored token it keeps the base's top-k tokens (--top-k, default %d) with their
log-probabilities rather than the whole vocabulary (llama.cpp's base files
hold 2 bytes per vocabulary entry per token, gigabytes for a 32k vocabulary).
The KL divergence is exact over those k tokens; the rest of the vocabulary is
counted as one bucket plus an estimate of the disagreement inside it, which
matters little once the top-k hold most of the probability — k = %d keeps the
mean within a few percent of the full-vocabulary value even on the flat
distributions of the bundled micro model.

Several models may be given: the base is then evaluated once and each model
is compared with it, and a summary prints one line per model (type, size,
bits per weight, PPL, ΔPPL, mean KLD, same top-1).

The forward pass is the fast one by default: activations are quantized to
the type ggml pairs with each weight type and multiplied by fused integer
kernels, with an F16 KV cache (--cache-type-k/-v f16|q8_0|f32) and streaming
attention, as llama.cpp's CPU backend computes. --reference selects the
reference forward pass instead: every weight row decoded to float32, float32
activations and KV cache, exact softmax (slow; the yardstick the fast path is
tested against). The provenance records which was used and the CPU features.

Every model, the base, the text and the --save-base output are checked before
any evaluation starts. Ctrl-C (or SIGTERM) stops within about a second.

--json prints one object {"reports": [...]} with one report per model (the
same shape for one model as for several), each with every number and a
provenance block (sha256 of the model, base and text, the vocabulary hash,
ctx, chunks scored, zq version) so two runs can be compared honestly.`, verify.DefaultTopK, verify.DefaultTopK),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return positional([]string{"MODEL.gguf"})(cmd, args)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg.Progress = cmd.ErrOrStderr()
			cfg.Version = zqVersion()
			if err := checkThreads(cfg.Threads); err != nil {
				return err
			}
			var err error
			if cfg.Forward, err = fwd.options(cmd); err != nil {
				return err
			}
			if cfg.SaveBase != "" {
				inputs := append([]string{cfg.Base, cfg.Text, cfg.LoadBase}, args...)
				if err := checkOutput(cmd, cfg.SaveBase, inputs...); err != nil {
					return fmt.Errorf("--save-base: %w", err)
				}
			}
			reps, err := verify.RunMany(cmd.Context(), cfg, args)
			if err != nil {
				return err
			}
			switch {
			case asJSON:
				return writeJSON(cmd.OutOrStdout(), verifyJSON{reps})
			case len(reps) == 1:
				return reps[0].WriteTable(cmd.OutOrStdout())
			}
			return verify.WriteSummary(cmd.OutOrStdout(), reps)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Base, "base", "", "base GGUF model to compare against (usually the F16 file)")
	f.StringVar(&cfg.Text, "text", "", "evaluation text file (required unless --load-base is given)")
	f.IntVar(&cfg.Ctx, "ctx", 0, fmt.Sprintf("tokens per chunk (default %d, or the loaded base's)", verify.DefaultCtx))
	f.IntVar(&cfg.Chunks, "chunks", 0, "evaluate at most this many chunks (default all)")
	addThreads(cmd, &cfg.Threads)
	f.IntVar(&cfg.TopK, "top-k", verify.DefaultTopK, "base tokens kept per scored position in --save-base files")
	f.StringVar(&cfg.SaveBase, "save-base", "", "write the base's statistics to this file")
	f.StringVar(&cfg.LoadBase, "load-base", "", "compare against base statistics saved with --save-base")
	addForward(cmd, &fwd)
	f.BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}

// verifyJSON is zq verify's --json output: one report per model, whatever
// their number.
type verifyJSON struct {
	Reports []*verify.Report `json:"reports"`
}
