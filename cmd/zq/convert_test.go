package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConvertCommand(t *testing.T) {
	dir := t.TempDir()
	out, err := runZQ(t, "convert", "../../testdata/micro-mistral", "--outtype", "f16", "-o", dir, "--json", "-t", "2")
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Output  string `json:"output"`
		Tensors int    `json:"tensors"`
		Bytes   int64  `json:"file_size_bytes"`
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if s.Output != filepath.Join(dir, "Micro-Mistral-5.1M-F16.gguf") || s.Tensors != 39 {
		t.Errorf("summary %+v", s)
	}
	b, err := os.ReadFile(s.Output)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != "061dd53b46c6c03cb15ba29cdb829b036157dc0e8b4ac0604a5d64f20b1c673a" {
		t.Errorf("sha256 %s differs from llama.cpp's convert-f16.gguf", got)
	}

	line, err := runZQ(t, "convert", "../../testdata/micro-mistral", "--outtype", "q8_0", "-o", filepath.Join(dir, "q.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(line, "wrote "+filepath.Join(dir, "q.gguf")+": 39 tensors, Q8_0") || strings.Count(line, "\n") != 1 {
		t.Errorf("summary line %q", line)
	}

	plan, err := runZQ(t, "convert", "../../testdata/micro-mistral", "--dry-run")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "Micro-Mistral-5.1M-BF16.gguf") || !strings.Contains(plan, "permute(2 heads)") {
		t.Errorf("dry run output:\n%s", plan)
	}
	if _, err := os.Stat("../../testdata/Micro-Mistral-5.1M-BF16.gguf"); err == nil {
		t.Error("--dry-run wrote a file")
	}

	if _, err := runZQ(t, "convert", "../../testdata/micro-mistral", "--outtype", "q4_k", "-o", dir); err == nil {
		t.Error("bad --outtype accepted")
	}
}
