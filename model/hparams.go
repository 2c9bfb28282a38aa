package model

import (
	"fmt"
	"math"

	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/internal/llamahp"
)

// Architecture is the only general.architecture this package evaluates.
const Architecture = llamahp.Architecture

// maxVocab bounds the rows of token_embd.weight (see llamahp's limits).
const maxVocab = llamahp.MaxVocab

// Hparams are the llama hyperparameters, decoded once from GGUF metadata
// and validated by package llamahp.
type Hparams llamahp.Hparams

// QDim is the width of the query projection (Heads·HeadDim).
func (h Hparams) QDim() int { return h.Heads * h.HeadDim }

// KVDim is the width of the key and value projections (KVHeads·HeadDim).
func (h Hparams) KVDim() int { return h.KVHeads * h.HeadDim }

// keyer returns a function prefixing names with "<arch>.".
func keyer(arch string) func(string) string {
	return func(name string) string { return arch + "." + name }
}

// ParseHparams decodes and validates the llama hyperparameters in md with
// llamahp.Parse (the rules the converter applies too), then what only this
// forward pass needs: linear (or no) RoPE scaling and no experts. vocab is
// the number of rows of token_embd.weight.
func ParseHparams(md gguf.Metadata, vocab int) (Hparams, error) {
	lh, err := llamahp.Parse(md, vocab)
	if err != nil {
		return Hparams{}, err
	}
	h := Hparams(lh)
	key := keyer(h.Arch)
	if h.RopeScale, err = ropeScale(md, key); err != nil {
		return Hparams{}, err
	}
	if _, ok := md.Get(key("expert_count")); ok {
		if n, _ := md.Int(key("expert_count")); n > 0 {
			return Hparams{}, fmt.Errorf("metadata key %q = %d: mixture-of-experts models are not supported", key("expert_count"), n)
		}
	}
	return h, nil
}

// ropeScale returns the frequency scale of linear RoPE scaling (1 when
// none); other scaling types are rejected.
func ropeScale(md gguf.Metadata, key func(string) string) (float32, error) {
	typ := "linear"
	if _, ok := md.Get(key("rope.scaling.type")); ok {
		s, err := md.String(key("rope.scaling.type"))
		if err != nil {
			return 0, err
		}
		typ = s
	}
	if typ != "linear" && typ != "none" {
		return 0, fmt.Errorf("metadata key %q = %q: only linear RoPE scaling is supported", key("rope.scaling.type"), typ)
	}
	var factor float32
	for _, name := range []string{"rope.scaling.factor", "rope.scale_linear"} {
		if _, ok := md.Get(key(name)); ok {
			f, err := md.Float32(key(name))
			if err != nil {
				return 0, err
			}
			if f < 0 || math.IsInf(float64(f), 0) || f != f {
				return 0, fmt.Errorf("metadata key %q = %g is not a valid scale factor", key(name), f)
			}
			factor = f
			break
		}
	}
	if factor == 0 || typ == "none" {
		// llama.cpp never scales when the type is "none".
		return 1, nil
	}
	return 1 / factor, nil
}
