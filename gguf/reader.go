package gguf

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"

	"github.com/zqtool/zq/ggml"
)

// Magic is the 4-byte GGUF file signature.
const Magic = "GGUF"

// maxArrayDepth bounds nested arrays so hostile files cannot recurse deeply.
const maxArrayDepth = 8

// File is a parsed GGUF header with access to tensor data. Tensor data is not
// read until asked for.
type File struct {
	Version    uint32
	Metadata   Metadata
	Tensors    []TensorInfo
	Alignment  uint64
	DataOffset int64 // absolute file offset of the data section
	Size       int64 // file size

	r      io.ReaderAt
	data   []byte // whole file when memory-mapped or in memory, else nil
	closer io.Closer
	byName map[string]int
}

// ReadBytes parses a GGUF file held in memory (or memory-mapped); tensor
// data is then served zero-copy.
func ReadBytes(b []byte) (*File, error) {
	f, err := Read(bytesReaderAt(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	f.data = b
	return f, nil
}

type bytesReaderAt []byte

func (b bytesReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off > int64(len(b)) {
		return 0, io.EOF
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// OpenFile opens and parses the GGUF file at path, reading tensor data on demand.
func OpenFile(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, err
	}
	f, err := Read(fh, st.Size())
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f.closer = fh
	return f, nil
}

// Close releases the underlying file, if the File owns one.
func (f *File) Close() error {
	if f.closer != nil {
		c := f.closer
		f.closer = nil
		return c.Close()
	}
	return nil
}

// Lookup returns the tensor info named name.
func (f *File) Lookup(name string) (*TensorInfo, bool) {
	i, ok := f.byName[name]
	if !ok {
		return nil, false
	}
	return &f.Tensors[i], true
}

// TensorData returns the bytes of tensor t: a zero-copy view when the file
// is in memory, otherwise a freshly read slice.
func (f *File) TensorData(t *TensorInfo) ([]byte, error) {
	start := f.DataOffset + int64(t.Offset)
	n := int64(t.Size())
	if f.data != nil {
		return f.data[start : start+n : start+n], nil
	}
	buf := make([]byte, n)
	if _, err := f.r.ReadAt(buf, start); err != nil {
		return nil, fmt.Errorf("read tensor %q: %w", t.Name, err)
	}
	return buf, nil
}

// TensorReader returns a reader over tensor t's bytes.
func (f *File) TensorReader(t *TensorInfo) io.Reader {
	return io.NewSectionReader(f.r, f.DataOffset+int64(t.Offset), int64(t.Size()))
}

// ArchPrefix returns general.architecture (e.g. "llama"), or "" when absent.
func (f *File) ArchPrefix() string {
	s, _ := f.Metadata.String("general.architecture")
	return s
}

// decoder reads the header sequentially, tracking the offset and how many
// bytes remain, so that no length field can make it allocate more than the
// file could hold.
type decoder struct {
	br     *bufio.Reader
	off    int64
	size   int64
	buf    [8]byte
	where  string
	strbuf []byte
}

func (d *decoder) remaining() int64 { return d.size - d.off }

func (d *decoder) fail(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if d.where != "" {
		return fmt.Errorf("%s: %s (at byte %d)", d.where, msg, d.off)
	}
	return fmt.Errorf("%s (at byte %d)", msg, d.off)
}

func (d *decoder) read(n int) ([]byte, error) {
	if int64(n) > d.remaining() {
		return nil, d.fail("file truncated: need %d bytes, %d left", n, d.remaining())
	}
	b := d.buf[:n]
	if _, err := io.ReadFull(d.br, b); err != nil {
		return nil, d.fail("file truncated: %v", err)
	}
	d.off += int64(n)
	return b, nil
}

func (d *decoder) u32() (uint32, error) {
	b, err := d.read(4)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

func (d *decoder) u64() (uint64, error) {
	b, err := d.read(8)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

// count reads a u64 count and checks that count items of at least minSize
// bytes each could fit in the rest of the file.
func (d *decoder) count(what string, minSize int64) (uint64, error) {
	n, err := d.u64()
	if err != nil {
		return 0, err
	}
	if n > math.MaxInt64/uint64(minSize) || int64(n)*minSize > d.remaining() {
		return 0, d.fail("%s %d cannot fit in the %d bytes left in the file", what, n, d.remaining())
	}
	return n, nil
}

func (d *decoder) str() (string, error) {
	n, err := d.u64()
	if err != nil {
		return "", err
	}
	if n > uint64(d.remaining()) {
		return "", d.fail("string length %d exceeds the %d bytes left in the file", n, d.remaining())
	}
	if cap(d.strbuf) < int(n) {
		d.strbuf = make([]byte, n)
	}
	b := d.strbuf[:n]
	if _, err := io.ReadFull(d.br, b); err != nil {
		return "", d.fail("file truncated in a string: %v", err)
	}
	d.off += int64(n)
	return string(b), nil
}

// Read parses a GGUF header from r, whose total size is size.
func Read(r io.ReaderAt, size int64) (*File, error) {
	d := &decoder{br: bufio.NewReaderSize(io.NewSectionReader(r, 0, size), 1<<16), size: size}
	magic, err := d.read(4)
	if err != nil {
		return nil, fmt.Errorf("not a GGUF file: %w", err)
	}
	if string(magic) != Magic {
		return nil, fmt.Errorf("not a GGUF file: magic %q, expected %q", magic, Magic)
	}
	f := &File{r: r, Size: size, Alignment: DefaultAlignment}
	if f.Version, err = d.u32(); err != nil {
		return nil, err
	}
	switch {
	case f.Version&0xffff == 0 && f.Version != 0:
		return nil, fmt.Errorf("GGUF version 0x%08x looks byte-swapped: big-endian files are not supported", f.Version)
	case f.Version == 1:
		return nil, errors.New("GGUF version 1 is no longer supported (need 2 or 3)")
	case f.Version != 2 && f.Version != 3:
		return nil, fmt.Errorf("unsupported GGUF version %d (need 2 or 3)", f.Version)
	}
	nTensors, err := d.count("tensor count", 8+4+8+4+8)
	if err != nil {
		return nil, err
	}
	nKV, err := d.count("metadata count", 8+4+1)
	if err != nil {
		return nil, err
	}
	f.Metadata = make(Metadata, 0, nKV)
	seen := make(map[string]bool, nKV)
	for i := uint64(0); i < nKV; i++ {
		d.where = fmt.Sprintf("metadata entry %d", i)
		key, err := d.str()
		if err != nil {
			return nil, err
		}
		d.where = fmt.Sprintf("metadata key %q", key)
		if seen[key] {
			return nil, d.fail("duplicate key")
		}
		seen[key] = true
		vt, err := d.u32()
		if err != nil {
			return nil, err
		}
		v, err := d.value(ValueType(vt), 0)
		if err != nil {
			return nil, err
		}
		f.Metadata = append(f.Metadata, KV{key, v})
	}
	d.where = ""
	if v, ok := f.Metadata.Get("general.alignment"); ok {
		a, ok := v.AsUint32()
		if !ok || a == 0 || a&(a-1) != 0 {
			return nil, fmt.Errorf("metadata key \"general.alignment\" must be a non-zero power of two of type uint32, got %s %v", v.Describe(), v.Any())
		}
		f.Alignment = uint64(a)
	}
	f.Tensors = make([]TensorInfo, 0, nTensors)
	f.byName = make(map[string]int, nTensors)
	for i := uint64(0); i < nTensors; i++ {
		d.where = fmt.Sprintf("tensor info %d", i)
		t, err := d.tensorInfo()
		if err != nil {
			return nil, err
		}
		if _, dup := f.byName[t.Name]; dup {
			return nil, d.fail("duplicate tensor name %q", t.Name)
		}
		f.byName[t.Name] = len(f.Tensors)
		f.Tensors = append(f.Tensors, t)
	}
	f.DataOffset = int64(alignUp(uint64(d.off), f.Alignment))
	if err := f.checkLayout(); err != nil {
		return nil, err
	}
	return f, nil
}

func (d *decoder) tensorInfo() (TensorInfo, error) {
	var t TensorInfo
	name, err := d.str()
	if err != nil {
		return t, err
	}
	t.Name = name
	d.where = fmt.Sprintf("tensor %q", name)
	nd, err := d.u32()
	if err != nil {
		return t, err
	}
	if nd > MaxDims {
		return t, d.fail("%d dimensions, at most %d allowed", nd, MaxDims)
	}
	t.Dims = make([]uint64, nd)
	for j := range t.Dims {
		if t.Dims[j], err = d.u64(); err != nil {
			return t, err
		}
		if t.Dims[j] > math.MaxInt64 {
			return t, d.fail("dimension %d is negative", j)
		}
	}
	ty, err := d.u32()
	if err != nil {
		return t, err
	}
	t.Type = ggml.Type(ty)
	if !t.Type.Valid() {
		return t, d.fail("unknown ggml type id %d", ty)
	}
	if t.Offset, err = d.u64(); err != nil {
		return t, err
	}
	if _, err := t.size(); err != nil {
		return t, err
	}
	return t, nil
}

func (d *decoder) value(vt ValueType, depth int) (Value, error) {
	if !vt.Valid() {
		return Value{}, d.fail("unknown value type id %d", uint32(vt))
	}
	if vt == TypeArray {
		a, err := d.array(depth)
		if err != nil {
			return Value{}, err
		}
		return Value{TypeArray, a}, nil
	}
	if vt == TypeString {
		s, err := d.str()
		return Value{TypeString, s}, err
	}
	b, err := d.read(vt.size())
	if err != nil {
		return Value{}, err
	}
	return Value{vt, scalar(vt, b)}, nil
}

func scalar(vt ValueType, b []byte) any {
	le := binary.LittleEndian
	switch vt {
	case TypeUint8:
		return b[0]
	case TypeInt8:
		return int8(b[0])
	case TypeBool:
		return b[0] != 0
	case TypeUint16:
		return le.Uint16(b)
	case TypeInt16:
		return int16(le.Uint16(b))
	case TypeUint32:
		return le.Uint32(b)
	case TypeInt32:
		return int32(le.Uint32(b))
	case TypeFloat32:
		return math.Float32frombits(le.Uint32(b))
	case TypeUint64:
		return le.Uint64(b)
	case TypeInt64:
		return int64(le.Uint64(b))
	case TypeFloat64:
		return math.Float64frombits(le.Uint64(b))
	}
	return nil
}

func (d *decoder) array(depth int) (*Array, error) {
	if depth >= maxArrayDepth {
		return nil, d.fail("arrays nested deeper than %d", maxArrayDepth)
	}
	et, err := d.u32()
	if err != nil {
		return nil, err
	}
	elem := ValueType(et)
	if !elem.Valid() {
		return nil, d.fail("unknown array element type id %d", et)
	}
	minSize := int64(elem.size())
	switch elem {
	case TypeString:
		minSize = 8
	case TypeArray:
		minSize = 12
	}
	n, err := d.count("array length", minSize)
	if err != nil {
		return nil, err
	}
	a := &Array{Elem: elem}
	switch elem {
	case TypeString:
		s := make([]string, n)
		for i := range s {
			if s[i], err = d.str(); err != nil {
				return nil, err
			}
		}
		a.Items = s
	case TypeArray:
		s := make([]*Array, n)
		for i := range s {
			if s[i], err = d.array(depth + 1); err != nil {
				return nil, err
			}
		}
		a.Items = s
	default:
		raw := make([]byte, int64(n)*minSize)
		if _, err := io.ReadFull(d.br, raw); err != nil {
			return nil, d.fail("file truncated in an array: %v", err)
		}
		d.off += int64(len(raw))
		a.Items = decodeNumeric(elem, raw, int(n))
	}
	return a, nil
}

func decodeNumeric(elem ValueType, raw []byte, n int) any {
	le := binary.LittleEndian
	switch elem {
	case TypeUint8:
		return raw
	case TypeInt8:
		return decodeAll(raw, n, 1, func(b []byte) int8 { return int8(b[0]) })
	case TypeBool:
		return decodeAll(raw, n, 1, func(b []byte) bool { return b[0] != 0 })
	case TypeUint16:
		return decodeAll(raw, n, 2, le.Uint16)
	case TypeInt16:
		return decodeAll(raw, n, 2, func(b []byte) int16 { return int16(le.Uint16(b)) })
	case TypeUint32:
		return decodeAll(raw, n, 4, le.Uint32)
	case TypeInt32:
		return decodeAll(raw, n, 4, func(b []byte) int32 { return int32(le.Uint32(b)) })
	case TypeFloat32:
		return decodeAll(raw, n, 4, func(b []byte) float32 { return math.Float32frombits(le.Uint32(b)) })
	case TypeUint64:
		return decodeAll(raw, n, 8, le.Uint64)
	case TypeInt64:
		return decodeAll(raw, n, 8, func(b []byte) int64 { return int64(le.Uint64(b)) })
	case TypeFloat64:
		return decodeAll(raw, n, 8, func(b []byte) float64 { return math.Float64frombits(le.Uint64(b)) })
	}
	return nil
}

// decodeAll decodes n fixed-size little-endian elements of size bytes each.
func decodeAll[T any](raw []byte, n, size int, dec func([]byte) T) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = dec(raw[size*i:])
	}
	return out
}

// checkLayout verifies that every tensor's data is aligned, lies inside the
// file and overlaps no other tensor.
func (f *File) checkLayout() error {
	if f.DataOffset > f.Size && len(f.Tensors) > 0 {
		return fmt.Errorf("data section starts at byte %d, past the end of the %d-byte file", f.DataOffset, f.Size)
	}
	dataLen := uint64(max(f.Size-f.DataOffset, 0))
	order := make([]int, len(f.Tensors))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return f.Tensors[order[a]].Offset < f.Tensors[order[b]].Offset })
	var end uint64
	prev := ""
	for k, i := range order {
		t := &f.Tensors[i]
		if t.Offset%f.Alignment != 0 {
			return fmt.Errorf("tensor %q: data offset %d is not a multiple of the alignment %d", t.Name, t.Offset, f.Alignment)
		}
		n := t.Size()
		if t.Offset > dataLen || n > dataLen-t.Offset {
			return fmt.Errorf("tensor %q: data [%d, +%d) runs past the end of the file (data section holds %d bytes)", t.Name, t.Offset, n, dataLen)
		}
		if k > 0 && t.Offset < end {
			return fmt.Errorf("tensor %q: data at offset %d overlaps tensor %q (ends at %d)", t.Name, t.Offset, prev, end)
		}
		if n > 0 {
			end, prev = t.Offset+n, t.Name
		}
	}
	return nil
}
