package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/zqtool/zq/convert"
)

func newConvertCmd() *cobra.Command {
	var out, outType string
	var threads int
	var asJSON, dryRun bool
	cmd := &cobra.Command{
		Use:   "convert MODEL_DIR",
		Short: "Convert a Hugging Face Llama/Mistral checkpoint to GGUF, as llama.cpp's converter does",
		Long: `Convert a Hugging Face LlamaForCausalLM or MistralForCausalLM checkpoint
(config.json, safetensors shards, tokenizer files) to a GGUF file identical to
the one llama.cpp's convert_hf_to_gguf.py writes.

--outtype auto (the default) keeps bf16 checkpoints bf16 and everything else
f16; norms always stay f32. Without -o the file is named like llama.cpp names
it (<Name>-<SizeLabel>-<TYPE>.gguf) and written next to MODEL_DIR; -o may name
a file or an existing directory; an existing file is replaced (as llama.cpp
does, with a note on stderr), but never one of the model's own files.
--dry-run prints the plan instead.`,
		Args: positional([]string{"MODEL_DIR"}),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkThreads(threads); err != nil {
				return err
			}
			p, err := convert.NewPlan(args[0], convert.Options{OutType: outType, Threads: threads})
			if err != nil {
				return err
			}
			defer p.Close()
			path, err := p.OutputPath(out)
			if err != nil {
				return err
			}
			if dryRun {
				return printPlan(cmd, p, path, asJSON)
			}
			if err := checkOutput(cmd, path, p.Dir()); err != nil {
				return err
			}
			sum, err := convert.Execute(cmd.Context(), p, path, convert.ExecOptions{Threads: threads, Progress: cmd.ErrOrStderr()})
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), sum)
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), sum)
			return err
		},
	}
	cmd.Flags().StringVarP(&out, "outfile", "o", "", "output file or directory (default: llama.cpp's name, beside MODEL_DIR)")
	cmd.Flags().StringVar(&outType, "outtype", "auto", "output type: "+strings.Join(convert.OutTypes, ", "))
	addThreads(cmd, &threads)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary (or plan) as one JSON object")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print the conversion plan without writing anything")
	return cmd
}

// printPlan shows what a conversion would do.
func printPlan(cmd *cobra.Command, p *convert.Plan, path string, asJSON bool) error {
	if asJSON {
		return writeJSON(cmd.OutOrStdout(), struct {
			Output     string         `json:"output"`
			FileType   string         `json:"file_type"`
			FileTypeID uint32         `json:"file_type_id"`
			Parameters uint64         `json:"parameters"`
			Steps      []convert.Step `json:"tensors"`
		}{path, p.FileType().String(), uint32(p.FileType()), p.ParameterCount(), p.Steps()})
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "output: %s (%s, %d parameters)\n", path, p.FileType(), p.ParameterCount())
	for _, kv := range p.Metadata() {
		val := fmt.Sprint(kv.Value.Any())
		if a, ok := kv.Value.AsArray(); ok {
			val = fmt.Sprintf("%s of %d", kv.Value.Describe(), a.Len())
		}
		fmt.Fprintf(w, "  %-40s %.80q\n", kv.Key, val)
	}
	for _, s := range p.Steps() {
		fmt.Fprintln(w, " ", s)
	}
	return nil
}
