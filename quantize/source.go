package quantize

import (
	"fmt"

	"github.com/zqtool/zq/gguf"
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

// GGUFSource is a GGUF file used as a Source. Tensor data is read with
// pread into fresh buffers rather than served from an mmap: pages of a
// mapping that have been touched count as resident memory, so a mapped 7B
// input would show its whole size as RSS, while buffers are freed as soon as
// a tensor is done.
type GGUFSource struct {
	path string
	f    *gguf.File
}

// OpenGGUF opens and parses the GGUF file at path.
func OpenGGUF(path string) (*GGUFSource, error) {
	f, err := gguf.OpenFile(path)
	if err != nil {
		return nil, err
	}
	return &GGUFSource{path: path, f: f}, nil
}

// File returns the parsed GGUF header.
func (s *GGUFSource) File() *gguf.File { return s.f }

// Metadata returns the file's key/value pairs in file order.
func (s *GGUFSource) Metadata() gguf.Metadata { return s.f.Metadata }

// Tensors returns the file's tensor infos in file order.
func (s *GGUFSource) Tensors() []gguf.TensorInfo { return s.f.Tensors }

// Data reads tensor i's bytes.
func (s *GGUFSource) Data(i int) ([]byte, error) {
	if i < 0 || i >= len(s.f.Tensors) {
		return nil, fmt.Errorf("%s: tensor index %d out of range", s.path, i)
	}
	return s.f.TensorData(&s.f.Tensors[i])
}

// Close closes the file.
func (s *GGUFSource) Close() error { return s.f.Close() }
