package main

import (
	"github.com/spf13/cobra"
	"github.com/zqtool/zq/inspect"
)

func newInspectCmd() *cobra.Command {
	var opts inspect.Options
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "inspect PATH",
		Short: "Show the metadata and tensors of a GGUF file, a safetensors file, a model directory or an importance matrix",
		Long: `Show the metadata and tensors of a GGUF file, a .safetensors file or a Hugging
Face model directory (sharded with model.safetensors.index.json or not).

Arrays longer than 64 entries are summarized by their length, first entries and
the sha256 of their JSON text (as llama.cpp's gguf-py dumps hash them); --full
prints them whole. --json prints one JSON object whose "kv_order", "kv" and
"tensors" fields have the layout of gguf-py dumps.

An importance matrix (llama-imatrix's GGUF format, or its legacy .dat format)
also shows its datasets, chunk count and size, and per weight the statistics
of its importance values in_sum2/count: values, matrices, tokens counted (.dat:
chunks), mean, min, max, standard deviation and the share above 1e-5 (the
"imatrix" object in --json).`,
		Args: positional([]string{"PATH"}),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := inspect.Path(args[0], opts)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), r)
			}
			return r.WriteText(cmd.OutOrStdout(), opts.Full)
		},
	}
	cmd.Flags().BoolVar(&opts.Full, "full", false, "print long arrays and strings in full")
	cmd.Flags().BoolVar(&opts.SHA256, "sha256", false, "hash each tensor's data and the whole file")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
