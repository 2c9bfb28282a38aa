// Command zq converts Hugging Face Llama/Mistral checkpoints to GGUF,
// quantizes them the way llama.cpp does and measures what quantization costs.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run executes zq with args and returns the exit status: 0 on success, 1
// on an error (printed to stderr as "zq CMD: message"), and 128+N when
// signal N (SIGINT, SIGTERM) stopped the work: the first signal cancels the
// command's context, which every long loop checks, so outputs are removed
// and the command returns within about a second; a second signal exits at
// once.
func run(parent context.Context, args []string, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer close(sigs)
	defer signal.Stop(sigs)
	var got atomic.Value // the first signal received
	go func() {
		s, ok := <-sigs
		if !ok {
			return
		}
		got.Store(s)
		cancel()
		if s, ok := <-sigs; ok {
			fmt.Fprintf(stderr, "zq: %s again: stopping at once\n", signalName(s))
			os.Exit(signalStatus(s))
		}
	}()

	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return 0
	}
	name := "zq"
	if cmd != nil {
		name = cmd.CommandPath()
	}
	if s, ok := got.Load().(os.Signal); ok {
		fmt.Fprintf(stderr, "%s: interrupted by %s\n", name, signalName(s))
		return signalStatus(s)
	}
	fmt.Fprintf(stderr, "%s: %v\n", name, err)
	return 1
}

// signalName is the conventional name of the signals zq handles.
func signalName(s os.Signal) string {
	if s == syscall.SIGTERM {
		return "SIGTERM"
	}
	return "SIGINT"
}

// signalStatus is the shell's exit status for a process stopped by s:
// 130 for SIGINT, 143 for SIGTERM.
func signalStatus(s os.Signal) int {
	if s == syscall.SIGTERM {
		return 128 + int(syscall.SIGTERM)
	}
	return 128 + int(syscall.SIGINT)
}
