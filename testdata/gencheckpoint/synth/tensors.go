package synth

import "fmt"

// kind says how a tensor's values are distributed.
type kind int

const (
	kindMatrix kind = iota // a weight matrix: heavy-tailed, a few outlier columns
	kindEmbed              // token embeddings / output head
	kindNorm               // an RMSNorm gain vector around 1
)

// tensorSpec is one tensor of the checkpoint.
type tensorSpec struct {
	Name  string
	Shape []int // HF shape, outermost first
	Kind  kind
}

func (t tensorSpec) rows() int {
	if len(t.Shape) == 1 {
		return 1
	}
	return t.Shape[0]
}

func (t tensorSpec) cols() int { return t.Shape[len(t.Shape)-1] }

func (t tensorSpec) elements() int64 {
	n := int64(1)
	for _, d := range t.Shape {
		n *= int64(d)
	}
	return n
}

// tensorList returns the tensors in Hugging Face state-dict order.
func (s Spec) tensorList() []tensorSpec {
	d := s.headDim()
	q, kv := s.Heads*d, s.KVHeads*d
	ts := []tensorSpec{{"model.embed_tokens.weight", []int{s.Vocab, s.Hidden}, kindEmbed}}
	for l := 0; l < s.Layers; l++ {
		p := fmt.Sprintf("model.layers.%d.", l)
		ts = append(ts,
			tensorSpec{p + "self_attn.q_proj.weight", []int{q, s.Hidden}, kindMatrix},
			tensorSpec{p + "self_attn.k_proj.weight", []int{kv, s.Hidden}, kindMatrix},
			tensorSpec{p + "self_attn.v_proj.weight", []int{kv, s.Hidden}, kindMatrix},
			tensorSpec{p + "self_attn.o_proj.weight", []int{s.Hidden, q}, kindMatrix},
			tensorSpec{p + "mlp.gate_proj.weight", []int{s.FFN, s.Hidden}, kindMatrix},
			tensorSpec{p + "mlp.up_proj.weight", []int{s.FFN, s.Hidden}, kindMatrix},
			tensorSpec{p + "mlp.down_proj.weight", []int{s.Hidden, s.FFN}, kindMatrix},
			tensorSpec{p + "input_layernorm.weight", []int{s.Hidden}, kindNorm},
			tensorSpec{p + "post_attention_layernorm.weight", []int{s.Hidden}, kindNorm},
		)
	}
	ts = append(ts, tensorSpec{"model.norm.weight", []int{s.Hidden}, kindNorm})
	if !s.TieEmbeddings {
		ts = append(ts, tensorSpec{"lm_head.weight", []int{s.Vocab, s.Hidden}, kindEmbed})
	}
	return ts
}

// shardTensors splits the tensors, in order, into at most s.Shards groups of
// roughly equal byte size, the way transformers' save_pretrained fills
// shards up to a size limit.
func (s Spec) shardTensors(ts []tensorSpec, elemSize int) [][]tensorSpec {
	var total int64
	for _, t := range ts {
		total += t.elements() * int64(elemSize)
	}
	n := min(s.Shards, len(ts))
	limit := (total + int64(n) - 1) / int64(n)
	shards := make([][]tensorSpec, 1, n)
	var cur int64
	for _, t := range ts {
		b := t.elements() * int64(elemSize)
		if cur > 0 && cur+b > limit && len(shards) < n {
			shards = append(shards, nil)
			cur = 0
		}
		shards[len(shards)-1] = append(shards[len(shards)-1], t)
		cur += b
	}
	return shards
}
