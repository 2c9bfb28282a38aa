package quantize

import "strings"

// Kind is a tensor's role as llama.cpp's per-tensor type rules recognise it
// from the tensor's name.
type Kind int

// Tensor kinds, in the precedence order the rules test them.
const (
	KindOther      Kind = iota
	KindOutput          // output.weight, or token_embd.weight when there is no output.weight
	KindTokenEmbd       // token_embd.weight (or per_layer_token_embd.weight)
	KindAttnV           // name contains attn_v.weight
	KindAttnK           // name contains attn_k.weight
	KindAttnQ           // name contains attn_q.weight
	KindFFNDown         // name contains ffn_down
	KindAttnOutput      // name contains attn_output.weight
	KindAttnQKV         // name contains attn_qkv.weight
	KindFFNGate         // name contains ffn_gate
	KindFFNUp           // name contains ffn_up
)

var kindNames = [...]string{"other", "output", "token_embd", "attn_v", "attn_k", "attn_q",
	"ffn_down", "attn_output", "attn_qkv", "ffn_gate", "ffn_up"}

// String names the kind ("attn_v").
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "kind?"
	}
	return kindNames[k]
}

// Counted reports whether llama.cpp keeps a running counter for the kind
// (i_attention_wv, i_ffn_down, i_ffn_gate, i_ffn_up).
func (k Kind) Counted() bool {
	return k == KindAttnV || k == KindFFNDown || k == KindFFNGate || k == KindFFNUp
}

// Classify returns the kind of the tensor named name; hasOutput tells
// whether the model has an output.weight (without one the token embeddings
// double as the output and are treated as such).
func Classify(name string, hasOutput bool) Kind {
	switch {
	case name == "output.weight" || (!hasOutput && name == "token_embd.weight"):
		return KindOutput
	case name == "token_embd.weight" || name == "per_layer_token_embd.weight":
		return KindTokenEmbd
	case strings.Contains(name, "attn_v.weight"):
		return KindAttnV
	case strings.Contains(name, "attn_k.weight"):
		return KindAttnK
	case strings.Contains(name, "attn_q.weight"):
		return KindAttnQ
	case strings.Contains(name, "ffn_down"):
		return KindFFNDown
	case strings.Contains(name, "attn_output.weight"):
		return KindAttnOutput
	case strings.Contains(name, "attn_qkv.weight"):
		return KindAttnQKV
	case strings.Contains(name, "ffn_gate"):
		return KindFFNGate
	case strings.Contains(name, "ffn_up"):
		return KindFFNUp
	}
	return KindOther
}

// TensorRole is what the type rules need to know about one tensor.
type TensorRole struct {
	Name string
	Kind Kind
	// Index is llama.cpp's running counter for the kind: how many tensors of
	// the same kind went through the rules before this one, in visiting
	// order. For dense models it equals the layer index.
	Index int
	// Ne holds ne[0..3] (missing dimensions are 1).
	Ne [4]int64
}

// layerOf parses the layer number the way llama.cpp's sscanf("blk.%d.")
// does: "blk." followed by optional spaces, an optional sign and digits.
// It returns ok=false when there is no number.
func layerOf(name string) (int, bool) {
	s, ok := strings.CutPrefix(name, "blk.")
	if !ok {
		return 0, false
	}
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	n, digits := 0, 0
	for digits < len(s) && s[digits] >= '0' && s[digits] <= '9' {
		if n < 1<<30 {
			n = n*10 + int(s[digits]-'0')
		}
		digits++
	}
	if digits == 0 {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

// loaderLess orders tensor names as llama.cpp's model loader visits them:
// by layer number (names without one first), then byte-wise by name.
func loaderLess(a, b string) bool {
	la, oka := layerOf(a)
	lb, okb := layerOf(b)
	if !oka {
		la = -1
	}
	if !okb {
		lb = -1
	}
	if la != lb {
		return la < lb
	}
	return a < b
}
