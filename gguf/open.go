package gguf

import (
	"fmt"

	"github.com/zqtool/zq/internal/mmap"
)

// Open memory-maps the GGUF file at path and parses its header. Tensor data
// is served zero-copy from the mapping until Close.
func Open(path string) (*File, error) {
	m, err := mmap.Open(path)
	if err != nil {
		return nil, err
	}
	f, err := ReadBytes(m.Bytes())
	if err != nil {
		m.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f.closer = m
	return f, nil
}
