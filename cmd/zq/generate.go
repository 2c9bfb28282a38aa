package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/zqtool/zq/internal/finite"
	"github.com/zqtool/zq/model"
	"github.com/zqtool/zq/tokenizer"
	"github.com/zqtool/zq/verify"
)

// generateResult is zq generate's --json output.
type generateResult struct {
	Prompt          string  `json:"prompt"`
	PromptIDs       []int32 `json:"prompt_ids"`
	IDs             []int32 `json:"ids"`
	Text            string  `json:"text"`
	PromptSeconds   float64 `json:"prompt_seconds"`
	PromptTokPerS   float64 `json:"prompt_tokens_per_second"`
	GenerateSeconds float64 `json:"generate_seconds"`
	GenerateTokPerS float64 `json:"generate_tokens_per_second"`
}

func newGenerateCmd() *cobra.Command {
	var (
		prompt  string
		n       int
		threads int
		asJSON  bool
		fwd     forwardFlags
	)
	cmd := &cobra.Command{
		Use:   "generate MODEL.gguf -p TEXT [-n N]",
		Short: "Greedy text generation (a smoke test of the forward pass)",
		Long: `Continue a prompt with the most likely token at every step, as llama.cpp's
llama-simple does (BOS added, special tokens in the prompt parsed), printing the
prompt and each token as it comes. --json prints the token ids, the text and
the prompt and generation speeds instead. The fast forward pass is used unless
--reference is given (see zq verify --help).`,
		Args: positional([]string{"MODEL.gguf"}),
		RunE: func(cmd *cobra.Command, args []string) error {
			if n < 1 {
				return fmt.Errorf("-n %d: at least one token must be generated", n)
			}
			if err := checkThreads(threads); err != nil {
				return err
			}
			if err := verify.CheckModelPath(args[0], "generate"); err != nil {
				return err
			}
			m, err := model.Open(args[0])
			if err != nil {
				return err
			}
			defer m.Close()
			tok, err := tokenizer.FromMetadata(m.Metadata)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			ids := tok.Encode(prompt, true, true)
			if len(ids) == 0 {
				return fmt.Errorf("the prompt gives no tokens")
			}
			opts, err := fwd.options(cmd)
			if err != nil {
				return err
			}
			c, err := m.NewContextWith(len(ids)+n, opts)
			if err != nil {
				return err
			}
			defer c.Close()
			if threads > 0 {
				c.Threads = threads
			}
			c.SetCancel(cmd.Context())
			out := cmd.OutOrStdout()
			emit := func(id int32) error { return nil }
			if !asJSON {
				for _, id := range ids {
					fmt.Fprint(out, tok.Piece(id, true))
				}
				emit = func(id int32) error {
					_, err := fmt.Fprint(out, tok.Piece(id, true))
					return err
				}
			}
			gen, st, err := model.Greedy(cmd.Context(), c, ids, n, tok.IsEOG, emit)
			if errors.Is(err, model.ErrNonFiniteLogits) {
				if !asJSON {
					fmt.Fprintln(out)
				}
				return nonFinite(args[0], err)
			}
			if err != nil {
				return err
			}
			if !asJSON {
				_, err := fmt.Fprintln(out)
				return err
			}
			r := generateResult{Prompt: prompt, PromptIDs: ids, IDs: gen, Text: tok.Decode(gen),
				PromptSeconds: st.PromptDuration.Seconds(), GenerateSeconds: st.GenerateDuration.Seconds()}
			if s := st.PromptDuration.Seconds(); s > 0 {
				r.PromptTokPerS = float64(st.PromptTokens) / s
			}
			if s := st.GenerateDuration.Seconds(); s > 0 {
				r.GenerateTokPerS = float64(st.Generated) / s
			}
			if r.IDs == nil {
				r.IDs = []int32{}
			}
			return writeJSON(out, r)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&prompt, "prompt", "p", "", "prompt text")
	f.IntVarP(&n, "n-predict", "n", 32, "number of tokens to generate")
	addThreads(cmd, &threads)
	addForward(cmd, &fwd)
	f.BoolVar(&asJSON, "json", false, "print token ids and timings as JSON")
	cmd.MarkFlagRequired("prompt")
	return cmd
}

// nonFinite explains non-finite logits, naming the model and, when one
// holds a NaN or infinity, its first bad tensor.
func nonFinite(path string, err error) error {
	bad, ferr := finite.FirstBadTensor(path)
	switch {
	case ferr == nil && bad != nil:
		return fmt.Errorf("%s: %w; its first bad weight: %s", path, err, bad)
	case ferr == nil:
		return fmt.Errorf("%s: %w; its weights are all finite, so the activations overflowed", path, err)
	}
	return fmt.Errorf("%s: %w", path, err)
}
