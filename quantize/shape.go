package quantize

import (
	"fmt"
	"strings"

	"github.com/zqtool/zq/gguf"
)

// ShapeFromModel reads the model-wide facts the type rules need from the
// metadata (general.architecture, <arch>.block_count, head counts, expert
// count) and counts the attention-value tensors and the output tensor.
func ShapeFromModel(md gguf.Metadata, tensors []gguf.TensorInfo) (ModelShape, error) {
	var s ModelShape
	arch, err := md.String("general.architecture")
	if err != nil {
		return s, err
	}
	s.Arch = arch
	n, err := md.Int(arch + ".block_count")
	if err != nil {
		return s, err
	}
	if n < 0 || n > 1<<20 {
		return s, fmt.Errorf("metadata key %q: %d layers is out of range", arch+".block_count", n)
	}
	s.NLayer = int(n)
	if s.NHead, err = firstInt(md, arch+".attention.head_count", 0); err != nil {
		return s, err
	}
	if s.NHeadKV, err = firstInt(md, arch+".attention.head_count_kv", s.NHead); err != nil {
		return s, err
	}
	if s.NExpert, err = firstInt(md, arch+".expert_count", 0); err != nil {
		return s, err
	}
	// llama.cpp's size class for the llama architecture: 80 layers with GQA
	// is "70B", and only that class changes a rule.
	s.Is70B = arch == "llama" && s.NExpert != 8 && s.NLayer == 80 && s.NHead != s.NHeadKV
	for _, t := range tensors {
		switch {
		case strings.Contains(t.Name, "attn_v.weight"), strings.Contains(t.Name, "attn_qkv.weight"),
			strings.Contains(t.Name, "attn_kv_b.weight"):
			s.NAttentionWV++
		case t.Name == "output.weight":
			s.HasOutput = true
		}
	}
	return s, nil
}

// firstInt reads an integer key, or the first element of an integer array
// (per-layer values), or returns def when the key is absent.
func firstInt(md gguf.Metadata, key string, def int) (int, error) {
	v, ok := md.Get(key)
	if !ok {
		return def, nil
	}
	if x, ok := v.AsInt64(); ok {
		if x < 0 || x > 1<<30 {
			return 0, fmt.Errorf("metadata key %q: value %d is out of range", key, x)
		}
		return int(x), nil
	}
	if a, ok := v.AsArray(); ok && a.Len() > 0 {
		if el, ok := arrayFirstInt(a); ok {
			if el < 0 || el > 1<<30 {
				return 0, fmt.Errorf("metadata key %q: value %d is out of range", key, el)
			}
			return int(el), nil
		}
	}
	return 0, fmt.Errorf("metadata key %q has type %s, expected an integer or an integer array", key, v.Describe())
}

// arrayFirstInt returns the first element of an integer array.
func arrayFirstInt(a *gguf.Array) (int64, bool) {
	switch xs := a.Items.(type) {
	case []uint8:
		return int64(xs[0]), true
	case []int8:
		return int64(xs[0]), true
	case []uint16:
		return int64(xs[0]), true
	case []int16:
		return int64(xs[0]), true
	case []uint32:
		return int64(xs[0]), true
	case []int32:
		return int64(xs[0]), true
	case []int64:
		return xs[0], true
	case []uint64:
		if xs[0] > 1<<62 {
			return 0, false
		}
		return int64(xs[0]), true
	}
	return 0, false
}
