package convert

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"

	"github.com/zqtool/zq/codec"
	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/kernels"
	"github.com/zqtool/zq/safetensors"
)

// chunkElems is the target number of elements converted per chunk; it
// bounds the working memory of every worker (a few MiB).
const chunkElems = 1 << 20

// chunk is a range [a, b) of a tensor's Hugging Face dimension 0.
type chunk struct{ a, b int }

// chunks splits step i into pieces of about chunkElems elements, aligned to
// the permutation group so a chunk never splits a head.
func (p *Plan) chunks(i int) []chunk {
	s := p.srcs[i]
	per := max(1, chunkElems/max(1, s.unitElems))
	if s.group > 0 {
		per = max(s.group, per/s.group*s.group)
	}
	var out []chunk
	for a := 0; a < s.units; a += per {
		out = append(out, chunk{a, min(a+per, s.units)})
	}
	return out
}

// unitBytes is the output size of one dimension-0 slice of step i.
func (p *Plan) unitBytes(i int) int {
	return int(p.infos[i].Size()) / p.srcs[i].units
}

// scratch holds one worker's reusable buffers.
type scratch struct {
	raw, tmp []byte
	f32      []float32
}

func grow[T any](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n)
	}
	return b[:n]
}

// Data returns tensor i's final bytes (its output type), computed from the
// checkpoint on demand, in parallel over chunks.
func (p *Plan) Data(i int) ([]byte, error) {
	if i < 0 || i >= len(p.steps) {
		return nil, fmt.Errorf("tensor index %d out of range (plan has %d tensors)", i, len(p.steps))
	}
	dst := make([]byte, p.infos[i].Size())
	cs := p.chunks(i)
	ub := p.unitBytes(i)
	errs := make([]error, len(cs))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < min(p.threads, len(cs)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var sc scratch
			for k := range next {
				c := cs[k]
				errs[k] = p.produce(i, c, dst[c.a*ub:c.b*ub], &sc)
			}
		}()
	}
	for k := range cs {
		next <- k
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return dst, nil
}

// produce writes the output bytes of chunk c of step i into dst.
func (p *Plan) produce(i int, c chunk, dst []byte, sc *scratch) error {
	s := p.srcs[i]
	step := &p.steps[i]
	n := (c.b - c.a) * s.unitElems
	if step.Generated != "" {
		kernels.F32ToBytesRow(dst, s.values[c.a*s.unitElems:c.b*s.unitElems])
		return nil
	}
	es := s.tensor.DType.Size()
	raw, err := p.readSource(s, c, sc)
	if err != nil {
		return fmt.Errorf("tensor %q (from %q): %w", step.Name, s.tensor.Name, err)
	}
	src := s.tensor.DType
	switch {
	case s.shift != 0:
	case step.Type == ggml.TypeF32 && src == safetensors.F32,
		step.Type == ggml.TypeF16 && src == safetensors.F16:
		copy(dst, raw)
		return nil
	}
	f := grow(sc.f32, n)
	sc.f32 = f
	decode(f, raw[:n*es], src)
	if s.shift != 0 {
		shift(f, s.shift, src, raw[:n*es])
	}
	switch step.Type {
	case ggml.TypeF32:
		kernels.F32ToBytesRow(dst, f)
	case ggml.TypeF16:
		kernels.F32ToF16Row(dst, f)
	case ggml.TypeBF16:
		kernels.F32ToBF16Row(dst, f)
	default:
		if err := codec.Quantize(step.Type, dst, f, int(step.Dims[0]), nil, 1); err != nil {
			return fmt.Errorf("tensor %q: %w", step.Name, err)
		}
	}
	return nil
}

// readSource reads the raw source bytes of chunk c, rows already in output
// order (un-permuted for RoPE when the step asks for it).
func (p *Plan) readSource(s sourceInfo, c chunk, sc *scratch) ([]byte, error) {
	f := p.files[s.tensor.Shard]
	ub := s.unitElems * s.tensor.DType.Size()
	n := (c.b - c.a) * ub
	off := s.tensor.Offset + int64(c.a*ub)
	if s.group == 0 {
		sc.raw = grow(sc.raw, n)
		return sc.raw, readFull(f, sc.raw, off, s.tensor.Shard)
	}
	sc.tmp = grow(sc.tmp, n)
	if err := readFull(f, sc.tmp, off, s.tensor.Shard); err != nil {
		return nil, err
	}
	sc.raw = grow(sc.raw, n)
	permuteRows(sc.raw, sc.tmp, s.group, ub)
	return sc.raw, nil
}

// readFull reads exactly len(b) bytes at off, naming the shard on failure
// (a shard truncated after it was opened reports here, never as a crash).
func readFull(r io.ReaderAt, b []byte, off int64, shard string) error {
	n, err := r.ReadAt(b, off)
	if n == len(b) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("%s: reading %d bytes at offset %d: %w", shard, len(b), off, err)
}

// permuteRows undoes Hugging Face's rotate-half permutation of q/k rows
// (LlamaModel.permute): within each group of d rows, output row 2j+i takes
// input row i·d/2+j. Rows are rowBytes long; len(src) is a multiple of
// d·rowBytes.
func permuteRows(dst, src []byte, d, rowBytes int) {
	half := d / 2
	for g := 0; g < len(src); g += d * rowBytes {
		for o := 0; o < d; o++ {
			in := (o%2)*half + o/2
			copy(dst[g+o*rowBytes:g+(o+1)*rowBytes], src[g+in*rowBytes:g+(in+1)*rowBytes])
		}
	}
}

// decode widens raw little-endian source values to float32 exactly (F64
// rounds to nearest).
func decode(dst []float32, raw []byte, dt safetensors.DType) {
	switch dt {
	case safetensors.BF16:
		kernels.BF16ToF32Row(dst, raw)
	case safetensors.F16:
		kernels.F16ToF32Row(dst, raw)
	case safetensors.F32:
		kernels.BytesToF32Row(dst, raw)
	case safetensors.F64:
		for i := range dst {
			dst[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:])))
		}
	}
}

// shift adds d to every value as llama.cpp's converter does after its
// dtype promotion: BF16 and F64 sources are widened to F32 first, so the
// sum is an F32; an F16 source stays F16, so the sum is rounded to F16.
// tmp (the raw source buffer, no longer needed) holds the rounded values.
func shift(f []float32, d float32, dt safetensors.DType, tmp []byte) {
	for i := range f {
		f[i] += d
	}
	if dt == safetensors.F16 {
		kernels.F32ToF16Row(tmp, f)
		decode(f, tmp[:2*len(f)], dt)
	}
}
