// Command gencheckpoint writes a synthetic Hugging Face Llama/Mistral
// checkpoint for tests and benchmarks:
//
//	go run ./testdata/gencheckpoint -preset zephyr-7b -o /tmp/zephyr-synth
//
// Presets: micro, 1b, zephyr-7b. Weights are seeded BF16 values with heavy
// tails and a few outlier columns; tokenizer files are copied from
// testdata/micro-mistral.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/zqtool/zq/testdata/gencheckpoint/synth"
)

func main() {
	preset := flag.String("preset", "micro", "shape: micro, 1b or zephyr-7b")
	out := flag.String("o", "", "output directory (required)")
	seed := flag.Uint64("seed", 1, "weight seed")
	tok := flag.String("tokenizer", "testdata/micro-mistral", "directory to copy tokenizer files from (\"\" for none)")
	dtype := flag.String("dtype", "BF16", "weight dtype: BF16, F16 or F32")
	layers := flag.Int("layers", 0, "override the preset's layer count")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gencheckpoint: -o DIR is required")
		os.Exit(2)
	}
	spec, err := synth.Preset(*preset)
	if err == nil {
		spec.DType = *dtype
		if *layers > 0 {
			spec.Layers = *layers
		}
		err = synth.Generate(*out, spec, synth.Options{Seed: *seed, TokenizerDir: *tok})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencheckpoint:", err)
		os.Exit(1)
	}
}
