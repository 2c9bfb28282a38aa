package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/bits"
	"slices"
	"strings"
	"unicode/utf8"

	st "github.com/nlpodyssey/safetensors"
)

// MaxHeaderSize bounds the JSON header of one file. Real headers are a few
// hundred KiB at most; the reference implementation allows 100 MB.
const MaxHeaderSize = 100 << 20

// parsedFile is the validated header of one safetensors file.
type parsedFile struct {
	tensors  []TensorInfo // sorted by name; Offset is absolute in the file
	metadata map[string]string
}

// parseFile validates the header of a whole safetensors file held in buf and
// returns its tensors with absolute byte ranges, sorted by name. shard is
// stored in each TensorInfo. Errors name the offending tensor but not the
// file; the caller adds that.
//
// The JSON itself is decoded by github.com/nlpodyssey/safetensors
// (Metadata.UnmarshalJSON), but only after the header length has been
// bounded here, and none of its own layout checks are relied on: its
// ReadMetadata reports holes, overlaps and size mismatches with messages that
// do not say which problem or which tensor, so every range is checked again
// below.
func parseFile(shard string, buf []byte) (*parsedFile, error) {
	if len(buf) < 8 {
		return nil, fmt.Errorf("file is %d bytes, too short for the 8-byte header length: truncated header", len(buf))
	}
	n := binary.LittleEndian.Uint64(buf)
	rest := uint64(len(buf) - 8)
	switch {
	case n > MaxHeaderSize:
		return nil, fmt.Errorf("header length %d exceeds the %d-byte limit (absurd header length)", n, MaxHeaderSize)
	case n > rest:
		return nil, fmt.Errorf("header length %d runs past the end of the file (%d bytes after the length field): truncated header", n, rest)
	case n < 2:
		return nil, fmt.Errorf("header length %d is too small for a JSON object", n)
	}
	hdr := buf[8 : 8+n]
	if err := checkHeaderJSON(hdr); err != nil {
		return nil, err
	}
	var md st.Metadata
	if err := json.Unmarshal(hdr, &md); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}

	dataStart := 8 + int64(n)
	dataLen := int64(rest - n)
	infos := md.Tensors()
	names := slices.Sorted(maps.Keys(infos))
	out := &parsedFile{
		tensors:  make([]TensorInfo, 0, len(names)),
		metadata: maps.Clone(md.Metadata()),
	}
	begins := make([]int64, len(names)) // relative to the data buffer
	for i, name := range names {
		t, begin, err := checkTensor(name, infos[name], dataLen)
		if err != nil {
			return nil, err
		}
		t.Shard = shard
		t.Offset = dataStart + begin
		begins[i] = begin
		out.tensors = append(out.tensors, t)
	}
	if err := checkTiling(out.tensors, begins, dataLen); err != nil {
		return nil, err
	}
	return out, nil
}

// checkHeaderJSON rejects headers that are not exactly one UTF-8 JSON object
// (optionally padded with whitespace). The library decoder would accept a
// bare null or ignore trailing garbage.
func checkHeaderJSON(hdr []byte) error {
	if !utf8.Valid(hdr) {
		return errors.New("header is not valid UTF-8")
	}
	if !json.Valid(hdr) {
		var v any
		err := json.Unmarshal(hdr, &v)
		return fmt.Errorf("header is not JSON: %v", err)
	}
	if t := bytes.TrimLeft(hdr, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return errors.New("header is not a JSON object")
	}
	// The library reports a non-object entry without naming it.
	var entries map[string]json.RawMessage
	if err := json.Unmarshal(hdr, &entries); err != nil {
		return fmt.Errorf("header: %w", err)
	}
	for _, name := range slices.Sorted(maps.Keys(entries)) {
		v := bytes.TrimLeft(entries[name], " \t\r\n")
		if name == "__metadata__" && bytes.Equal(v, []byte("null")) {
			continue
		}
		if len(v) == 0 || v[0] != '{' {
			return fmt.Errorf("header entry %q is not a JSON object", name)
		}
	}
	return nil
}

// checkTensor validates one header entry against a data buffer of dataLen
// bytes and returns its info (without Shard and Offset) and its begin offset
// relative to the data buffer.
func checkTensor(name string, info *st.TensorInfo, dataLen int64) (TensorInfo, int64, error) {
	dt, err := fromLib(info.DType)
	if err != nil {
		return TensorInfo{}, 0, fmt.Errorf("tensor %q: %w", name, err)
	}
	shape := make([]int64, len(info.Shape))
	numel := uint64(1)
	for i, d := range info.Shape {
		hi, lo := bits.Mul64(numel, d)
		if d > math.MaxInt64 || hi != 0 || lo > math.MaxInt64 {
			return TensorInfo{}, 0, fmt.Errorf("tensor %q: shape %v: element count overflows int64", name, info.Shape)
		}
		numel = lo
		shape[i] = int64(d)
	}
	hi, nbytes := bits.Mul64(numel, uint64(dt.Size()))
	if hi != 0 || nbytes > math.MaxInt64 {
		return TensorInfo{}, 0, fmt.Errorf("tensor %q: shape %v × %s: byte size overflows int64", name, info.Shape, dt)
	}
	b, e := info.DataOffsets[0], info.DataOffsets[1]
	switch {
	case e < b:
		return TensorInfo{}, 0, fmt.Errorf("tensor %q: data_offsets [%d, %d] end before they begin", name, b, e)
	case e > uint64(dataLen):
		return TensorInfo{}, 0, fmt.Errorf("tensor %q: data_offsets [%d, %d] out of range: the data buffer has %d bytes (truncated data?)", name, b, e, dataLen)
	case e-b != nbytes:
		return TensorInfo{}, 0, fmt.Errorf("tensor %q: data_offsets [%d, %d] span %d bytes but shape %v × %s needs %d (shape/length mismatch)", name, b, e, e-b, info.Shape, dt, nbytes)
	}
	return TensorInfo{Name: name, DType: dt, Shape: shape, Size: int64(nbytes)}, int64(b), nil
}

// checkTiling verifies that the tensors cover [0, dataLen) of the data
// buffer exactly once. begins[i] is tensors[i]'s offset in the data buffer.
func checkTiling(tensors []TensorInfo, begins []int64, dataLen int64) error {
	order := make([]int, len(tensors))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := cmpInt64(begins[a], begins[b]); c != 0 {
			return c
		}
		if c := cmpInt64(tensors[a].Size, tensors[b].Size); c != 0 {
			return c
		}
		return strings.Compare(tensors[a].Name, tensors[b].Name)
	})
	var cursor int64
	prev := -1
	for _, i := range order {
		b := begins[i]
		switch {
		case b > cursor:
			return fmt.Errorf("hole: data bytes [%d, %d) before tensor %q belong to no tensor", cursor, b, tensors[i].Name)
		case b < cursor:
			return fmt.Errorf("tensor %q data [%d, %d) overlaps tensor %q", tensors[i].Name, b, b+tensors[i].Size, tensors[prev].Name)
		}
		cursor = b + tensors[i].Size
		prev = i
	}
	if cursor != dataLen {
		return fmt.Errorf("hole: trailing data bytes [%d, %d) belong to no tensor", cursor, dataLen)
	}
	return nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
