package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMessagesPointAtTheInput checks that common mistakes get one line on
// stderr, prefixed with the command, that names the user's argument and
// says what was expected.
func TestMessagesPointAtTheInput(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"convert", f16GGUF}, []string{"zq convert: ", f16GGUF + " is a GGUF file; convert takes a Hugging Face model directory", "did you mean `zq quantize"}},
		{[]string{"convert", microDir + "/model-00001-of-00002.safetensors"}, []string{"convert takes the Hugging Face model directory that holds it"}},
		{[]string{"convert", devText}, []string{devText + " is not a directory"}},
		{[]string{"convert", filepath.Join(dir, "nowhere")}, []string{"nowhere", "no such file"}},
		{[]string{"verify", microDir, "--text", devText}, []string{"zq verify: ", microDir + " is a directory", "needs a GGUF file", "zq convert " + microDir}},
		{[]string{"generate", microDir, "-p", "x"}, []string{"zq generate: ", "needs a GGUF file"}},
		{[]string{"verify", devText, "--text", devText}, []string{devText + " is not a GGUF file"}},
		{[]string{"convert", microDir, "-o", "/missing/dir/x.gguf"}, []string{"output directory /missing/dir does not exist"}},
		{[]string{"quantize", f16GGUF, "/missing/dir/x.gguf", "--type", "q4_0"}, []string{"output directory /missing/dir does not exist"}},
		{[]string{"verify", f16GGUF, "--text", devText, "--save-base", "/missing/dir/b.zqb"}, []string{"--save-base: output directory /missing/dir does not exist"}},
		{[]string{"quantize", f16GGUF, dir, "--type", "q4_0"}, []string{"output " + dir + " is a directory"}},
		{[]string{"quantize", f16GGUF, "-", "--type", "q4_0"}, []string{`output "-": writing to standard output is not supported`}},
		{[]string{"convert", microDir, "-o", "-"}, []string{`output "-"`}},
		{[]string{"quantize"}, []string{"zq quantize: missing INPUT and OUTPUT"}},
		{[]string{"quantize", f16GGUF}, []string{"zq quantize: missing OUTPUT"}},
		{[]string{"quantize", "a", "b", "c", "1", "e"}, []string{"too many arguments"}},
		{[]string{"convert"}, []string{"zq convert: missing MODEL_DIR"}},
		{[]string{"verify", "--text", devText}, []string{"zq verify: missing MODEL.gguf"}},
		{[]string{"generate", "-p", "x"}, []string{"zq generate: missing MODEL.gguf"}},
		{[]string{"inspect"}, []string{"zq inspect: missing PATH"}},
	} {
		r := zq(t, ctx, tc.args...)
		if r.code != 1 || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("zq %v: exit %d, stderr %q; want exit 1 and one line", tc.args, r.code, r.stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("zq %v: stderr %q lacks %q", tc.args, r.stderr, w)
			}
		}
	}
}

// TestValidatesBeforeWork runs commands whose mistake is in a later
// argument with a context that is already cancelled: a command that
// validates every input first reports the mistake; one that started the
// work first would report the cancellation instead.
func TestValidatesBeforeWork(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o555); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"verify", q4GGUF, f16GGUF, filepath.Join(dir, "missing.gguf"), "--base", f16GGUF, "--text", devText}, "missing.gguf does not exist"},
		{[]string{"verify", q4GGUF, microDir, "--base", f16GGUF, "--text", devText}, "is a directory"},
		{[]string{"verify", q4GGUF, "--base", devText, "--text", devText}, devText + " is not a GGUF file"},
		{[]string{"verify", q4GGUF, "--text", filepath.Join(dir, "missing.txt")}, "missing.txt"},
		{[]string{"verify", q4GGUF, "--text", devText, "--save-base", dir}, "is a directory"},
		{[]string{"quantize", f16GGUF, dir, "--type", "q4_k_m"}, "is a directory"},
		{[]string{"quantize", f16GGUF, filepath.Join(dir, "x.gguf"), "--type", "q9_9"}, "q9_9"},
		{[]string{"convert", microDir, "-o", filepath.Join(dir, "missing", "x.gguf")}, "does not exist"},
	}
	if os.Geteuid() != 0 { // root may write anywhere
		cases = append(cases, struct {
			args []string
			want string
		}{[]string{"quantize", f16GGUF, filepath.Join(ro, "x.gguf"), "--type", "q4_0"}, "cannot write in output directory " + ro})
	}
	for _, tc := range cases {
		r := zq(t, ctx, tc.args...)
		if r.code == 0 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("zq %v: exit %d, stderr %q; want %q before any work", tc.args, r.code, r.stderr, tc.want)
		}
	}
}
