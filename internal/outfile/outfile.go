// Package outfile checks where a command will write before it does any
// long work: the output must be a file name (not "-", not a directory) in
// an existing, writable directory, and never one of the command's inputs —
// compared by path and by inode, so links and hard links count. WriteFile
// writes a small output whole (temporary file, then rename).
package outfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Check validates the output path out of a command reading inputs (files,
// or directories whose files are all inputs). It reports whether out
// exists and will be replaced; zq, like llama.cpp, overwrites outputs, and
// commands say so on stderr.
func Check(out string, inputs ...string) (replaces bool, err error) {
	switch out {
	case "":
		return false, errors.New("no output file given")
	case "-":
		return false, errors.New(`output "-": writing to standard output is not supported (the file is written beside its final name and renamed when complete); give a file name`)
	}
	dir := filepath.Dir(out)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, fmt.Errorf("output directory %s does not exist", dir)
	case err != nil:
		return false, fmt.Errorf("output directory %s: %w", dir, err)
	case !st.IsDir():
		return false, fmt.Errorf("output directory %s is not a directory", dir)
	}
	ost, err := os.Stat(out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		ost = nil
	case err != nil:
		return false, fmt.Errorf("output %s: %w", out, err)
	case ost.IsDir():
		return false, fmt.Errorf("output %s is a directory; name a file (e.g. %s)", out, filepath.Join(out, "model.gguf"))
	case !ost.Mode().IsRegular():
		return false, fmt.Errorf("output %s exists and is not a regular file; zq writes a temporary file and renames it over the output, which would replace it", out)
	}
	if err := notAnInput(out, ost, inputs); err != nil {
		return false, err
	}
	f, err := os.CreateTemp(dir, ".zq-write-check-*")
	if err != nil {
		return false, fmt.Errorf("cannot write in output directory %s: %w", dir, errors.Unwrap(err))
	}
	f.Close()
	os.Remove(f.Name())
	return ost != nil, nil
}

// notAnInput errors if out (with its stat, nil when absent) is one of the
// inputs or a file of an input directory.
func notAnInput(out string, ost fs.FileInfo, inputs []string) error {
	absOut, _ := filepath.Abs(out)
	same := func(in string) bool {
		if a, err := filepath.Abs(in); err == nil && a == absOut {
			return true
		}
		if ost == nil {
			return false
		}
		ist, err := os.Stat(in)
		return err == nil && os.SameFile(ost, ist)
	}
	for _, in := range inputs {
		if in == "" {
			continue
		}
		if same(in) {
			return fmt.Errorf("refusing to overwrite the input %s with the output %s", in, out)
		}
		st, err := os.Stat(in)
		if err != nil || !st.IsDir() {
			continue
		}
		ents, err := os.ReadDir(in)
		if err != nil {
			continue
		}
		for _, e := range ents {
			if p := filepath.Join(in, e.Name()); same(p) {
				return fmt.Errorf("refusing to overwrite %s, a file of the input %s, with the output", p, in)
			}
		}
	}
	return nil
}

// WriteFile writes data to path through a temporary file beside it that
// is renamed over path only when complete, so an interrupted write never
// leaves a partial file.
func WriteFile(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
