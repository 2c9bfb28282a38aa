package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zqtool/zq/internal/testutil"
)

// TestNeverOverwritesInput checks that no command replaces one of its
// inputs, whether the output names it by the same path, another spelling,
// a hard link or a symbolic link, and that the input is left unchanged.
func TestNeverOverwritesInput(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	in := filepath.Join(dir, "in.gguf")
	copyFile(t, f16GGUF, in)
	hard := filepath.Join(dir, "hard.gguf")
	if err := os.Link(in, hard); err != nil {
		t.Fatal(err)
	}
	soft := filepath.Join(dir, "soft.gguf")
	if err := os.Symlink("in.gguf", soft); err != nil {
		t.Fatal(err)
	}
	model := testutil.CopyDir(t, microDir)
	shard := filepath.Join(model, "model-00001-of-00002.safetensors")
	text := filepath.Join(dir, "dev.txt")
	copyFile(t, devText, text)
	watched := []string{in, shard, text, filepath.Join(model, "config.json")}
	before := map[string]string{}
	for _, p := range watched {
		before[p] = fileSHA256(t, p)
	}

	for _, tc := range []struct {
		name string
		args []string
	}{
		{"quantize onto its input", []string{"quantize", in, in, "--type", "q4_0"}},
		{"quantize onto its input, other spelling", []string{"quantize", in, filepath.Join(dir, ".", "sub", "..", "in.gguf"), "q4_0"}},
		{"quantize onto a hard link of its input", []string{"quantize", in, hard, "--type", "q4_0"}},
		{"quantize onto a symbolic link to its input", []string{"quantize", soft, in, "--type", "q4_0"}},
		{"quantize a directory onto its shard", []string{"quantize", model, shard, "--type", "q8_0"}},
		{"convert onto a shard", []string{"convert", model, "-o", shard}},
		{"convert onto config.json", []string{"convert", model, "-o", filepath.Join(model, "config.json")}},
		{"verify --save-base onto the model", []string{"verify", in, "--text", text, "--ctx", "64", "--chunks", "2", "--save-base", in}},
		{"verify --save-base onto the text", []string{"verify", in, "--text", text, "--ctx", "64", "--chunks", "2", "--save-base", text}},
		{"verify --save-base onto the base", []string{"verify", in, "--base", hard, "--text", text, "--ctx", "64", "--chunks", "2", "--save-base", hard}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := zq(t, ctx, tc.args...)
			if r.code == 0 || !strings.Contains(r.stderr, "refusing to overwrite") {
				t.Errorf("exit %d, stderr %q; want a refusal", r.code, r.stderr)
			}
		})
	}
	for _, p := range watched {
		if fileSHA256(t, p) != before[p] {
			t.Errorf("%s was modified", p)
		}
	}
	if left := tempLeftovers(t, dir); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// TestOverwritingSaysSo checks that an existing output that is not an
// input is replaced (as llama.cpp does) with a note on stderr, and that a
// new output gets no note.
func TestOverwritingSaysSo(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	out := filepath.Join(dir, "out.gguf")
	base := filepath.Join(dir, "base.zqb")
	for _, tc := range []struct {
		name string
		args []string
		path string
	}{
		{"quantize", []string{"quantize", f16GGUF, out, "--type", "q4_0"}, out},
		{"convert", []string{"convert", microDir, "--outtype", "q8_0", "-o", out}, out},
		{"verify --save-base", []string{"verify", f16GGUF, "--text", devText, "--ctx", "64", "--chunks", "2", "--save-base", base}, base},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(tc.path)
			r := zq(t, ctx, tc.args...)
			if r.code != 0 || strings.Contains(r.stderr, "overwriting") {
				t.Fatalf("first run: exit %d, stderr %q", r.code, r.stderr)
			}
			r = zq(t, ctx, tc.args...)
			if want := "overwriting " + tc.path; r.code != 0 || !strings.Contains(r.stderr, want) {
				t.Errorf("second run: exit %d, stderr %q; want %q", r.code, r.stderr, want)
			}
		})
	}
}
