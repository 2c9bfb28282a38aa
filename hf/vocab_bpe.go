package hf

import (
	"fmt"
	"path/filepath"
	"strings"
)

// bpeVocab is a GPT-2-style byte-level BPE vocabulary as llama.cpp's
// TextModel.get_vocab_base writes it, with the pre-tokenizer name
// get_vocab_base_pre gives it.
type bpeVocab struct {
	tokens []string
	types  []int32
	pre    string
	merges []string
}

// gpt2Vocab is get_vocab_base for tokenizer.json: vocab_size slots (config
// vocab_size, else the vocabulary's size), each the model token, the added
// token (CONTROL when special or special-looking, else USER_DEFINED with ▁
// turned into spaces) or "[PAD<i>]" (UNUSED); the pre-tokenizer is named by
// hashing zq's tokenization of llama.cpp's check text.
func gpt2Vocab(tjf *tokenizerJSON, cfg *Config) (*bpeVocab, error) {
	dir, path := tjf.dir, tjf.path
	tj, err := tjf.must()
	if err != nil {
		return nil, err
	}
	model, ok := objGet(tj, "model").(*object)
	if !ok {
		return nil, fmt.Errorf("%s: key %q: is %s, expected an object", path, "model", describe(objGet(tj, "model")))
	}
	if mt := objGet(model, "type"); mt != "BPE" {
		return nil, fmt.Errorf("%s: key %q: tokenizer model type %s is not supported (zq converts BPE tokenizers)", path, "model.type", describeValue(mt))
	}
	base, modelID, err := parseBaseVocab(model, path)
	if err != nil {
		return nil, err
	}
	addedList, err := parseAddedTokens(tj, path)
	if err != nil {
		return nil, err
	}
	added := newAddedVocab(len(base), modelID)
	flags := map[string]addedToken{}
	for _, a := range addedList {
		added.put(a.content, a.id)
		flags[a.content] = a
	}
	specials, err := loadSpecialTokens(dir, cfg)
	if err != nil {
		return nil, err
	}
	specialSet := map[string]bool{}
	for _, c := range specials.all {
		specialSet[c] = true
	}
	// transformers adds tokenizer_config's added_tokens_decoder entries and
	// the special tokens tokenizer.json does not know yet, as special
	// unnormalized tokens.
	for _, c := range append(append([]string(nil), specials.decoder...), specials.all...) {
		if _, known := flags[c]; !known && c != "" {
			added.add(c)
			flags[c] = addedToken{content: c, special: true}
		}
	}

	byID := map[int64]string{}
	maxID := int64(len(base) - 1)
	for id, s := range base {
		byID[int64(id)] = s
	}
	isAdded := map[int64]bool{}
	for c, id := range added.ids {
		byID[id], isAdded[id] = c, true
		maxID = max(maxID, id)
	}
	n := int64(len(byID))
	if cfg != nil && cfg.VocabSize > 0 {
		n = int64(cfg.VocabSize)
	}
	if maxID >= n {
		return nil, fmt.Errorf("%s: token id %d is not below the vocabulary size %d (config.json vocab_size)", path, maxID, n)
	}
	if n > MaxVocab {
		return nil, fmt.Errorf("%s: %d tokens, more than the %d zq accepts", path, n, MaxVocab)
	}
	tc, err := optionalJSONObject(filepath.Join(dir, "tokenizer_config.json"))
	if err != nil {
		return nil, err
	}
	cleanUp := truthy(objGet(tc, "clean_up_tokenization_spaces"))

	v := &bpeVocab{tokens: make([]string, n), types: make([]int32, n)}
	for i := range n {
		tok, ok := byID[i]
		switch {
		case !ok:
			v.tokens[i], v.types[i] = fmt.Sprintf("[PAD%d]", i), TokenUnused
		case isAdded[i]:
			f := flags[tok]
			if !f.normalized && cleanUp {
				// decode(encode(token)) gives the token back, but through
				// transformers' clean_up_tokenization.
				tok = cleanUpTokenization(tok)
			}
			if f.special || looksSpecial(tok) {
				v.types[i] = TokenControl
			} else {
				tok = strings.ReplaceAll(tok, "▁", " ")
				v.types[i] = TokenUserDefined
			}
			v.tokens[i] = tok
		default:
			v.tokens[i], v.types[i] = tok, TokenNormal
		}
	}

	merges, err := bpeMerges(dir, tj, path)
	if err != nil {
		return nil, err
	}
	v.merges = merges
	if v.pre, err = vocabBasePre(dir, tj, path, v, merges); err != nil {
		return nil, err
	}
	return v, nil
}

// cleanUpTokenization is transformers' clean_up_tokenization.
func cleanUpTokenization(s string) string {
	return strings.NewReplacer(" .", ".", " ?", "?", " !", "!", " ,", ",", " ' ", "'",
		" n't", "n't", " 'm", "'m", " 's", "'s", " 've", "'ve", " 're", "'re").Replace(s)
}

// bpeMerges is gguf-py SpecialVocab's merge loading: tokenizer.json's
// model.merges as "a b" strings or ["a", "b"] pairs (a space inside a part
// becomes U+0120), else merges.txt.
func bpeMerges(dir string, tj *object, path string) ([]string, error) {
	list, _ := objGet(objGet(tj, "model"), "merges").([]any)
	if len(list) == 0 {
		return mergesTxt(filepath.Join(dir, "merges.txt"))
	}
	out := make([]string, len(list))
	_, pairs := list[0].([]any)
	for i, e := range list {
		bad := func() error {
			want := `a string "a b"`
			if pairs {
				want = `a pair ["a", "b"]`
			}
			return fmt.Errorf("%s: key %q: merge %d is %s, expected %s like the first", path, "model.merges", i, describe(e), want)
		}
		if !pairs {
			s, ok := e.(string)
			if !ok {
				return nil, bad()
			}
			out[i] = s
			continue
		}
		p, ok := e.([]any)
		if !ok || len(p) != 2 {
			return nil, bad()
		}
		a, ok1 := p[0].(string)
		b, ok2 := p[1].(string)
		if !ok1 || !ok2 {
			return nil, bad()
		}
		out[i] = strings.ReplaceAll(a, " ", "Ġ") + " " + strings.ReplaceAll(b, " ", "Ġ")
	}
	return out, nil
}

// mergesTxt reads merges.txt as gguf-py does: an optional "#" header line,
// blank lines skipped, malformed lines (not two fields) dropped.
func mergesTxt(path string) ([]string, error) {
	if !isFile(path) {
		return nil, nil
	}
	text, err := readTextFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(text, "\n")
	if len(lines) > 0 && strings.HasPrefix(strings.TrimSpace(lines[0]), "#") {
		lines = lines[1:]
	}
	var out []string
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) == 2 {
			out = append(out, f[0]+" "+f[1])
		}
	}
	return out, nil
}

// chkText is llama.cpp's check text (convert_hf_to_gguf.py chktxt).
const chkText = "\n \n\n \n\n\n \t \t\t \t\n  \n   \n    \n     \n🚀 (normal) 😶\u200d🌫️ (multiple emojis concatenated) ✅ 🦙🦙 3 33 333 3333 33333 333333 3333333 33333333 3.3 3..3 3...3 កាន់តែពិសេសអាច😁 ?我想在apple工作1314151天～ ------======= нещо на Български ''''''```````\"\"\"\"......!!!!!!?????? I've been 'told he's there, 'RE you sure? 'M not sure I'll make it, 'D you like some tea? We'Ve a'lL"
