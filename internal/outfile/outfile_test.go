package outfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.gguf")
	model := filepath.Join(dir, "model")
	shard := filepath.Join(model, "model-00001-of-00002.safetensors")
	old := filepath.Join(dir, "old.gguf")
	for _, p := range []string{in, old} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(model, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(shard, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(dir, "hard.gguf")
	if err := os.Link(in, hard); err != nil {
		t.Fatal(err)
	}
	soft := filepath.Join(dir, "soft.gguf")
	if err := os.Symlink("in.gguf", soft); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, out string
		inputs    []string
		replaces  bool
		err       string
	}{
		{"new file", filepath.Join(dir, "new.gguf"), []string{in}, false, ""},
		{"existing output", old, []string{in}, true, ""},
		{"same path", in, []string{in}, false, "refusing to overwrite the input " + in},
		{"same path spelled differently", filepath.Join(dir, ".", "x", "..", "in.gguf"), []string{in}, false, "refusing to overwrite"},
		{"hard link to the input", hard, []string{in}, false, "refusing to overwrite"},
		{"symlink to the input", soft, []string{in}, false, "refusing to overwrite"},
		{"shard of an input directory", shard, []string{model}, false, "a file of the input " + model},
		{"new file in the input directory", filepath.Join(model, "out.gguf"), []string{model}, false, ""},
		{"directory", model, nil, false, "is a directory"},
		{"missing directory", filepath.Join(dir, "missing", "dir", "x.gguf"), nil, false, "output directory " + filepath.Join(dir, "missing", "dir") + " does not exist"},
		{"parent is a file", filepath.Join(in, "x.gguf"), nil, false, "is not a directory"},
		{"stdout", "-", nil, false, "standard output is not supported"},
		{"empty", "", nil, false, "no output file"},
		{"device", "/dev/null", nil, false, "not a regular file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Check(tc.out, tc.inputs...)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil || rep != tc.replaces {
				t.Fatalf("Check = %v, %v; want %v, nil", rep, err, tc.replaces)
			}
		})
	}
	// No probe file is left behind.
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".zq-") {
			t.Errorf("left %s behind", e.Name())
		}
	}
}

func TestCheckUnwritableDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can write anywhere")
	}
	dir := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	_, err := Check(filepath.Join(dir, "x.gguf"))
	if err == nil || !strings.Contains(err.Error(), "cannot write in output directory "+dir) || strings.Contains(err.Error(), ".zq-") {
		t.Fatalf("error %v", err)
	}
}

// TestWriteFile checks that WriteFile creates and replaces a file whole,
// leaves no temporary file, and fails without a trace in a missing
// directory.
func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.dat")
	for _, data := range []string{"first", "second, longer"} {
		if err := WriteFile(p, []byte(data)); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(p); err != nil || string(b) != data {
			t.Fatalf("read %q, %v; want %q", b, err, data)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("directory holds %v", ents)
	}
	if err := WriteFile(filepath.Join(dir, "missing", "x"), []byte("x")); err == nil {
		t.Error("write into a missing directory succeeded")
	}
}
