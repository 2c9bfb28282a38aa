// Package testutil holds helpers shared by the tests of several packages.
package testutil

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// CopyDir copies every regular file of src, except those named in skip,
// into a new temporary directory with src's base name, which some code reads
// as the model's name. Files are copied, never hard-linked: tests edit the
// copies in place, and a link would edit the original.
func CopyDir(t testing.TB, src string, skip ...string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.Mkdir(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if !e.Type().IsRegular() || slices.Contains(skip, e.Name()) {
			continue
		}
		if err := copyFile(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// UnpackDir is CopyDir that also decompresses every "NAME.gz" into NAME,
// for model files kept gzipped in testdata (large tokenizer.json files).
func UnpackDir(t testing.TB, src string) string {
	t.Helper()
	dst := CopyDir(t, src)
	gz, err := filepath.Glob(filepath.Join(dst, "*.gz"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range gz {
		if err := gunzip(p, strings.TrimSuffix(p, ".gz")); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func gunzip(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	zr, err := gzip.NewReader(in)
	if err != nil {
		return fmt.Errorf("%s: %w", from, err)
	}
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, zr); err != nil {
		out.Close()
		return fmt.Errorf("%s: %w", from, err)
	}
	return out.Close()
}
