package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// sameMeaning lists long flags that share a short one on purpose, as in
// llama.cpp: -p is the prompt (its text for generate, its length in tokens
// for llama-bench-style commands), -n the number of tokens to generate.
var sameMeaning = map[string]string{"n-prompt": "prompt", "n-gen": "n-predict"}

// TestShortFlagsOneMeaning checks every subcommand: a short flag means the
// same long flag everywhere, -t is --threads (as in llama.cpp's tools, 0 =
// all cores), and every command that computes takes --threads.
func TestShortFlagsOneMeaning(t *testing.T) {
	meaning := map[string]string{} // shorthand -> "name (first command)"
	threads := map[string]bool{}
	for _, c := range newRootCmd().Commands() {
		if f := c.Flags().Lookup("threads"); f != nil {
			threads[c.Name()] = true
			if f.Shorthand != "t" || (f.Value.Type() == "int" && f.DefValue != "0") {
				t.Errorf("zq %s --threads: shorthand %q, default %s; want -t, 0 (all cores)", c.Name(), f.Shorthand, f.DefValue)
			}
		}
		for _, r := range "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" {
			f := c.Flags().ShorthandLookup(string(r))
			if f == nil {
				continue
			}
			name := f.Name
			if m, ok := sameMeaning[name]; ok {
				name = m
			}
			if prev, ok := meaning[f.Shorthand]; ok && !strings.HasPrefix(prev, name+" ") {
				t.Errorf("-%s is --%s in zq %s but %s", f.Shorthand, f.Name, c.Name(), prev)
			}
			meaning[f.Shorthand] = name + " (zq " + c.Name() + ")"
		}
	}
	if m := meaning["t"]; !strings.HasPrefix(m, "threads ") {
		t.Errorf("-t is %s, want --threads", m)
	}
	for _, name := range []string{"convert", "quantize", "verify", "generate"} {
		if !threads[name] {
			t.Errorf("zq %s has no --threads", name)
		}
	}
}

// TestThreadsFlag checks that --threads has one range everywhere: 0 means
// all cores, negative or absurd values are errors, and quantize's
// optional THREADS argument follows the same rule.
func TestThreadsFlag(t *testing.T) {
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "x.gguf")
	commands := map[string][]string{
		"convert":  {"convert", microDir, "-o", out},
		"quantize": {"quantize", f16GGUF, out, "--type", "q4_0"},
		"verify":   {"verify", f16GGUF, "--text", devText, "--ctx", "64", "--chunks", "1"},
		"generate": {"generate", f16GGUF, "-p", "The", "-n", "1"},
	}
	for name, args := range commands {
		for _, tc := range []struct {
			threads string
			ok      bool
		}{{"0", true}, {"1", true}, {"-1", false}, {"1025", false}} {
			r := zq(t, ctx, append(append([]string{}, args...), "-t", tc.threads)...)
			if (r.code == 0) != tc.ok {
				t.Errorf("zq %s -t %s: exit %d (%s)", name, tc.threads, r.code, strings.TrimSpace(r.stderr))
			}
			if !tc.ok && !strings.Contains(r.stderr, "--threads "+tc.threads+": expected 0 (all CPU cores)") {
				t.Errorf("zq %s -t %s: message %q", name, tc.threads, r.stderr)
			}
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"quantize", f16GGUF, out, "--", "q4_0", "-1"}, "--threads -1"},
		{[]string{"quantize", f16GGUF, out, "q4_0", "two"}, `THREADS argument "two" is not a number`},
		{[]string{"quantize", f16GGUF, out, "q4_0", "2", "-t", "2"}, "threads given twice"},
		{[]string{"quantize", f16GGUF, out, "q4_k_m", "--type", "q4_k_m"}, "type given twice"},
		{[]string{"quantize", f16GGUF, out, "q4_k_m", "--type", "q5_0"}, "type given twice"},
		// The old meaning of -t (type) is gone: -t 8 is eight threads, not Q5_0.
		{[]string{"quantize", f16GGUF, out, "-t", "q4_k_m"}, `invalid argument "q4_k_m" for "-t, --threads"`},
		{[]string{"quantize", f16GGUF, out, "-t", "8"}, "no quantization type"},
	} {
		r := zq(t, ctx, tc.args...)
		if r.code == 0 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("zq %v: exit %d, stderr %q; want %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}
