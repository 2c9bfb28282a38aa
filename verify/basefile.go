package verify

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"math"
	"os"
	"path/filepath"
)

// Base-statistics file layout (all little-endian):
//
//	magic "ZQKLBASE", uint32 version (1)
//	uint32 k, n_ctx, n_vocab, n_chunks; uint8 add_bos; int32 bos
//	3 strings (uint32 length + bytes): tokenizer vocabulary hash, sha256 of
//	  the base model file, sha256 of the text file (hex)
//	n_chunks·n_ctx int32: the text's tokens (chunk starts not replaced by BOS)
//	per chunk, per scored position: float64 nll, float32 logZ, k int32 ids,
//	  k float32 log-probabilities
//	32 bytes: sha256 of everything above
const (
	baseMagic   = "ZQKLBASE"
	baseVersion = 1
	maxHashLen  = 256
	maxTokens   = 1 << 28
)

// BaseHeader describes a base-statistics file.
type BaseHeader struct {
	K         int
	NCtx      int
	NVocab    int
	NChunks   int
	AddBOS    bool
	BOS       int32
	VocabHash string // tokenizer vocabulary hash
	ModelSHA  string // sha256 of the base model file
	TextSHA   string // sha256 of the text file
	Tokens    []int32
}

// scored is the number of scored positions per chunk: n_ctx − 1 − n_ctx/2.
func scored(nCtx int) int { return nCtx - 1 - nCtx/2 }

// recordSize is the byte size of one record with k tokens.
func recordSize(k int) int64 { return 12 + 8*int64(k) }

// BaseWriter streams a base-statistics file to a temporary file beside its
// destination; Close renames it into place.
type BaseWriter struct {
	path, tmp string
	f         *os.File
	w         *bufio.Writer
	h         hash.Hash
	out       io.Writer
	hdr       BaseHeader
	records   int
	buf       []byte
	err       error
}

// CreateBase starts writing a base-statistics file at path.
func CreateBase(path string, hdr BaseHeader) (*BaseWriter, error) {
	if err := hdr.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, err
	}
	bw := &BaseWriter{path: path, tmp: f.Name(), f: f, w: bufio.NewWriterSize(f, 1<<20), h: sha256.New(), hdr: hdr}
	bw.out = io.MultiWriter(bw.w, bw.h)
	var b bytes.Buffer
	b.WriteString(baseMagic)
	for _, x := range []uint32{baseVersion, uint32(hdr.K), uint32(hdr.NCtx), uint32(hdr.NVocab), uint32(hdr.NChunks)} {
		binary.Write(&b, binary.LittleEndian, x)
	}
	b.WriteByte(boolByte(hdr.AddBOS))
	binary.Write(&b, binary.LittleEndian, hdr.BOS)
	for _, s := range []string{hdr.VocabHash, hdr.ModelSHA, hdr.TextSHA} {
		binary.Write(&b, binary.LittleEndian, uint32(len(s)))
		b.WriteString(s)
	}
	binary.Write(&b, binary.LittleEndian, hdr.Tokens)
	if _, err := bw.out.Write(b.Bytes()); err != nil {
		bw.Abort()
		return nil, err
	}
	return bw, nil
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// Write appends one record (len(r.IDs) must be the header's k).
func (bw *BaseWriter) Write(r *Record) error {
	if bw.err != nil {
		return bw.err
	}
	if len(r.IDs) != bw.hdr.K || len(r.LogP) != bw.hdr.K {
		return fmt.Errorf("record has %d tokens, file expects %d", len(r.IDs), bw.hdr.K)
	}
	b := bw.buf[:0]
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(r.NLL))
	b = binary.LittleEndian.AppendUint32(b, math.Float32bits(r.LogZ))
	for _, id := range r.IDs {
		b = binary.LittleEndian.AppendUint32(b, uint32(id))
	}
	for _, p := range r.LogP {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(p))
	}
	bw.buf = b
	if _, err := bw.out.Write(b); err != nil {
		bw.err = err
		return err
	}
	bw.records++
	return nil
}

// Close checks that every record was written, appends the checksum and
// renames the file into place.
func (bw *BaseWriter) Close() error {
	if bw.err != nil {
		bw.Abort()
		return bw.err
	}
	if want := bw.hdr.NChunks * scored(bw.hdr.NCtx); bw.records != want {
		bw.Abort()
		return fmt.Errorf("%s: %d records written, expected %d", bw.path, bw.records, want)
	}
	if _, err := bw.w.Write(bw.h.Sum(nil)); err != nil {
		bw.Abort()
		return err
	}
	if err := bw.w.Flush(); err != nil {
		bw.Abort()
		return err
	}
	if err := bw.f.Chmod(0o644); err != nil {
		bw.Abort()
		return err
	}
	if err := bw.f.Sync(); err != nil {
		bw.Abort()
		return err
	}
	if err := bw.f.Close(); err != nil {
		os.Remove(bw.tmp)
		return err
	}
	if err := os.Rename(bw.tmp, bw.path); err != nil {
		os.Remove(bw.tmp)
		return err
	}
	bw.f = nil
	return nil
}

// Abort discards the temporary file (a no-op after Close).
func (bw *BaseWriter) Abort() {
	if bw.f != nil {
		bw.f.Close()
		os.Remove(bw.tmp)
		bw.f = nil
	}
}

// check validates header fields against the format's bounds.
func (h BaseHeader) check() error {
	switch {
	case h.K < 1 || h.K > MaxTopK:
		return fmt.Errorf("top-k %d out of range [1, %d]", h.K, MaxTopK)
	case h.NCtx < 4 || h.NCtx > 1<<20:
		return fmt.Errorf("context size %d out of range [4, %d]", h.NCtx, 1<<20)
	case h.NVocab < h.K || h.NVocab > 1<<24:
		return fmt.Errorf("vocabulary size %d out of range [k=%d, %d]", h.NVocab, h.K, 1<<24)
	case h.NChunks < 1 || int64(h.NChunks)*int64(h.NCtx) > maxTokens:
		return fmt.Errorf("%d chunks of %d tokens out of range", h.NChunks, h.NCtx)
	case len(h.Tokens) != h.NChunks*h.NCtx:
		return fmt.Errorf("%d tokens, expected %d chunks × %d", len(h.Tokens), h.NChunks, h.NCtx)
	}
	for _, s := range []string{h.VocabHash, h.ModelSHA, h.TextSHA} {
		if len(s) > maxHashLen {
			return fmt.Errorf("hash string of %d bytes exceeds %d", len(s), maxHashLen)
		}
	}
	for i, t := range h.Tokens {
		if t < 0 || int(t) >= h.NVocab {
			return fmt.Errorf("token %d at index %d is outside the vocabulary [0, %d)", t, i, h.NVocab)
		}
	}
	return nil
}

// BaseFile is a loaded base-statistics file.
type BaseFile struct {
	BaseHeader
	SHA256 string // of the whole file
	data   []byte // the records
}

// LoadBase reads and verifies a base-statistics file.
func LoadBase(path string) (*BaseFile, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	bf, err := parseBase(raw)
	if err != nil {
		return nil, fmt.Errorf("base statistics %s: %w", path, err)
	}
	return bf, nil
}

// parseBase decodes a whole base-statistics file.
func parseBase(raw []byte) (*BaseFile, error) {
	if len(raw) < len(baseMagic)+4+32 || string(raw[:len(baseMagic)]) != baseMagic {
		return nil, fmt.Errorf("not a zq base-statistics file (magic %q expected)", baseMagic)
	}
	body, sum := raw[:len(raw)-32], raw[len(raw)-32:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, fmt.Errorf("checksum mismatch: the file is truncated or corrupt")
	}
	d := &reader{b: body[len(baseMagic):]}
	if v := d.u32(); v != baseVersion {
		return nil, fmt.Errorf("format version %d, this zq reads version %d", v, baseVersion)
	}
	var h BaseHeader
	h.K, h.NCtx, h.NVocab, h.NChunks = int(d.u32()), int(d.u32()), int(d.u32()), int(d.u32())
	h.AddBOS = d.byte() != 0
	h.BOS = int32(d.u32())
	for _, s := range []*string{&h.VocabHash, &h.ModelSHA, &h.TextSHA} {
		n := int(d.u32())
		if n > maxHashLen {
			return nil, fmt.Errorf("hash string of %d bytes exceeds %d", n, maxHashLen)
		}
		*s = string(d.bytes(n))
	}
	if d.err != nil {
		return nil, d.err
	}
	if h.K < 1 || h.K > MaxTopK || h.NCtx < 4 || h.NCtx > 1<<20 || h.NChunks < 1 || int64(h.NChunks)*int64(h.NCtx) > maxTokens {
		return nil, fmt.Errorf("header out of range: k=%d n_ctx=%d n_chunks=%d", h.K, h.NCtx, h.NChunks)
	}
	nTok := h.NChunks * h.NCtx
	want := int64(4*nTok) + int64(h.NChunks*scored(h.NCtx))*recordSize(h.K)
	if int64(len(d.b)) != want {
		return nil, fmt.Errorf("%d bytes after the header, expected %d for k=%d, n_ctx=%d, %d chunks", len(d.b), want, h.K, h.NCtx, h.NChunks)
	}
	h.Tokens = make([]int32, nTok)
	for i := range h.Tokens {
		h.Tokens[i] = int32(d.u32())
	}
	if err := h.check(); err != nil {
		return nil, err
	}
	all := sha256.Sum256(raw)
	return &BaseFile{BaseHeader: h, SHA256: hex.EncodeToString(all[:]), data: d.b}, nil
}

// Record decodes record i (chunk·scored + position) into r.
func (bf *BaseFile) Record(i int, r *Record) error {
	n := bf.NChunks * scored(bf.NCtx)
	if i < 0 || i >= n {
		return fmt.Errorf("record %d out of range [0, %d)", i, n)
	}
	k := bf.K
	b := bf.data[int64(i)*recordSize(k):]
	r.NLL = math.Float64frombits(binary.LittleEndian.Uint64(b))
	r.LogZ = math.Float32frombits(binary.LittleEndian.Uint32(b[8:]))
	if cap(r.IDs) < k {
		r.IDs, r.LogP = make([]int32, k), make([]float32, k)
	}
	r.IDs, r.LogP = r.IDs[:k], r.LogP[:k]
	for j := 0; j < k; j++ {
		id := int32(binary.LittleEndian.Uint32(b[12+4*j:]))
		if id < 0 || int(id) >= bf.NVocab {
			return fmt.Errorf("record %d: token id %d outside the vocabulary [0, %d)", i, id, bf.NVocab)
		}
		r.IDs[j] = id
		r.LogP[j] = math.Float32frombits(binary.LittleEndian.Uint32(b[12+4*k+4*j:]))
	}
	if math.IsNaN(r.NLL) || math.IsInf(r.NLL, 0) || r.NLL < -1e-3 {
		return fmt.Errorf("record %d: invalid nll %g", i, r.NLL)
	}
	return nil
}

// reader decodes little-endian fields, remembering the first overrun.
type reader struct {
	b   []byte
	err error
}

func (d *reader) bytes(n int) []byte {
	if d.err != nil || n > len(d.b) {
		d.err = fmt.Errorf("header truncated")
		return nil
	}
	x := d.b[:n]
	d.b = d.b[n:]
	return x
}

func (d *reader) u32() uint32 {
	b := d.bytes(4)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(b)
}

func (d *reader) byte() byte {
	b := d.bytes(1)
	if b == nil {
		return 0
	}
	return b[0]
}
