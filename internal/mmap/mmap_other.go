//go:build !unix

package mmap

import (
	"io"
	"os"
)

// mapFile reads the whole file into memory: this platform has no mmap
// wrapper in package syscall.
func mapFile(f *os.File, size int) ([]byte, func([]byte) error, error) {
	data := make([]byte, size)
	if _, err := io.ReadFull(io.NewSectionReader(f, 0, int64(size)), data); err != nil {
		return nil, nil, err
	}
	return data, nil, nil
}
