package gguf

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"
)

// Writer writes a GGUF v3 file. The header and layout are fixed at Create;
// tensor data may then be written in any order and from several goroutines,
// one whole tensor at a time. The file appears at its final path only when
// Close succeeds; Abort (or a failed Close) removes the temporary file.
type Writer struct {
	path, tmp string
	f         *os.File
	tensors   []TensorInfo
	dataStart int64
	total     int64
	mu        sync.Mutex
	written   []bool
	done      bool
}

// Create plans the layout of a GGUF file at path with the given metadata and
// tensors (Offset fields are ignored and recomputed, in the given order),
// writes the header to a temporary file beside path and returns a Writer
// ready for tensor data. The alignment is general.alignment if present,
// else 32.
func Create(path string, md Metadata, tensors []TensorInfo) (*Writer, error) {
	align, err := alignmentOf(md)
	if err != nil {
		return nil, err
	}
	w := &Writer{path: path, tensors: make([]TensorInfo, len(tensors)), written: make([]bool, len(tensors))}
	names := make(map[string]bool, len(tensors))
	var off uint64
	for i, t := range tensors {
		if len(t.Name) > MaxNameLen {
			return nil, fmt.Errorf("tensor %q: name is %d bytes, llama.cpp allows at most %d", t.Name, len(t.Name), MaxNameLen)
		}
		if names[t.Name] {
			return nil, fmt.Errorf("tensor %q appears twice", t.Name)
		}
		names[t.Name] = true
		n, err := t.size()
		if err != nil {
			return nil, err
		}
		t.Dims = append([]uint64(nil), t.Dims...)
		t.Offset = off
		w.tensors[i] = t
		off += alignUp(n, align)
	}
	keys := make(map[string]bool, len(md))
	for _, kv := range md {
		if keys[kv.Key] {
			return nil, fmt.Errorf("metadata key %q appears twice", kv.Key)
		}
		keys[kv.Key] = true
	}

	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, err
	}
	w.f, w.tmp = f, f.Name()
	bw := bufio.NewWriterSize(f, 1<<20)
	cw := &countingWriter{w: bw}
	if err := writeHeader(cw, md, w.tensors); err != nil {
		w.Abort()
		return nil, err
	}
	w.dataStart = int64(alignUp(uint64(cw.n), align))
	if _, err := cw.Write(make([]byte, w.dataStart-cw.n)); err != nil {
		w.Abort()
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		w.Abort()
		return nil, err
	}
	w.total = w.dataStart + int64(off)
	if err := f.Truncate(w.total); err != nil {
		w.Abort()
		return nil, err
	}
	return w, nil
}

// Tensors returns the planned tensor infos, with offsets.
func (w *Writer) Tensors() []TensorInfo { return w.tensors }

// DataOffset is the absolute file offset of the data section.
func (w *Writer) DataOffset() int64 { return w.dataStart }

// Size is the size the finished file will have.
func (w *Writer) Size() int64 { return w.total }

func (w *Writer) claim(i int) (*TensorInfo, error) {
	if i < 0 || i >= len(w.tensors) {
		return nil, fmt.Errorf("tensor index %d out of range", i)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return nil, errors.New("gguf writer already closed")
	}
	if w.written[i] {
		return nil, fmt.Errorf("tensor %q written twice", w.tensors[i].Name)
	}
	w.written[i] = true
	return &w.tensors[i], nil
}

// WriteTensor writes the data of tensor i, which must be exactly its planned
// size. Safe for concurrent use with different i.
func (w *Writer) WriteTensor(i int, data []byte) error {
	t, err := w.claim(i)
	if err != nil {
		return err
	}
	if uint64(len(data)) != t.Size() {
		return fmt.Errorf("tensor %q: got %d bytes of data, planned %d (%s %v)", t.Name, len(data), t.Size(), t.Type, t.Dims)
	}
	_, err = w.f.WriteAt(data, w.dataStart+int64(t.Offset))
	return err
}

// SkipTensor marks tensor i as written without writing it: its bytes stay
// the zeros of the pre-sized file (a hole on most filesystems). It is for
// synthetic files with real shapes and no data, such as memory-estimate tests.
func (w *Writer) SkipTensor(i int) error {
	_, err := w.claim(i)
	return err
}

// WriteTensorFrom copies tensor i's data from r, which must yield exactly the
// planned size. Safe for concurrent use with different i.
func (w *Writer) WriteTensorFrom(i int, r io.Reader) error {
	t, err := w.claim(i)
	if err != nil {
		return err
	}
	want := int64(t.Size())
	ow := io.NewOffsetWriter(w.f, w.dataStart+int64(t.Offset))
	n, err := io.Copy(ow, io.LimitReader(r, want+1))
	if err != nil {
		return fmt.Errorf("tensor %q: %w", t.Name, err)
	}
	if n != want {
		return fmt.Errorf("tensor %q: source gave %d bytes or more, planned %d", t.Name, n, want)
	}
	return nil
}

// Close checks that every tensor was written, syncs the file and renames it
// to its final path. On failure the temporary file is removed.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.done {
		w.mu.Unlock()
		return errors.New("gguf writer already closed")
	}
	w.done = true
	w.mu.Unlock()
	for i, ok := range w.written {
		if !ok {
			w.remove()
			return fmt.Errorf("tensor %q was never written", w.tensors[i].Name)
		}
	}
	if err := w.f.Sync(); err != nil {
		w.remove()
		return err
	}
	if err := w.f.Chmod(0o644); err != nil {
		w.remove()
		return err
	}
	err := w.f.Close()
	w.f = nil
	if err == nil {
		err = os.Rename(w.tmp, w.path)
	}
	if err != nil {
		os.Remove(w.tmp)
	}
	return err
}

// Abort discards the output. It is a no-op after a successful Close, so it
// can be deferred.
func (w *Writer) Abort() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.done = true
	w.remove()
}

func (w *Writer) remove() {
	if w.f != nil {
		w.f.Close()
		w.f = nil
		os.Remove(w.tmp)
	}
}

func alignmentOf(md Metadata) (uint64, error) {
	v, ok := md.Get("general.alignment")
	if !ok {
		return DefaultAlignment, nil
	}
	a, ok := v.AsUint32()
	if !ok || a == 0 || a&(a-1) != 0 {
		return 0, fmt.Errorf("metadata key \"general.alignment\" must be a non-zero power of two of type uint32, got %s %v", v.Describe(), v.Any())
	}
	return uint64(a), nil
}

type countingWriter struct {
	w   io.Writer
	n   int64
	buf [8]byte
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (c *countingWriter) u32(x uint32) error {
	binary.LittleEndian.PutUint32(c.buf[:4], x)
	_, err := c.Write(c.buf[:4])
	return err
}

func (c *countingWriter) u64(x uint64) error {
	binary.LittleEndian.PutUint64(c.buf[:], x)
	_, err := c.Write(c.buf[:])
	return err
}

func (c *countingWriter) str(s string) error {
	if err := c.u64(uint64(len(s))); err != nil {
		return err
	}
	_, err := io.WriteString(c, s)
	return err
}

// writeHeader writes magic, version, counts, KV pairs and tensor infos.
func writeHeader(c *countingWriter, md Metadata, tensors []TensorInfo) error {
	if _, err := io.WriteString(c, Magic); err != nil {
		return err
	}
	c.u32(3)
	c.u64(uint64(len(tensors)))
	c.u64(uint64(len(md)))
	for _, kv := range md {
		if err := c.str(kv.Key); err != nil {
			return err
		}
		if err := writeValue(c, kv.Value); err != nil {
			return fmt.Errorf("metadata key %q: %w", kv.Key, err)
		}
	}
	for _, t := range tensors {
		c.str(t.Name)
		c.u32(uint32(len(t.Dims)))
		for _, d := range t.Dims {
			c.u64(d)
		}
		c.u32(uint32(t.Type))
		if err := c.u64(t.Offset); err != nil {
			return err
		}
	}
	return nil
}

func writeValue(c *countingWriter, v Value) error {
	if err := c.u32(uint32(v.Type)); err != nil {
		return err
	}
	if v.Type == TypeArray {
		a, ok := v.AsArray()
		if !ok {
			return errors.New("array value without an array")
		}
		if err := a.check(); err != nil {
			return err
		}
		return writeArray(c, a)
	}
	return writeScalar(c, v.Type, v.v)
}

func writeArray(c *countingWriter, a *Array) error {
	c.u32(uint32(a.Elem))
	if err := c.u64(uint64(a.Len())); err != nil {
		return err
	}
	switch s := a.Items.(type) {
	case []string:
		for _, x := range s {
			if err := c.str(x); err != nil {
				return err
			}
		}
		return nil
	case []*Array:
		for _, x := range s {
			if err := writeArray(c, x); err != nil {
				return err
			}
		}
		return nil
	case []uint8:
		_, err := c.Write(s)
		return err
	}
	return binary.Write(c, binary.LittleEndian, a.Items)
}

func writeScalar(c *countingWriter, t ValueType, x any) error {
	var err error
	switch t {
	case TypeString:
		s, ok := x.(string)
		if !ok {
			return fmt.Errorf("string value holds %T", x)
		}
		return c.str(s)
	case TypeUint8, TypeInt8, TypeUint16, TypeInt16, TypeUint32, TypeInt32, TypeUint64, TypeInt64:
		if !scalarMatches(t, x) {
			return fmt.Errorf("%s value holds %T", t, x)
		}
		err = binary.Write(c, binary.LittleEndian, x)
	case TypeFloat32:
		f, ok := x.(float32)
		if !ok {
			return fmt.Errorf("float32 value holds %T", x)
		}
		err = c.u32(math.Float32bits(f))
	case TypeFloat64:
		f, ok := x.(float64)
		if !ok {
			return fmt.Errorf("float64 value holds %T", x)
		}
		err = c.u64(math.Float64bits(f))
	case TypeBool:
		b, ok := x.(bool)
		if !ok {
			return fmt.Errorf("bool value holds %T", x)
		}
		var by byte
		if b {
			by = 1
		}
		_, err = c.Write([]byte{by})
	default:
		return fmt.Errorf("unknown value type %d", uint32(t))
	}
	return err
}

func scalarMatches(t ValueType, x any) bool {
	switch x.(type) {
	case uint8:
		return t == TypeUint8
	case int8:
		return t == TypeInt8
	case uint16:
		return t == TypeUint16
	case int16:
		return t == TypeInt16
	case uint32:
		return t == TypeUint32
	case int32:
		return t == TypeInt32
	case uint64:
		return t == TypeUint64
	case int64:
		return t == TypeInt64
	}
	return false
}

// FileSize is the size of the GGUF file Create would write for md and
// tensors (header, alignment padding and tensor data), without writing it.
func FileSize(md Metadata, tensors []TensorInfo) (int64, error) {
	align, err := alignmentOf(md)
	if err != nil {
		return 0, err
	}
	var data uint64
	for _, t := range tensors {
		n, err := t.size()
		if err != nil {
			return 0, err
		}
		data += alignUp(n, align)
	}
	cw := &countingWriter{w: io.Discard}
	if err := writeHeader(cw, md, tensors); err != nil {
		return 0, err
	}
	return int64(alignUp(uint64(cw.n), align) + data), nil
}
