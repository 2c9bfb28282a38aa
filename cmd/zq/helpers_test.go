package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zqtool/zq/internal/filehash"
)

// Paths of the bundled test data, relative to this package.
const (
	microDir = "../../testdata/micro-mistral"
	refDir   = "../../testdata/reference/"
	f16GGUF  = refDir + "convert-f16.gguf"
	q4GGUF   = refDir + "quant-Q4_K_M.gguf"
	devText  = "../../testdata/text/dev.txt"
)

// result is what one zq run printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// zq runs the whole command line (as main does, exit status and messages
// included) in-process with ctx.
func zq(t *testing.T, ctx context.Context, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(ctx, args, &out, &errb)
	return result{code, out.String(), errb.String()}
}

// fileSHA256 hashes a file, failing the test on error.
func fileSHA256(t *testing.T, path string) string {
	t.Helper()
	sum, err := filehash.SHA256(path)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// copyFile copies src to dst.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// tempLeftovers lists the files in dir that look like unfinished outputs.
func tempLeftovers(t *testing.T, dir string) []string {
	t.Helper()
	var left []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".tmp-") {
			left = append(left, p)
		}
		return nil
	})
	return left
}
