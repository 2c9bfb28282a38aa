package tokenizer

import (
	"fmt"
	"strings"

	"github.com/zqtool/zq/gguf"
)

// GGUF metadata keys read by FromMetadata.
const (
	KeyModel          = "tokenizer.ggml.model"
	KeyTokens         = "tokenizer.ggml.tokens"
	KeyScores         = "tokenizer.ggml.scores"
	KeyTokenType      = "tokenizer.ggml.token_type"
	KeyBOS            = "tokenizer.ggml.bos_token_id"
	KeyEOS            = "tokenizer.ggml.eos_token_id"
	KeyEOT            = "tokenizer.ggml.eot_token_id"
	KeyEOM            = "tokenizer.ggml.eom_token_id"
	KeyUNK            = "tokenizer.ggml.unknown_token_id"
	KeyPAD            = "tokenizer.ggml.padding_token_id"
	KeyAddBOS         = "tokenizer.ggml.add_bos_token"
	KeyAddEOS         = "tokenizer.ggml.add_eos_token"
	KeyAddSpacePrefix = "tokenizer.ggml.add_space_prefix"
	KeyPre            = "tokenizer.ggml.pre"
	KeyMerges         = "tokenizer.ggml.merges"
	keyGeneralName    = "general.name"
)

// FromMetadata builds the tokenizer a GGUF file describes. The tokenizer
// model must be "llama" (SentencePiece) or "gpt2" (byte-level BPE, with
// tokenizer.ggml.merges and a tokenizer.ggml.pre zq implements). Missing
// optional keys take llama.cpp's defaults: for SentencePiece BOS 1, EOS 2,
// UNK 0, no PAD, add BOS, no EOS, add a space prefix; for BPE BOS and EOS
// 11, no UNK, add BOS as the pre-tokenizer says, no space prefix; scores 0,
// all tokens NORMAL. A special-token id outside the vocabulary is ignored
// (the default kept), as llama.cpp does.
func FromMetadata(md gguf.Metadata) (*Tokenizer, error) {
	model, err := md.String(KeyModel)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	if model != "llama" && model != "gpt2" {
		return nil, fmt.Errorf("tokenizer: %s is %q; only \"llama\" (SentencePiece) and \"gpt2\" (byte-level BPE) are supported", KeyModel, model)
	}

	tv, ok := md.Get(KeyTokens)
	if !ok {
		return nil, fmt.Errorf("tokenizer: metadata key %q is missing", KeyTokens)
	}
	tokens, ok := tv.AsStrings()
	if !ok {
		return nil, fmt.Errorf("tokenizer: metadata key %q has type %s, expected array[string]", KeyTokens, tv.Describe())
	}
	n := len(tokens)
	if n == 0 {
		return nil, fmt.Errorf("tokenizer: metadata key %q is an empty array", KeyTokens)
	}

	v := Vocab{Model: model, Tokens: tokens, BOS: 1, EOS: 2, UNK: 0, PAD: -1, EOT: -1,
		AddBOS: true, AddSpacePrefix: true}
	if model == "gpt2" {
		if err := readBPEKeys(md, &v); err != nil {
			return nil, err
		}
	}
	if sv, ok := md.Get(KeyScores); ok {
		s, ok := sv.AsFloat32s()
		if !ok {
			return nil, fmt.Errorf("tokenizer: metadata key %q has type %s, expected array[float32]", KeyScores, sv.Describe())
		}
		if len(s) != n {
			return nil, fmt.Errorf("tokenizer: metadata key %q has %d entries, expected %d (one per token)", KeyScores, len(s), n)
		}
		v.Scores = s
	}
	if yv, ok := md.Get(KeyTokenType); ok {
		y, ok := yv.AsInt32s()
		if !ok {
			return nil, fmt.Errorf("tokenizer: metadata key %q has type %s, expected array[int32]", KeyTokenType, yv.Describe())
		}
		if len(y) != n {
			return nil, fmt.Errorf("tokenizer: metadata key %q has %d entries, expected %d (one per token)", KeyTokenType, len(y), n)
		}
		v.Types = y
	}

	// Defaults a tiny vocabulary cannot hold become "none".
	for _, id := range []*int32{&v.BOS, &v.EOS, &v.UNK} {
		if *id >= int32(n) {
			*id = -1
		}
	}
	x := noExtra()
	for _, s := range []struct {
		key string
		id  *int32
	}{{KeyBOS, &v.BOS}, {KeyEOS, &v.EOS}, {KeyEOT, &v.EOT}, {KeyEOM, &x.eom}, {KeyUNK, &v.UNK}, {KeyPAD, &v.PAD},
		{"tokenizer.ggml.fim_pre_token_id", &x.fimPre}, {"tokenizer.ggml.fim_suf_token_id", &x.fimSuf},
		{"tokenizer.ggml.fim_mid_token_id", &x.fimMid}, {"tokenizer.ggml.fim_pad_token_id", &x.fimPad},
		{"tokenizer.ggml.fim_rep_token_id", &x.fimRep}, {"tokenizer.ggml.fim_sep_token_id", &x.fimSep},
		// deprecated spellings, read last as llama.cpp does
		{"tokenizer.ggml.prefix_token_id", &x.fimPre}, {"tokenizer.ggml.suffix_token_id", &x.fimSuf},
		{"tokenizer.ggml.middle_token_id", &x.fimMid},
	} {
		if _, ok := md.Get(s.key); !ok {
			continue
		}
		id, err := md.Int(s.key)
		if err != nil {
			return nil, fmt.Errorf("tokenizer: %w", err)
		}
		if id >= 0 && id < int64(n) {
			*s.id = int32(id)
		}
	}
	for _, s := range []struct {
		key string
		b   *bool
	}{{KeyAddBOS, &v.AddBOS}, {KeyAddEOS, &v.AddEOS}, {KeyAddSpacePrefix, &v.AddSpacePrefix}} {
		if _, ok := md.Get(s.key); !ok {
			continue
		}
		b, err := md.Bool(s.key)
		if err != nil {
			return nil, fmt.Errorf("tokenizer: %w", err)
		}
		*s.b = b
	}
	if name, err := md.String(keyGeneralName); err == nil {
		x.modelName = name
	}
	return newTokenizer(v, x)
}

// readBPEKeys reads the merges and the pre-tokenizer of a "gpt2" vocabulary
// and sets llama.cpp's BPE defaults.
func readBPEKeys(md gguf.Metadata, v *Vocab) error {
	mv, ok := md.Get(KeyMerges)
	if !ok {
		return fmt.Errorf("tokenizer: metadata key %q is missing (a \"gpt2\" vocabulary needs its merges)", KeyMerges)
	}
	merges, ok := mv.AsStrings()
	if !ok {
		return fmt.Errorf("tokenizer: metadata key %q has type %s, expected array[string]", KeyMerges, mv.Describe())
	}
	pre := ""
	if _, ok := md.Get(KeyPre); ok {
		p, err := md.String(KeyPre)
		if err != nil {
			return fmt.Errorf("tokenizer: %w", err)
		}
		pre = p
	}
	ignore, addBOS, clean, ok := PreDefaults(pre)
	if !ok {
		return fmt.Errorf("tokenizer: %s %q is not a BPE pre-tokenizer zq implements (supported: %s)", KeyPre, pre, strings.Join(PreTokenizers(), ", "))
	}
	v.Merges, v.Pre = merges, pre
	v.BOS, v.EOS, v.UNK = 11, 11, -1
	v.AddBOS, v.AddSpacePrefix = addBOS, false
	v.IgnoreMerges, v.CleanSpaces = ignore, clean
	return nil
}
