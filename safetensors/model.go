package safetensors

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/zqtool/zq/internal/mmap"
)

// TensorInfo describes one tensor of a checkpoint.
type TensorInfo struct {
	Name  string
	DType DType
	// Shape in safetensors (PyTorch) order, outermost dimension first.
	// Empty for a scalar.
	Shape []int64
	// Shard is the file holding the tensor, relative to the model directory.
	Shard string
	// Offset and Size give the tensor's absolute byte range in Shard.
	Offset, Size int64
}

// NumElements returns the product of the dimensions (1 for a scalar).
func (t TensorInfo) NumElements() int64 {
	n := int64(1)
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// Model is an opened checkpoint: one safetensors file or a sharded
// directory. Its methods may be called concurrently, except Close.
type Model struct {
	dir     string
	shards  []*shardFile // sorted by name
	tensors []TensorInfo // converter order
	shardOf []int        // shardOf[i] indexes shards for tensors[i]
	byName  map[string]int
	closed  bool
}

// shardFile is one mapped safetensors file of a model.
type shardFile struct {
	name     string // relative to the model directory
	file     *mmap.File
	metadata map[string]string
	tensors  []TensorInfo // sorted by name
}

// Open opens a checkpoint. path is a .safetensors file, a model directory,
// or the index file of one (which opens its directory). In a directory, model.safetensors.index.json decides the
// shards when present (the sorted distinct values of its weight_map, which
// must list exactly the tensors the shards hold); otherwise every file whose
// name starts with "model" and ends with ".safetensors" is a shard.
func Open(path string) (*Model, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	if fi.IsDir() {
		return openDir(path)
	}
	if filepath.Base(path) == IndexName {
		// The index stands for its directory.
		return openDir(filepath.Dir(path))
	}
	return openSingle(path)
}

// openSingle opens one .safetensors file as a model.
func openSingle(path string) (*Model, error) {
	f, err := mmap.Open(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	sh, err := newShard(filepath.Base(path), path, f)
	if err != nil {
		return nil, err
	}
	return newModel(filepath.Dir(path), []*shardFile{sh})
}

// newShard parses the header of a mapped file; on error it closes f.
// path is only used in error messages.
func newShard(name, path string, f *mmap.File) (*shardFile, error) {
	p, err := parseFile(name, f.Bytes())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("safetensors: %s: %w", path, err)
	}
	return &shardFile{name: name, file: f, metadata: p.metadata, tensors: p.tensors}, nil
}

// newModel assembles a model from shards sorted by name, rejecting tensor
// names that occur in more than one shard. On error it closes the shards.
func newModel(dir string, shards []*shardFile) (*Model, error) {
	m := &Model{dir: dir, shards: shards, byName: make(map[string]int)}
	for si, sh := range shards {
		for _, t := range sh.tensors {
			if j, dup := m.byName[t.Name]; dup {
				m.Close()
				return nil, fmt.Errorf("safetensors: %s: duplicate tensor %q: in shard %q and in shard %q",
					dir, t.Name, m.tensors[j].Shard, sh.name)
			}
			m.byName[t.Name] = len(m.tensors)
			m.tensors = append(m.tensors, t)
			m.shardOf = append(m.shardOf, si)
		}
	}
	return m, nil
}

// Dir returns the model directory (for a single file, the directory that
// contains it).
func (m *Model) Dir() string { return m.dir }

// Shards returns the shard file names, relative to Dir, in sorted order.
func (m *Model) Shards() []string {
	out := make([]string, len(m.shards))
	for i, sh := range m.shards {
		out[i] = sh.name
	}
	return out
}

// Tensors lists all tensors in converter order: shards in sorted order, and
// within each shard names in byte-wise sorted order. The returned slice is a
// copy; the Shape slices are shared and must not be modified.
func (m *Model) Tensors() []TensorInfo { return slices.Clone(m.tensors) }

// Tensor looks a tensor up by name.
func (m *Model) Tensor(name string) (TensorInfo, bool) {
	i, ok := m.byName[name]
	if !ok {
		return TensorInfo{}, false
	}
	return m.tensors[i], true
}

// Metadata returns a copy of the __metadata__ map of the named shard (as
// listed by Shards), or nil if the shard is unknown or has none.
func (m *Model) Metadata(shard string) map[string]string {
	for _, sh := range m.shards {
		if sh.name == shard {
			return maps.Clone(sh.metadata)
		}
	}
	return nil
}

// Bytes returns the raw little-endian bytes of the named tensor as a view
// into the memory-mapped shard. The slice is valid until Close and must not
// be modified (the mapping is read-only).
func (m *Model) Bytes(name string) ([]byte, error) {
	b, _, err := m.view(name)
	return b, err
}

// view returns the bytes and info of a tensor.
func (m *Model) view(name string) ([]byte, TensorInfo, error) {
	if m.closed {
		return nil, TensorInfo{}, fmt.Errorf("safetensors: %s: model is closed", m.dir)
	}
	i, ok := m.byName[name]
	if !ok {
		return nil, TensorInfo{}, fmt.Errorf("safetensors: %s: no tensor %q", m.dir, name)
	}
	t := m.tensors[i]
	data := m.shards[m.shardOf[i]].file.Bytes()
	end := t.Offset + t.Size
	return data[t.Offset:end:end], t, nil
}

// Close unmaps all shards. Slices returned by Bytes become invalid.
func (m *Model) Close() error {
	if m.closed {
		return nil
	}
	m.closed = true
	var errs []error
	for _, sh := range m.shards {
		if err := sh.file.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
