package quantize

import (
	"fmt"

	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/internal/mmap"
)

// Source is a model to quantize, presented as the GGUF file it is or would
// be: its metadata, its tensor infos and each tensor's bytes.
type Source interface {
	Metadata() gguf.Metadata
	Tensors() []gguf.TensorInfo
	// Data returns tensor i's bytes (exactly Tensors()[i].Size() of them).
	// Callers do not modify them.
	Data(i int) ([]byte, error)
}

// GGUFSource is a memory-mapped GGUF file used as a Source.
type GGUFSource struct {
	path string
	m    *mmap.File
	f    *gguf.File
}

// OpenGGUF maps and parses the GGUF file at path.
func OpenGGUF(path string) (*GGUFSource, error) {
	m, err := mmap.Open(path)
	if err != nil {
		return nil, err
	}
	f, err := gguf.ReadBytes(m.Bytes())
	if err != nil {
		m.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &GGUFSource{path: path, m: m, f: f}, nil
}

// File returns the parsed GGUF header.
func (s *GGUFSource) File() *gguf.File { return s.f }

// Metadata returns the file's key/value pairs in file order.
func (s *GGUFSource) Metadata() gguf.Metadata { return s.f.Metadata }

// Tensors returns the file's tensor infos in file order.
func (s *GGUFSource) Tensors() []gguf.TensorInfo { return s.f.Tensors }

// Data returns a zero-copy view of tensor i's bytes.
func (s *GGUFSource) Data(i int) ([]byte, error) {
	if i < 0 || i >= len(s.f.Tensors) {
		return nil, fmt.Errorf("%s: tensor index %d out of range", s.path, i)
	}
	return s.f.TensorData(&s.f.Tensors[i])
}

// Close unmaps the file; slices returned by Data become invalid.
func (s *GGUFSource) Close() error { return s.m.Close() }
