package hf

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/zqtool/zq/sentencepiece"
)

// GGUF token types (llama.h llama_token_type).
const (
	TokenNormal      int32 = 1
	TokenUnknown     int32 = 2
	TokenControl     int32 = 3
	TokenUserDefined int32 = 4
	TokenUnused      int32 = 5
	TokenByte        int32 = 6
)

// MaxVocab bounds the vocabulary size read from config.json or tokenizer files.
const MaxVocab = 1 << 22

// vocab is the three parallel token arrays written to GGUF.
type vocab struct {
	tokens []string
	scores []float32
	types  []int32
}

var (
	scoreUserDefined = float32(-1000.0)
	scorePad         = float32(-10000.0)
)

// spmVocab is llama.cpp's TextModel._create_vocab_sentencepiece: exactly N
// slots (N = cfg vocab_size, else the piece count) pre-filled with
// [PAD{i}], then the pieces, added_tokens.json and tokenizer_config.json's
// added_tokens_decoder.
func spmVocab(dir string, cfg *Config) (*vocab, error) {
	mpath := filepath.Join(dir, "tokenizer.model")
	data, err := readModelFile(mpath, sentencepiece.MaxFileSize)
	if err != nil {
		return nil, err
	}
	m, err := sentencepiece.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", mpath, err)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", mpath, err)
	}
	n := len(m.Pieces)
	if cfg != nil {
		if k, v := findKey(cfg.hp, []string{"vocab_size_per_layer_input", "vocab_size"}); k != "" && truthy(v) {
			i, ok := v.(pyInt)
			if !ok || i.big || i.v < 0 {
				return nil, fmt.Errorf("%s: key %q: is %s, expected a non-negative integer", cfg.Path, k, describeValue(v))
			}
			if i.v > MaxVocab {
				return nil, fmt.Errorf("%s: key %q: %d is more than the %d tokens zq accepts", cfg.Path, k, i.v, MaxVocab)
			}
			n = int(i.v)
		}
	}
	v := &vocab{tokens: make([]string, n), scores: make([]float32, n), types: make([]int32, n)}
	for i := range v.tokens {
		v.tokens[i] = "[PAD" + strconv.Itoa(i) + "]"
		v.scores[i] = scorePad
		v.types[i] = TokenUnused
	}
	for id, p := range m.Pieces {
		if id >= n {
			break // llama.cpp: "ignore tokens from …: id is out of range"
		}
		t := TokenNormal
		switch p.Type {
		case sentencepiece.Unknown:
			t = TokenUnknown
		case sentencepiece.Control:
			t = TokenControl
		case sentencepiece.Unused:
			t = TokenUnused
		case sentencepiece.Byte:
			t = TokenByte
		}
		v.tokens[id], v.scores[id], v.types[id] = p.Text, math.Float32frombits(p.ScoreBits), t
	}

	atPath := filepath.Join(dir, "added_tokens.json")
	at, err := optionalJSONObject(atPath)
	if err != nil {
		return nil, err
	}
	if at != nil {
		for _, k := range at.keys {
			id, err := tokenIndex(at.vals[k], atPath, k)
			if err != nil {
				return nil, err
			}
			if id >= int64(n) {
				continue
			}
			v.tokens[id], v.scores[id], v.types[id] = k, scoreUserDefined, TokenUserDefined
		}
	}

	tcPath := filepath.Join(dir, "tokenizer_config.json")
	tc, err := optionalJSONObject(tcPath)
	if err != nil {
		return nil, err
	}
	if tc != nil {
		if err := applyAddedTokensDecoder(v, tc, tcPath); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// tokenIndex validates a token id from a JSON file.
func tokenIndex(val any, path, key string) (int64, error) {
	i, ok := asPyInt(val)
	if !ok || i.v < 0 {
		return 0, fmt.Errorf("%s: key %q: id %s is not a non-negative integer", path, key, describeValue(val))
	}
	if i.big {
		return math.MaxInt64, nil
	}
	return i.v, nil
}

// applyAddedTokensDecoder overrides slots from tokenizer_config.json's
// added_tokens_decoder: CONTROL when special or special-looking, else
// USER_DEFINED with ▁ turned into spaces; score −1000.
func applyAddedTokensDecoder(v *vocab, tc *object, tcPath string) error {
	atd, ok := tc.get("added_tokens_decoder")
	if !ok || atd == nil {
		return nil
	}
	dec, ok := atd.(*object)
	if !ok {
		return fmt.Errorf("%s: key %q: is %s, expected an object", tcPath, "added_tokens_decoder", describe(atd))
	}
	for _, k := range dec.keys {
		key := "added_tokens_decoder." + k
		id, err := strconv.ParseInt(strings.TrimSpace(k), 10, 64)
		if err != nil || id < 0 {
			return fmt.Errorf("%s: key %q: %q is not a token id", tcPath, key, k)
		}
		entry, ok := dec.vals[k].(*object)
		if !ok {
			return fmt.Errorf("%s: key %q: is %s, expected an object", tcPath, key, describe(dec.vals[k]))
		}
		cv, _ := entry.get("content")
		content, ok := cv.(string)
		if !ok {
			return fmt.Errorf("%s: key %q: content is %s, expected a string", tcPath, key, describe(cv))
		}
		if id >= int64(len(v.tokens)) {
			continue
		}
		special, _ := entry.get("special")
		if truthy(special) || looksSpecial(content) {
			v.types[id] = TokenControl
		} else {
			content = strings.ReplaceAll(content, "▁", " ")
			v.types[id] = TokenUserDefined
		}
		v.scores[id] = scoreUserDefined
		v.tokens[id] = content
	}
	return nil
}

// looksSpecial is llama.cpp's TextModel.does_token_look_special.
func looksSpecial(t string) bool {
	switch t {
	case "<pad>", "<mask>", "<2mass>", "[@BOS@]":
		return true
	}
	return strings.HasPrefix(t, "<|") && strings.HasSuffix(t, "|>") ||
		strings.HasPrefix(t, "<｜") && strings.HasSuffix(t, "｜>") ||
		strings.HasPrefix(t, "<unused") && strings.HasSuffix(t, ">")
}
