// Package mmap gives read-only access to a whole file as a byte slice.
//
// On Unix systems the file is memory-mapped, so opening a multi-gigabyte
// checkpoint costs no memory until its pages are touched. On other systems
// the file is read into memory instead. Either way the bytes returned by
// [File.Bytes] must never be modified: on Unix they live in a read-only
// mapping and writing to them crashes the process.
//
// A mapping reflects the file on disk: if another process truncates the file
// while it is mapped, touching the lost pages raises SIGBUS. Callers that
// read untrusted files should not share them with writers.
package mmap

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// File is a read-only view of a whole file. It is safe for concurrent reads;
// Close must not race with them.
type File struct {
	name string
	data []byte
	// unmap releases data; nil when there is nothing to release.
	unmap func([]byte) error
}

// Open maps the named file read-only. The file descriptor is closed before
// Open returns; the mapping stays valid until Close.
func Open(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Map(f)
}

// Map maps an already opened file read-only. The caller keeps ownership of
// f and may close it as soon as Map returns.
func Map(f *os.File) (*File, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("mmap: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("mmap: %s: not a regular file", f.Name())
	}
	size := fi.Size()
	if size < 0 || int64(int(size)) != size {
		return nil, fmt.Errorf("mmap: %s: size %d does not fit in memory on this platform", f.Name(), size)
	}
	m := &File{name: f.Name()}
	if size == 0 {
		// Mapping zero bytes is an error on most systems; an empty file
		// simply has no bytes.
		return m, nil
	}
	data, unmap, err := mapFile(f, int(size))
	if err != nil {
		return nil, fmt.Errorf("mmap: %s: %w", f.Name(), err)
	}
	m.data, m.unmap = data, unmap
	return m, nil
}

// Name returns the path the file was opened with.
func (m *File) Name() string { return m.name }

// Bytes returns the file contents. The slice is valid until Close and must
// not be modified.
func (m *File) Bytes() []byte { return m.data }

// Len returns the file size in bytes.
func (m *File) Len() int { return len(m.data) }

// ReadAt implements io.ReaderAt.
func (m *File) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("mmap: negative offset")
	}
	if off >= int64(len(m.data)) {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.EOF
	}
	n := copy(p, m.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Close releases the mapping. Slices obtained from Bytes must not be used
// afterwards. Calling Close more than once is allowed.
func (m *File) Close() error {
	data, unmap := m.data, m.unmap
	m.data, m.unmap = nil, nil
	if unmap == nil {
		return nil
	}
	if err := unmap(data); err != nil {
		return fmt.Errorf("mmap: %s: unmap: %w", m.name, err)
	}
	return nil
}

var _ io.ReaderAt = (*File)(nil)
