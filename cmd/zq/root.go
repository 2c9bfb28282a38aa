package main

import (
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise
// the module version recorded by `go install` is used.
var version = ""

func zqVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "zq",
		Short: "Convert, quantize and verify GGUF models for llama.cpp, ollama and LM Studio",
		Long: `zq turns a Hugging Face Llama/Mistral checkpoint into GGUF files that
llama.cpp, ollama and LM Studio load, quantizes them byte-identically to
llama-quantize, and measures how much quality each quantization loses.`,
		Version:       zqVersion(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(subcommands()...)
	return root
}

// subcommands lists every zq subcommand; each lives in its own file.
func subcommands() []*cobra.Command {
	return []*cobra.Command{
		newInspectCmd(),
		newQuantizeCmd(),
		newConvertCmd(),
		newVerifyCmd(),
		newGenerateCmd(),
		newProfileCmd(),
		newBenchCmd(),
		newImatrixCmd(),
	}
}
