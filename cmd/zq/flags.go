package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/zqtool/zq/internal/outfile"
	"github.com/zqtool/zq/model"
)

// maxThreads is the largest --threads any command accepts.
const maxThreads = 1024

// addThreads registers --threads/-t, which means the same in every command
// (as in every llama.cpp tool): worker threads, 0 for all CPU cores.
func addThreads(cmd *cobra.Command, p *int) {
	cmd.Flags().IntVarP(p, "threads", "t", 0, "worker threads (0 = all CPU cores)")
}

// checkThreads validates a --threads value (or quantize's THREADS argument).
func checkThreads(n int) error {
	if n < 0 || n > maxThreads {
		return fmt.Errorf("--threads %d: expected 0 (all CPU cores) … %d", n, maxThreads)
	}
	return nil
}

// positional checks a command's positional arguments against their names,
// so a missing one is reported by name ("missing OUTPUT"). optional names
// may be left out from the end.
func positional(required []string, optional ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < len(required) {
			return fmt.Errorf("missing %s (usage: %s)", strings.Join(required[len(args):], " and "), cmd.UseLine())
		}
		if max := len(required) + len(optional); len(args) > max {
			return fmt.Errorf("too many arguments: %q is not expected (usage: %s)", args[max:], cmd.UseLine())
		}
		return nil
	}
}

// checkOutput validates an output path before any long work (see
// package outfile) and says on stderr when an existing file will be
// replaced: zq, like llama.cpp, overwrites outputs, but never an input.
func checkOutput(cmd *cobra.Command, out string, inputs ...string) error {
	replaces, err := outfile.Check(out, inputs...)
	if err != nil {
		return err
	}
	if replaces {
		fmt.Fprintf(cmd.ErrOrStderr(), "%s: overwriting %s\n", cmd.CommandPath(), out)
	}
	return nil
}

// forwardFlags are the forward-pass options of verify and generate.
type forwardFlags struct {
	reference      bool
	cacheK, cacheV string
}

// addForward registers --reference and --cache-type-k/-v.
func addForward(cmd *cobra.Command, f *forwardFlags) {
	fl := cmd.Flags()
	fl.BoolVar(&f.reference, "reference", false, "use the reference forward pass (float32 weights rows, activations and KV cache; slow) instead of the fast quantized-activation kernels")
	fl.StringVar(&f.cacheK, "cache-type-k", "f16", "KV cache type for K on the fast path: f16, q8_0 or f32")
	fl.StringVar(&f.cacheV, "cache-type-v", "f16", "KV cache type for V on the fast path: f16, q8_0 or f32")
}

// options checks the flags and returns the model options they select.
func (f *forwardFlags) options(cmd *cobra.Command) (model.Options, error) {
	o := model.Options{Reference: f.reference}
	var err error
	if o.CacheK, err = model.ParseCacheType(f.cacheK); err != nil {
		return o, fmt.Errorf("--cache-type-k: %w", err)
	}
	if o.CacheV, err = model.ParseCacheType(f.cacheV); err != nil {
		return o, fmt.Errorf("--cache-type-v: %w", err)
	}
	if f.reference && (cmd.Flags().Changed("cache-type-k") || cmd.Flags().Changed("cache-type-v")) {
		return o, fmt.Errorf("--reference keeps a float32 KV cache; --cache-type-k/-v apply to the fast path only")
	}
	return o, nil
}
