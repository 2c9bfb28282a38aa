// Command zq converts Hugging Face Llama/Mistral checkpoints to GGUF,
// quantizes them the way llama.cpp does and measures what quantization costs.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCmd().ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "zq:", err)
		os.Exit(1)
	}
}
