package hf

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/zqtool/zq/gguf"
)

// Tokenizer returns the tokenizer.* keys llama.cpp's LlamaModel.set_vocab
// writes, in order: from tokenizer.model when present (tokenizer.ggml.model
// "llama", pre "default", tokens, scores, token_type), else from a
// SentencePiece-style tokenizer.json, else from a GPT-2-style byte-level
// BPE tokenizer.json (model "gpt2", pre named by llama.cpp's check-text
// hash, tokens, token_type, merges); then the special token ids, add_*_token
// flags and chat template, then tokenizer.ggml.add_space_prefix when
// tokenizer_config.json has add_prefix_space.
func Tokenizer(dir string, cfg *Config) (gguf.Metadata, error) {
	spmPath := filepath.Join(dir, "tokenizer.model")
	tj := newTokenizerJSON(dir)
	var v *vocab
	var err error
	switch {
	case isFile(spmPath): // llama.cpp: tokenizer_path.is_file()
		v, err = spmVocab(dir, cfg)
	case exists(tj.path):
		v, err = hfVocab(tj, cfg)
	default:
		return nil, fmt.Errorf("%s: neither tokenizer.model nor tokenizer.json found", dir)
	}
	var md gguf.Metadata
	switch {
	case errors.Is(err, errNotLlamaBPE): // Llama 3: _set_vocab_gpt2
		if md, err = gpt2Metadata(tj, cfg); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	default:
		if md, err = spmMetadata(tj, v); err != nil {
			return nil, err
		}
	}
	return llamaVocabTail(tj, cfg, md)
}

// TokenizerSPMOrGPT2 returns the tokenizer.* keys of the set_vocab most
// llama.cpp architectures use (Qwen2Model among them): SentencePiece from
// tokenizer.model when present, else GPT-2-style byte-level BPE from
// tokenizer.json, with nothing of Llama's extra keys.
func TokenizerSPMOrGPT2(dir string, cfg *Config) (gguf.Metadata, error) {
	tj := newTokenizerJSON(dir)
	if !isFile(filepath.Join(dir, "tokenizer.model")) {
		return gpt2Metadata(tj, cfg)
	}
	v, err := spmVocab(dir, cfg)
	if err != nil {
		return nil, err
	}
	return spmMetadata(tj, v)
}

// spmMetadata writes a SentencePiece vocabulary with its special tokens
// (_set_vocab_sentencepiece and _set_vocab_llama_hf).
func spmMetadata(tj *tokenizerJSON, v *vocab) (gguf.Metadata, error) {
	var md gguf.Metadata
	md.Set("tokenizer.ggml.model", gguf.String("llama"))
	md.Set("tokenizer.ggml.pre", gguf.String("default"))
	if len(v.tokens) > 0 { // gguf-py skips empty arrays
		md.Set("tokenizer.ggml.tokens", gguf.Strings(v.tokens))
		md.Set("tokenizer.ggml.scores", gguf.Float32s(v.scores))
		md.Set("tokenizer.ggml.token_type", gguf.Int32s(v.types))
	}
	sv, err := newSpecialVocab(tj, defaultSpecialTypes, len(v.tokens))
	if err != nil {
		return nil, err
	}
	if err := sv.addTo(&md); err != nil {
		return nil, err
	}
	return md, nil
}

// gpt2Metadata is llama.cpp's _set_vocab_gpt2: model "gpt2", pre, tokens,
// token types, then SpecialVocab with merges (no id range check).
func gpt2Metadata(tj *tokenizerJSON, cfg *Config) (gguf.Metadata, error) {
	v, err := gpt2Vocab(tj, cfg)
	if err != nil {
		return nil, err
	}
	var md gguf.Metadata
	md.Set("tokenizer.ggml.model", gguf.String("gpt2"))
	md.Set("tokenizer.ggml.pre", gguf.String(v.pre))
	md.Set("tokenizer.ggml.tokens", gguf.Strings(v.tokens))
	md.Set("tokenizer.ggml.token_type", gguf.Int32s(v.types))
	sv, err := newSpecialVocab(tj, defaultSpecialTypes, -1)
	if err != nil {
		return nil, err
	}
	sv.merges = v.merges
	if err := sv.addTo(&md); err != nil {
		return nil, err
	}
	return md, nil
}

// llamaVocabTail adds what LlamaModel.set_vocab writes after the
// vocabulary: CodeLlama's infill ids, add_space_prefix, Granite's BOS flag.
func llamaVocabTail(tj *tokenizerJSON, cfg *Config, md gguf.Metadata) (gguf.Metadata, error) {
	dir := tj.dir
	vocabSize := 32000 // hparams.get("vocab_size", 32000)
	if cfg != nil {
		vocabSize = cfg.VocabSize
	}
	if vocabSize == 32016 { // CodeLlama infill tokens
		cl, err := newSpecialVocab(tj, []string{"prefix", "suffix", "middle", "eot"}, -1)
		if err != nil {
			return nil, err
		}
		for i, typ := range []string{"prefix", "suffix", "middle", "eot"} {
			if err := cl.setID(typ, pyInt{v: int64(32007 + i)}, "CodeLlama"); err != nil {
				return nil, err
			}
		}
		if err := cl.addTo(&md); err != nil {
			return nil, err
		}
	}
	tcPath := filepath.Join(dir, "tokenizer_config.json")
	tc, err := optionalJSONObject(tcPath)
	if err != nil {
		return nil, err
	}
	if v, ok := tc.get("add_prefix_space"); ok {
		md.Set("tokenizer.ggml.add_space_prefix", gguf.Bool(truthy(v)))
	}
	if vocabSize == 49152 { // Granite small models
		md.Set("tokenizer.ggml.add_bos_token", gguf.Bool(false))
	}
	return md, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, os.ErrNotExist)
}
