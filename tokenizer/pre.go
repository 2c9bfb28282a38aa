package tokenizer

import "sort"

// preSettings is what llama.cpp derives from a tokenizer.ggml.pre name.
type preSettings struct {
	kind         preKind
	ignoreMerges bool
	addBOS       bool // default when the file has no add_bos_token
	cleanSpaces  bool
}

// preTable lists the pre-tokenizer names whose regex zq implements, with
// llama.cpp's settings for each (llama_vocab::impl::load).
var preTable = map[string]preSettings{
	"llama3":           {kind: preLlama3, ignoreMerges: true, addBOS: true, cleanSpaces: true},
	"llama-v3":         {kind: preLlama3, ignoreMerges: true, addBOS: true, cleanSpaces: true},
	"llama-bpe":        {kind: preLlama3, ignoreMerges: true, addBOS: true, cleanSpaces: true},
	"falcon3":          {kind: preLlama3, ignoreMerges: true, addBOS: true, cleanSpaces: true},
	"falcon-h1":        {kind: preLlama3, ignoreMerges: true, addBOS: true, cleanSpaces: true},
	"pixtral":          {kind: preLlama3, ignoreMerges: true, addBOS: true, cleanSpaces: true},
	"midm-2.0":         {kind: preLlama3, ignoreMerges: true, addBOS: true, cleanSpaces: true},
	"lfm2":             {kind: preLlama3, ignoreMerges: true, addBOS: true, cleanSpaces: true},
	"dbrx":             {kind: preLlama3, cleanSpaces: true},
	"smaug-bpe":        {kind: preLlama3, cleanSpaces: true},
	"qwen2":            {kind: preQwen2},
	"deepseek-r1-qwen": {kind: preQwen2},
	"kormo":            {kind: preQwen2},
	"hunyuan":          {kind: preQwen2},
	"megrez":           {kind: preQwen2, cleanSpaces: true},
	"stablelm2":        {kind: preQwen2, cleanSpaces: true},
}

// PreTokenizers returns the tokenizer.ggml.pre names zq can tokenize, sorted.
func PreTokenizers() []string {
	names := make([]string, 0, len(preTable))
	for n := range preTable {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// PreDefaults returns llama.cpp's settings for a BPE pre-tokenizer name:
// whether a word that is a token is taken whole (ignore_merges), whether
// BOS is added when the file does not say, and whether decoding cleans
// spaces before punctuation.
func PreDefaults(pre string) (ignoreMerges, addBOS, cleanSpaces, ok bool) {
	d, ok := preTable[pre]
	return d.ignoreMerges, d.addBOS, d.cleanSpaces, ok
}

// PreForRegex names a pre-tokenizer that splits text exactly as a Hugging
// Face tokenizer.json Split pattern does, when zq implements that regex.
func PreForRegex(pattern string) (string, bool) {
	switch pattern {
	case regexLlama3:
		return "llama-bpe", true
	case regexQwen2:
		return "qwen2", true
	}
	return "", false
}
