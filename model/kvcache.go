package model

import (
	"fmt"
	"strings"

	"github.com/zqtool/zq/codec"
	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/kernels"
)

// CacheType is the element type of the fast path's KV cache.
type CacheType uint8

// The cache types (llama.cpp's --cache-type-k/-v names); F16 is the default.
const (
	CacheF16 CacheType = iota
	CacheF32
	CacheQ8_0
)

var cacheTypes = [...]struct {
	name string
	typ  ggml.Type
}{
	CacheF16:  {"f16", ggml.TypeF16},
	CacheF32:  {"f32", ggml.TypeF32},
	CacheQ8_0: {"q8_0", ggml.TypeQ8_0},
}

// String is llama.cpp's name of the type.
func (t CacheType) String() string {
	if int(t) < len(cacheTypes) {
		return cacheTypes[t].name
	}
	return fmt.Sprintf("CacheType(%d)", t)
}

// ParseCacheType reads f16, q8_0 or f32 (any case).
func ParseCacheType(s string) (CacheType, error) {
	for i, c := range cacheTypes {
		if strings.EqualFold(s, c.name) {
			return CacheType(i), nil
		}
	}
	return 0, fmt.Errorf("cache type %q: expected f16, q8_0 or f32", s)
}

// kvSide is the K or the V half of the cache: per layer nCtx positions of
// KVDim values encoded as typ, position-major (a head's values are
// contiguous).
type kvSide struct {
	typ       ggml.Type
	kern      kernels.MatKernel // the product of a cached row with a query
	rowBytes  int               // one position, all heads
	headBytes int               // one head
	layers    [][]byte
}

// kvCache is the fast path's cache.
type kvCache struct{ k, v kvSide }

// newKVSide allocates one half of the cache.
func newKVSide(h Hparams, nCtx int, t CacheType, what string) (kvSide, error) {
	if int(t) >= len(cacheTypes) {
		return kvSide{}, fmt.Errorf("%s cache type %v: expected f16, q8_0 or f32", what, t)
	}
	typ := cacheTypes[t].typ
	if h.HeadDim%typ.BlockSize() != 0 {
		return kvSide{}, fmt.Errorf("%s cache type %s needs a head size that is a multiple of %d; the model's is %d", what, t, typ.BlockSize(), h.HeadDim)
	}
	kern, ok := codec.MatKernelFor(typ)
	if !ok {
		return kvSide{}, fmt.Errorf("%s cache type %s has no product kernel", what, t)
	}
	rb, err := typ.RowSize(int64(h.KVDim()))
	if err != nil {
		return kvSide{}, err
	}
	hb, _ := typ.RowSize(int64(h.HeadDim))
	s := kvSide{typ: typ, kern: kern, rowBytes: int(rb), headBytes: int(hb), layers: make([][]byte, h.Layers)}
	for i := range s.layers {
		s.layers[i] = make([]byte, nCtx*s.rowBytes)
	}
	return s, nil
}

// newKVCache allocates the fast path's cache.
func newKVCache(h Hparams, nCtx int, k, v CacheType) (kvCache, error) {
	ks, err := newKVSide(h, nCtx, k, "K")
	if err != nil {
		return kvCache{}, err
	}
	vs, err := newKVSide(h, nCtx, v, "V")
	if err != nil {
		return kvCache{}, err
	}
	return kvCache{ks, vs}, nil
}

// store encodes n positions of KVDim floats (src) at position pos of layer
// il, as ggml's copy into the cache does (round to nearest F16, Q8_0 per
// block of 32).
func (s *kvSide) store(il, pos, n, kvd int, src []float32) {
	dst := s.layers[il][pos*s.rowBytes : (pos+n)*s.rowBytes]
	switch s.typ {
	case ggml.TypeF16:
		kernels.ActF16.Quantize(dst, src[:n*kvd]) // F32ToF16Row, in SIMD
	case ggml.TypeQ8_0:
		kernels.QuantizeQ8_0(dst, src[:n*kvd])
	default:
		kernels.F32ToBytesRow(dst, src[:n*kvd])
	}
}

// row returns head kvh's values at position j, encoded.
func (s *kvSide) row(il, j, kvh int) []byte {
	o := j*s.rowBytes + kvh*s.headBytes
	return s.layers[il][o : o+s.headBytes]
}

// decode writes the float32 values of an encoded head row.
func (s *kvSide) decode(dst []float32, src []byte) {
	switch s.typ {
	case ggml.TypeF16:
		kernels.F16ToF32Row(dst, src)
	case ggml.TypeQ8_0:
		kernels.DequantizeQ8_0(dst, src)
	default:
		kernels.BytesToF32Row(dst, src)
	}
}

// refCache is the reference path's float32 cache: per layer position-major
// KVDim floats.
type refCache struct{ k, v [][]float32 }

func newRefCache(h Hparams, nCtx int) refCache {
	kv := h.KVDim()
	r := refCache{make([][]float32, h.Layers), make([][]float32, h.Layers)}
	for i := range r.k {
		r.k[i] = make([]float32, nCtx*kv)
		r.v[i] = make([]float32, nCtx*kv)
	}
	return r
}

// workerScratch is one worker's private buffers.
type workerScratch struct {
	rows   []float32 // reference products: tileRows decoded weight rows
	scores []float32 // reference attention: nCtx weights; fast: a block
	q      []byte    // a KV head's query heads in the K kernel's activation format
	acc    []float32 // their attention accumulators (HeadDim each)
	m, s   []float32 // their running maximum and sum
	vrow   []float32 // a block of decoded V rows (attnBlock·HeadDim)
	half   []byte    // the F16 accumulators of an F16 V cache (HeadDim·2 each)
	row    []float32 // an F32 V cache: the query heads' score rows (attendGGML)
	lanes  []float32 // and the lane accumulators of one head's weighted sum
}

func newWorkerScratch(h Hparams, nCtx int, reference bool) workerScratch {
	if reference {
		widest := max(h.Embd, h.FF, h.QDim())
		return workerScratch{rows: make([]float32, tileRows*widest), scores: make([]float32, nCtx)}
	}
	g := h.Heads / h.KVHeads
	return workerScratch{
		scores: make([]float32, g*attnBlock),
		q:      make([]byte, g*(4*h.HeadDim+64)),
		acc:    make([]float32, g*h.HeadDim),
		m:      make([]float32, g),
		s:      make([]float32, g),
		vrow:   make([]float32, attnBlock*h.HeadDim),
		half:   make([]byte, 2*g*h.HeadDim),
	}
}
