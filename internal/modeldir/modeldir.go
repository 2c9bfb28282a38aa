// Package modeldir opens the files of a Hugging Face model directory the
// one way every zq command does: names must stay inside the directory, and
// a file may be a symbolic link only to a regular file inside the model
// tree — the directory itself or, for a hub-cache snapshot
// (REPO/snapshots/REV, whose files link to REPO/blobs/SHA), the REPO
// folder.
package modeldir

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Tree returns the folder that links in dir may point into: dir's real
// path, or REPO when dir is REPO/snapshots/REV and REPO/blobs exists (the
// Hugging Face hub cache layout).
func Tree(dir string) (string, error) {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", err
	}
	real, err = filepath.Abs(real)
	if err != nil {
		return "", err
	}
	parent := filepath.Dir(real)
	if filepath.Base(parent) == "snapshots" {
		repo := filepath.Dir(parent)
		if st, err := os.Stat(filepath.Join(repo, "blobs")); err == nil && st.IsDir() {
			return repo, nil
		}
	}
	return real, nil
}

// Open opens the regular file name (a local path: no "..", not absolute)
// inside dir. Every directory on the way must be inside dir; the file may
// be a symbolic link (or a chain of them) whose final target is a regular
// file inside Tree(dir). Anything else is an error naming the file.
func Open(dir, name string) (*os.File, error) {
	path := filepath.Join(dir, name)
	if !filepath.IsLocal(name) {
		return nil, fmt.Errorf("%s: %q leaves the model directory %s", path, name, dir)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	fi, err := root.Lstat(name)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&fs.ModeSymlink == 0 {
		f, err := root.Open(name)
		if err != nil {
			return nil, err
		}
		return checkRegular(f, path)
	}
	// A link: the directories on the way were checked by Lstat through
	// root; the target may be anywhere inside the model tree.
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, fmt.Errorf("%s: broken symbolic link: %w", path, err)
	}
	target, err = filepath.Abs(target)
	if err != nil {
		return nil, err
	}
	tree, err := Tree(dir)
	if err != nil {
		return nil, err
	}
	if !inside(tree, target) {
		return nil, fmt.Errorf("%s is a symbolic link to %s, outside the model tree %s; copy the file into the model directory (or link it from inside the tree)", path, target, tree)
	}
	f, err := os.Open(target)
	if err != nil {
		return nil, err
	}
	return checkRegular(f, path)
}

// checkRegular closes f and errors unless it is a regular file.
func checkRegular(f *os.File, path string) (*os.File, error) {
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	return f, nil
}

// inside reports whether path is tree or below it (both absolute and
// clean).
func inside(tree, path string) bool {
	rel, err := filepath.Rel(tree, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// ReadFile reads the file name inside dir through Open, refusing files
// larger than limit bytes.
func ReadFile(dir, name string, limit int64) ([]byte, error) {
	f, err := Open(dir, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	path := filepath.Join(dir, name)
	if st, err := f.Stat(); err == nil && st.Size() > limit {
		return nil, fmt.Errorf("%s: file is %d bytes, more than the %d allowed", path, st.Size(), limit)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: file is more than the %d bytes allowed", path, limit)
	}
	return b, nil
}

// IsNotExist reports whether err means the file is absent.
func IsNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
