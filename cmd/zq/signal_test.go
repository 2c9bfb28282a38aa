package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary act as zq itself (ZQ_TEST_AS_ZQ=1), so the
// signal tests run the real main without building a binary.
func TestMain(m *testing.M) {
	if os.Getenv("ZQ_TEST_AS_ZQ") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// TestSignalsStopLongWork starts jobs that would compute for minutes
// (a 16k-token verify chunk, a 30k-token prompt), signals them while they
// evaluate, and checks that they stop promptly with the shell's status for
// the signal (130, 143), a one-line message and no temporary files.
func TestSignalsStopLongWork(t *testing.T) {
	if testing.Short() {
		t.Skip("runs subprocesses")
	}
	prompt, err := os.ReadFile(devText)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		sig    syscall.Signal
		status int
		args   func(dir string) []string
	}{
		{"verify SIGINT", syscall.SIGINT, 130, func(dir string) []string {
			return []string{"verify", f16GGUF, "--text", devText, "--ctx", "16384", "--save-base", filepath.Join(dir, "base.zqb")}
		}},
		{"verify SIGTERM", syscall.SIGTERM, 143, func(dir string) []string {
			return []string{"verify", q4GGUF, "--base", f16GGUF, "--text", devText, "--ctx", "16384", "-t", "2"}
		}},
		{"imatrix SIGINT", syscall.SIGINT, 130, func(dir string) []string {
			return []string{"imatrix", f16GGUF, "-f", devText, "-c", "16384", "-o", filepath.Join(dir, "imatrix.gguf")}
		}},
		{"generate SIGINT", syscall.SIGINT, 130, func(dir string) []string {
			return []string{"generate", f16GGUF, "-p", string(prompt[:100000]), "-n", "8"}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(os.Args[0], tc.args(dir)...)
			cmd.Env = append(os.Environ(), "ZQ_TEST_AS_ZQ=1")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				t.Fatalf("finished before the signal: %v\n%s", err, stderr.String())
			case <-time.After(1500 * time.Millisecond):
			}
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			var werr error
			select {
			case werr = <-done:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("still running 30 s after %v", tc.sig)
			}
			var ee *exec.ExitError
			if !errors.As(werr, &ee) || ee.ExitCode() != tc.status {
				t.Errorf("exit %v, want status %d", werr, tc.status)
			}
			msg := stderr.String()
			if strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "interrupted by "+map[syscall.Signal]string{syscall.SIGINT: "SIGINT", syscall.SIGTERM: "SIGTERM"}[tc.sig]) ||
				strings.Contains(msg, "context canceled") {
				t.Errorf("stderr %q; want one line saying it was interrupted", msg)
			}
			if left, _ := os.ReadDir(dir); len(left) > 0 {
				t.Errorf("left in the output directory: %v", left)
			}
		})
	}
}
