package hf

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/zqtool/zq/gguf"
)

// Tokenizer returns the tokenizer.* keys llama.cpp's LlamaModel.set_vocab
// writes, in order: tokenizer.ggml.model "llama", pre "default", tokens,
// scores, token_type (from tokenizer.model when present, else from
// tokenizer.json), then the special token ids, add_*_token flags and chat
// template, then tokenizer.ggml.add_space_prefix when tokenizer_config.json
// has add_prefix_space.
func Tokenizer(dir string, cfg *Config) (gguf.Metadata, error) {
	spmPath := filepath.Join(dir, "tokenizer.model")
	tjPath := filepath.Join(dir, "tokenizer.json")
	var v *vocab
	var err error
	switch {
	case isFile(spmPath): // llama.cpp: tokenizer_path.is_file()
		v, err = spmVocab(dir, cfg)
	case exists(tjPath):
		v, err = hfVocab(dir, cfg)
	default:
		return nil, fmt.Errorf("%s: neither tokenizer.model nor tokenizer.json found", dir)
	}
	if err != nil {
		return nil, err
	}

	var md gguf.Metadata
	md.Set("tokenizer.ggml.model", gguf.String("llama"))
	md.Set("tokenizer.ggml.pre", gguf.String("default"))
	if len(v.tokens) > 0 { // gguf-py skips empty arrays
		md.Set("tokenizer.ggml.tokens", gguf.Strings(v.tokens))
		md.Set("tokenizer.ggml.scores", gguf.Float32s(v.scores))
		md.Set("tokenizer.ggml.token_type", gguf.Int32s(v.types))
	}
	sv, err := newSpecialVocab(dir, defaultSpecialTypes, len(v.tokens))
	if err != nil {
		return nil, err
	}
	if err := sv.addTo(&md); err != nil {
		return nil, err
	}

	vocabSize := 32000 // hparams.get("vocab_size", 32000)
	if cfg != nil {
		vocabSize = cfg.VocabSize
	}
	if vocabSize == 32016 { // CodeLlama infill tokens
		cl, err := newSpecialVocab(dir, []string{"prefix", "suffix", "middle", "eot"}, -1)
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
