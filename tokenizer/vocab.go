// Package tokenizer implements llama.cpp's tokenizers as a GGUF file's
// tokenizer.ggml.* metadata describes them: SentencePiece ("llama":
// score-driven merges of UTF-8 characters, byte fallback through <0xXX>
// tokens, the leading-space rule) and GPT-2-style byte-level BPE ("gpt2":
// a pre-tokenizer regex per tokenizer.ggml.pre, byte-level mapping, merge
// ranks), with special/control/user-defined token handling and the BOS/EOS
// flags. Encode and Decode produce exactly what llama.cpp produces.
package tokenizer

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Token types as stored in tokenizer.ggml.token_type (llama_token_type).
const (
	TypeUndefined   int32 = 0
	TypeNormal      int32 = 1
	TypeUnknown     int32 = 2
	TypeControl     int32 = 3
	TypeUserDefined int32 = 4
	TypeUnused      int32 = 5
	TypeByte        int32 = 6
)

// attr mirrors llama_token_attr: the per-token flags llama.cpp derives from
// the token type (plus a few name-based overrides).
type attr uint16

const (
	attrUndefined   attr = 0
	attrUnknown     attr = 1 << 0
	attrUnused      attr = 1 << 1
	attrNormal      attr = 1 << 2
	attrControl     attr = 1 << 3
	attrUserDefined attr = 1 << 4
	attrByte        attr = 1 << 5
	attrLStrip      attr = 1 << 7
	attrRStrip      attr = 1 << 8
)

func typeToAttr(t int32) attr {
	switch t {
	case TypeUnknown:
		return attrUnknown
	case TypeUnused:
		return attrUnused
	case TypeNormal:
		return attrNormal
	case TypeControl:
		return attrControl
	case TypeUserDefined:
		return attrUserDefined
	case TypeByte:
		return attrByte
	}
	return attrUndefined
}

// Vocab is the raw vocabulary a Tokenizer is built from. Scores and Types
// may be nil (llama.cpp then uses score 0 and type NORMAL for every token);
// otherwise they must have one entry per token. Special ids are -1 when the
// vocabulary has none; EOT = -1 lets New look for the usual end-of-turn
// token texts ("<|eot_id|>", "<|im_end|>", ...) the way llama.cpp does.
//
// Model "gpt2" makes a byte-level BPE tokenizer: Merges ("left right", in
// rank order) and Pre (a tokenizer.ggml.pre name, see PreTokenizers) are
// then required; IgnoreMerges takes a word that is a token whole, and
// CleanSpaces makes Decode remove spaces before punctuation, as llama.cpp
// does per pre-tokenizer (PreDefaults gives its settings).
type Vocab struct {
	Model                          string // "llama" (or "") or "gpt2"
	Tokens                         []string
	Scores                         []float32
	Types                          []int32
	Merges                         []string
	Pre                            string
	BOS, EOS, UNK, PAD, EOT        int32
	AddBOS, AddEOS, AddSpacePrefix bool
	IgnoreMerges, CleanSpaces      bool
}

// Tokenizer is an immutable SentencePiece tokenizer; it is safe for
// concurrent use.
type Tokenizer struct {
	tokens []string  // token texts ("" replaced by "[EMPTY_i]", as llama.cpp does)
	scores []float32 // merge scores
	attrs  []attr
	ids    map[string]int32
	pieces []string   // token_to_piece(id, special=true)
	bytes  [256]int32 // byte-fallback token per byte value, -1 if none
	maxLen int        // longest token text in bytes
	sep    [256]bool  // ASCII bytes in no token longer than one byte (segment ends)
	spec   []int32    // special-token cache: control/user-defined/unknown ids, longest text first
	eog    map[int32]struct{}

	bos, eos, unk, pad, eot int32
	addBOS, addEOS          bool
	addSpacePrefix          bool
	cleanSpaces             bool
	bpe                     *bpeModel // nil for SentencePiece
	hash                    string
}

// extra carries what FromMetadata knows beyond Vocab: further special ids
// (-1 = auto-detect by text) and the model name, which selects llama.cpp's
// per-model attribute overrides.
type extra struct {
	eom, fimPre, fimSuf, fimMid, fimPad, fimRep, fimSep int32
	modelName                                           string
}

func noExtra() extra {
	return extra{eom: -1, fimPre: -1, fimSuf: -1, fimMid: -1, fimPad: -1, fimRep: -1, fimSep: -1}
}

// New validates v and builds a Tokenizer from it.
func New(v Vocab) (*Tokenizer, error) {
	return newTokenizer(v, noExtra())
}

func newTokenizer(v Vocab, x extra) (*Tokenizer, error) {
	n := len(v.Tokens)
	if n == 0 {
		return nil, errors.New("tokenizer: vocabulary has no tokens")
	}
	if n > 1<<31-1 {
		return nil, fmt.Errorf("tokenizer: vocabulary has %d tokens, more than an int32 id can address", n)
	}
	if v.Scores != nil && len(v.Scores) != n {
		return nil, fmt.Errorf("tokenizer: %d scores for %d tokens", len(v.Scores), n)
	}
	if v.Types != nil && len(v.Types) != n {
		return nil, fmt.Errorf("tokenizer: %d token types for %d tokens", len(v.Types), n)
	}
	for _, s := range []struct {
		name string
		id   int32
	}{{"BOS", v.BOS}, {"EOS", v.EOS}, {"UNK", v.UNK}, {"PAD", v.PAD}, {"EOT", v.EOT}} {
		if s.id < -1 || s.id >= int32(n) {
			return nil, fmt.Errorf("tokenizer: %s id %d is outside the vocabulary [0, %d) (use -1 for none)", s.name, s.id, n)
		}
	}
	if v.AddBOS && v.BOS < 0 {
		return nil, errors.New("tokenizer: AddBOS is set but the vocabulary has no BOS token")
	}
	if v.AddEOS && v.EOS < 0 {
		return nil, errors.New("tokenizer: AddEOS is set but the vocabulary has no EOS token")
	}
	var pre preKind
	switch v.Model {
	case "", "llama":
	case "gpt2":
		d, ok := preTable[v.Pre]
		if !ok {
			return nil, fmt.Errorf("tokenizer: BPE pre-tokenizer %q is not supported (supported: %s)", v.Pre, strings.Join(PreTokenizers(), ", "))
		}
		pre = d.kind
	default:
		return nil, fmt.Errorf("tokenizer: tokenizer model %q is not supported (only \"llama\" and \"gpt2\")", v.Model)
	}

	t := &Tokenizer{
		tokens: make([]string, n),
		scores: make([]float32, n),
		attrs:  make([]attr, n),
		ids:    make(map[string]int32, n),
		bos:    v.BOS, eos: v.EOS, unk: v.UNK, pad: v.PAD, eot: v.EOT,
		addBOS: v.AddBOS, addEOS: v.AddEOS, addSpacePrefix: v.AddSpacePrefix,
		cleanSpaces: v.CleanSpaces,
		hash:        vocabHash(v),
	}
	for i, s := range v.Tokens {
		if s == "" {
			s = "[EMPTY_" + strconv.Itoa(i) + "]"
		}
		if j, dup := t.ids[s]; dup {
			return nil, fmt.Errorf("tokenizer: token %d %q duplicates token %d", i, s, j)
		}
		t.ids[s] = int32(i)
		t.tokens[i] = s
		t.maxLen = max(t.maxLen, len(s))
		if v.Scores != nil {
			t.scores[i] = v.Scores[i]
		}
		t.attrs[i] = attrNormal
		if v.Types != nil {
			t.attrs[i] = typeToAttr(v.Types[i])
		}
	}

	t.detectSpecial(x)
	t.applyModelOverrides(x.modelName)
	t.buildSpecialCache()
	t.buildByteTable()
	t.buildSepTable()
	if pre != 0 {
		var err error
		if t.bpe, err = newBPEModel(t, v.Merges, pre, v.IgnoreMerges); err != nil {
			return nil, err
		}
	}
	t.pieces = make([]string, n)
	for i := range t.pieces {
		t.pieces[i] = t.rawPiece(int32(i))
	}
	return t, nil
}

// buildSpecialCache collects the tokens that are matched literally before
// SentencePiece runs (control, user-defined and unknown), longest text first.
func (t *Tokenizer) buildSpecialCache() {
	for i, a := range t.attrs {
		if a&(attrControl|attrUserDefined|attrUnknown) != 0 {
			t.spec = append(t.spec, int32(i))
		}
	}
	// llama.cpp uses an unstable sort on length alone; ties are kept in id
	// order here, which only matters for equally long tokens that overlap.
	sort.SliceStable(t.spec, func(a, b int) bool {
		return len(t.tokens[t.spec[a]]) > len(t.tokens[t.spec[b]])
	})
}

// buildByteTable resolves each byte's fallback token: "<0xXX>", else the
// byte itself as a one-byte token, else -1.
func (t *Tokenizer) buildByteTable() {
	const hex = "0123456789ABCDEF"
	for b := 0; b < 256; b++ {
		name := string([]byte{'<', '0', 'x', hex[b>>4], hex[b&15], '>'})
		id, ok := t.ids[name]
		if !ok {
			id, ok = t.ids[string([]byte{byte(b)})]
		}
		if !ok {
			id = -1
		}
		t.bytes[b] = id
	}
}

// buildSepTable marks the ASCII bytes that appear in no token longer than
// one byte: SentencePiece merging can never join such a byte to its
// neighbours, so the text can be merged in segments ending at it.
func (t *Tokenizer) buildSepTable() {
	for b := 0; b < 0x80; b++ {
		t.sep[b] = true
	}
	for _, s := range t.tokens {
		if len(s) < 2 {
			continue
		}
		for i := 0; i < len(s); i++ {
			t.sep[s[i]] = false
		}
	}
	for b := 0x80; b < 256; b++ {
		t.sep[b] = false
	}
}

// NVocab returns the number of tokens.
func (t *Tokenizer) NVocab() int { return len(t.tokens) }

// BOS returns the beginning-of-sequence id (-1 if none).
func (t *Tokenizer) BOS() int32 { return t.bos }

// EOS returns the end-of-sequence id (-1 if none).
func (t *Tokenizer) EOS() int32 { return t.eos }

// UNK returns the unknown-token id (-1 if none).
func (t *Tokenizer) UNK() int32 { return t.unk }

// PAD returns the padding id (-1 if none).
func (t *Tokenizer) PAD() int32 { return t.pad }

// EOT returns the end-of-turn id (-1 if none).
func (t *Tokenizer) EOT() int32 { return t.eot }

// AddBOS reports whether Encode with addSpecial prepends BOS.
func (t *Tokenizer) AddBOS() bool { return t.addBOS }

// AddEOS reports whether Encode with addSpecial appends EOS.
func (t *Tokenizer) AddEOS() bool { return t.addEOS }

// AddSpacePrefix reports whether a space is put before the text (and after
// every special token) before tokenizing.
func (t *Tokenizer) AddSpacePrefix() bool { return t.addSpacePrefix }

// IsEOG reports whether id ends generation (EOS, EOT and llama.cpp's other
// end-of-generation tokens).
func (t *Tokenizer) IsEOG(id int32) bool {
	_, ok := t.eog[id]
	return ok
}

// Token returns the stored text of token id ("" when out of range).
func (t *Tokenizer) Token(id int32) string {
	if id < 0 || int(id) >= len(t.tokens) {
		return ""
	}
	return t.tokens[id]
}

// Score returns the merge score of token id (0 when out of range).
func (t *Tokenizer) Score(id int32) float32 {
	if id < 0 || int(id) >= len(t.scores) {
		return 0
	}
	return t.scores[id]
}

// ID returns the id of the token whose stored text is exactly s.
func (t *Tokenizer) ID(s string) (int32, bool) {
	id, ok := t.ids[s]
	return id, ok
}

// Hash returns the hex sha256 of the vocabulary (tokens, score bits, types),
// identifying it for provenance records.
func (t *Tokenizer) Hash() string { return t.hash }
