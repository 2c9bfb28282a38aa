package llamahp

import (
	"math"
	"strings"
	"testing"

	"github.com/zqtool/zq/gguf"
)

// micro returns the metadata of a small valid llama model.
func micro() gguf.Metadata {
	var md gguf.Metadata
	md.Set("general.architecture", gguf.String("llama"))
	for k, v := range map[string]uint32{"embedding_length": 256, "feed_forward_length": 768, "block_count": 4,
		"attention.head_count": 8, "attention.head_count_kv": 2} {
		md.Set(Key(k), gguf.Uint32(v))
	}
	md.Set(Key("attention.layer_norm_rms_epsilon"), gguf.Float32(1e-5))
	md.Set(Key("rope.freq_base"), gguf.Float32(10000))
	return md
}

func TestParse(t *testing.T) {
	h, err := Parse(micro(), 4096)
	if err != nil || h.HeadDim != 32 || h.KVHeads != 2 || h.RopeDims != 32 || h.RopeScale != 1 {
		t.Fatalf("valid model: %+v, %v", h, err)
	}
	for _, tc := range []struct {
		name  string
		key   string
		value gguf.Value
		vocab int
		want  string
	}{
		{"zero epsilon", "attention.layer_norm_rms_epsilon", gguf.Float32(0), 4096, "not a positive epsilon"},
		{"negative epsilon", "attention.layer_norm_rms_epsilon", gguf.Float32(-1e-5), 4096, "not a positive epsilon"},
		{"NaN epsilon", "attention.layer_norm_rms_epsilon", gguf.Float32(float32(math.NaN())), 4096, "not a positive epsilon"},
		{"rope base 1", "rope.freq_base", gguf.Float32(1), 4096, "rope.freq_base"},
		{"infinite rope base", "rope.freq_base", gguf.Float32(float32(math.Inf(1))), 4096, "rope.freq_base"},
		{"heads not dividing the embedding", "attention.head_count", gguf.Uint32(6), 4096, "not a multiple"},
		{"kv heads not dividing heads", "attention.head_count_kv", gguf.Uint32(3), 4096, "not a multiple"},
		{"odd head size", "attention.key_length", gguf.Uint32(33), 4096, "must be even"},
		{"zero layers", "block_count", gguf.Uint32(0), 4096, "out of range"},
		{"huge feed-forward", "feed_forward_length", gguf.Uint32(MaxDim + 1), 4096, "out of range"},
		{"vocab disagrees with token_embd", "vocab_size", gguf.Uint32(100), 4096, "token_embd.weight has 4096 rows"},
		{"rope dims differ from head size", "rope.dimension_count", gguf.Uint32(16), 4096, "must equal the head size"},
		{"not llama", "", gguf.Value{}, 4096, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			md := micro()
			if tc.key == "" {
				md.Set("general.architecture", gguf.String("gpt2"))
				tc.want = "only llama, qwen2 and gemma2"
			} else {
				md.Set(Key(tc.key), tc.value)
			}
			if _, err := Parse(md, tc.vocab); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
