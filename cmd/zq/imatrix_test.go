package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zqtool/zq/imatrix"
)

// TestImatrixCommand computes a small matrix, merges it with itself into
// the legacy format, and inspects the result.
func TestImatrixCommand(t *testing.T) {
	dir := t.TempDir()
	im := filepath.Join(dir, "im.gguf")
	out, err := runZQ(t, "imatrix", f16GGUF, "-f", devText, "-c", "128", "--chunks", "4", "-o", im, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var sum imatrixSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if sum.Entries != 28 || sum.ChunkCount != 4 || sum.ChunkSize != 128 || sum.Run == nil || !(sum.Run.PPL > 1) ||
		len(sum.Datasets) != 1 || sum.Datasets[0] != devText {
		t.Errorf("summary %s", out)
	}
	f, err := imatrix.Read(im)
	if err != nil || f.ChunkCount != 4 || f.Entries["blk.0.ffn_down.weight"].Counts[0] != 512 {
		t.Fatalf("written file: %v %+v", err, f)
	}

	dat := filepath.Join(dir, "merged.dat")
	if _, err := runZQ(t, "imatrix", "-c", "128", "--in-file", im+","+im, "-o", dat, "--output-format", "dat"); err != nil {
		t.Fatal(err)
	}
	ins, err := runZQ(t, "inspect", dat, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Imatrix imatrix.Summary `json:"imatrix"`
	}
	if err := json.Unmarshal([]byte(ins), &r); err != nil || r.Imatrix.ChunkCount != 8 || len(r.Imatrix.Entries) != 28 ||
		r.Imatrix.Format != "dat" || len(r.Imatrix.Datasets) != 1 {
		t.Errorf("inspect of the merged file: %v\n%s", err, ins)
	}

	// --process-output adds output.weight; the text report prints the
	// running perplexity.
	txt, err := runZQ(t, "imatrix", f16GGUF, "-f", devText, "-c", "64", "--chunks", "2", "-o", im, "--process-output")
	if err != nil {
		t.Fatal(err)
	}
	if f, err := imatrix.Read(im); err != nil || f.Entries["output.weight"] == nil || len(f.Entries) != 29 {
		t.Errorf("--process-output: %v, %d entries", err, len(f.Entries))
	}
	if !strings.Contains(txt, "[2]") || !strings.Contains(txt, "Final estimate: PPL = ") {
		t.Errorf("no perplexity in:\n%s", txt)
	}
	if left := tempLeftovers(t, dir); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// TestImatrixErrors checks refusals: clear messages and no output.
func TestImatrixErrors(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "im.gguf")
	bad := filepath.Join(dir, "bad.dat")
	os.WriteFile(bad, []byte("not an imatrix"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-o", out}, "no calibration text"},
		{[]string{"-f", devText, "-o", out}, "missing MODEL"},
		{[]string{f16GGUF, "-f", devText, "-o", out, "--output-format", "txt"}, "--output-format"},
		{[]string{f16GGUF, "-f", devText, "-o", out, "-c", "65536"}, "needs at least"},
		{[]string{f16GGUF, "-f", devText, "-o", out, "-c", "128", "--from-chunk", "1000"}, "not enough tokens"},
		{[]string{"--in-file", bad, "-o", out}, "bad.dat"},
		{[]string{f16GGUF, "-f", devText, "-o", f16GGUF}, "refusing to overwrite"},
	} {
		_, err := runZQ(t, append([]string{"imatrix"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
	if left, _ := os.ReadDir(dir); len(left) != 1 {
		t.Errorf("files in the output directory: %v", left)
	}
}

// TestQuantizeCalibration checks the one-pass path: quantizing the
// checkpoint directory with --calibration gives the file that zq imatrix
// followed by zq quantize --imatrix gives, and --save-imatrix writes that
// matrix.
func TestQuantizeCalibration(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	text, model := filepath.Join(wd, devText), filepath.Join(wd, microDir)
	t.Chdir(dir)
	one := []string{"quantize", model, "one.gguf", "--type", "q4_k_m", "--calibration", text,
		"--calibration-ctx", "128", "--calibration-chunks", "6", "--save-imatrix", "im.gguf", "--json"}
	if _, err := runZQ(t, one...); err != nil {
		t.Fatal(err)
	}
	os.Rename("im.gguf", "saved.gguf")
	if _, err := runZQ(t, "imatrix", filepath.Join(wd, f16GGUF), "-f", text, "-c", "128", "--chunks", "6", "-o", "im.gguf"); err != nil {
		t.Fatal(err)
	}
	if _, err := runZQ(t, "quantize", filepath.Join(wd, f16GGUF), "two.gguf", "--type", "q4_k_m", "--imatrix", "im.gguf", "--json"); err != nil {
		t.Fatal(err)
	}
	if fileSHA256(t, "im.gguf") != fileSHA256(t, "saved.gguf") {
		t.Error("--save-imatrix differs from zq imatrix's file")
	}
	if fileSHA256(t, "one.gguf") != fileSHA256(t, "two.gguf") {
		t.Error("one-pass output differs from zq imatrix + zq quantize --imatrix")
	}
	if left, _ := os.ReadDir("."); len(left) != 4 {
		t.Errorf("files left: %v", left)
	}
	for _, tc := range []struct {
		extra []string
		want  string
	}{
		{[]string{"--calibration", text, "--imatrix", "im.gguf"}, "give one"},
		{[]string{"--save-imatrix", "x.gguf"}, "needs --calibration"},
		{[]string{"--calibration", text, "--calibration-ctx", "65536"}, "needs at least"},
	} {
		args := append([]string{"quantize", filepath.Join(wd, f16GGUF), "bad.gguf", "--type", "q4_k_m"}, tc.extra...)
		if _, err := runZQ(t, args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.extra, err, tc.want)
		}
	}
	if _, err := os.Stat("bad.gguf"); err == nil {
		t.Error("a refused run wrote its output")
	}
}
