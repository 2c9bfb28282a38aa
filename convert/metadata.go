package convert

import (
	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/hf"
)

// buildMetadata assembles the KV pairs in llama.cpp's order:
// general.architecture, general.type, authorship (general.sampling.* …
// general.languages), the architecture's hyperparameters ending with
// general.file_type, vocab_size and rope.dimension_count,
// general.quantization_version, then the tokenizer.
func (p *Plan) buildMetadata() error {
	md := gguf.Metadata{
		{Key: "general.architecture", Value: gguf.String(p.arch.Name)},
		{Key: "general.type", Value: gguf.String("model")},
	}
	auth, err := hf.Authorship(p.dir, p.hfcfg, p.ParameterCount())
	if err != nil {
		return err
	}
	md = appendKVs(md, auth)
	model, err := modelKVs(p.arch, p.hfcfg, p.ftype)
	if err != nil {
		return err
	}
	md = appendKVs(md, model)
	md.Set("general.quantization_version", gguf.Uint32(QuantizationVersion))
	vocab := p.arch.Vocab
	if vocab == nil {
		vocab = hf.Tokenizer
	}
	tok, err := vocab(p.dir, p.hfcfg)
	if err != nil {
		return err
	}
	md = appendKVs(md, tok)
	if p.arch.NoSpacePrefix {
		md.Set("tokenizer.ggml.add_space_prefix", gguf.Bool(false))
	}
	p.md = md
	return nil
}

// appendKVs adds kvs to md; a key already present keeps its position and
// takes the new value, as in gguf-py's writer.
func appendKVs(md, kvs gguf.Metadata) gguf.Metadata {
	for _, kv := range kvs {
		md.Set(kv.Key, kv.Value)
	}
	return md
}
