package hf

import (
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// specialTokens is what transformers (4.x) resolves as a fast tokenizer's
// special tokens, needed by the tokenizer.json fallback.
type specialTokens struct {
	all     []string // all_special_tokens: bos, eos, unk, sep, pad, cls, mask, then additional, deduplicated
	decoder []string // tokenizer_config added_tokens_decoder contents, by id
}

var specialAttrs = []string{"bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"}

// llamaTokenizerClasses get LlamaTokenizerFast's constructor defaults
// (unk <unk>, bos <s>, eos </s>) for keys tokenizer_config.json lacks.
var llamaTokenizerClasses = map[string]bool{
	"LlamaTokenizer": true, "LlamaTokenizerFast": true, "CodeLlamaTokenizer": true, "CodeLlamaTokenizerFast": true,
}

// tokenContent is the text of a special-token value: a string, or an
// AddedToken object's content.
func tokenContent(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, t != ""
	case *object:
		c, ok := objGet(t, "content").(string)
		return c, ok && c != ""
	}
	return "", false
}

func loadSpecialTokens(dir string, cfg *Config) (*specialTokens, error) {
	tcPath := filepath.Join(dir, "tokenizer_config.json")
	tc, err := optionalJSONObject(tcPath)
	if err != nil {
		return nil, err
	}
	if tc == nil {
		tc = newObject()
	}
	class, _ := objGet(tc, "tokenizer_class").(string)
	attrs := map[string]any{}
	if llamaTokenizerClasses[class] || class == "" && cfg != nil && (cfg.ModelType == "llama" || cfg.ModelType == "mistral") {
		attrs["bos_token"], attrs["eos_token"], attrs["unk_token"] = "<s>", "</s>", "<unk>"
	}
	for _, a := range specialAttrs {
		if v, ok := tc.get(a); ok {
			attrs[a] = v
		}
	}
	var additional []any
	if v, _ := tc.get("additional_special_tokens"); v != nil {
		list, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("%s: key %q: is %s, expected an array", tcPath, "additional_special_tokens", describe(v))
		}
		additional = list
	}

	st := &specialTokens{}
	if atd, ok := tc.get("added_tokens_decoder"); ok {
		dec, ok := atd.(*object)
		if !ok && atd != nil {
			return nil, fmt.Errorf("%s: key %q: is %s, expected an object", tcPath, "added_tokens_decoder", describe(atd))
		}
		type entry struct {
			id      int64
			content string
		}
		var es []entry
		if dec != nil {
			for _, k := range dec.keys {
				id, err := strconv.ParseInt(strings.TrimSpace(k), 10, 64)
				if err != nil {
					return nil, fmt.Errorf("%s: key %q: %q is not a token id", tcPath, "added_tokens_decoder."+k, k)
				}
				c, ok := objGet(dec.vals[k], "content").(string)
				if !ok {
					return nil, fmt.Errorf("%s: key %q: content is missing or not a string", tcPath, "added_tokens_decoder."+k)
				}
				es = append(es, entry{id, c})
			}
		}
		sort.SliceStable(es, func(i, j int) bool { return es[i].id < es[j].id })
		for _, e := range es {
			st.decoder = append(st.decoder, e.content)
		}
	} else {
		// Legacy files: special_tokens_map.json replaces the named tokens
		// and extends additional_special_tokens.
		stmPath := filepath.Join(dir, "special_tokens_map.json")
		stm, err := optionalJSONObject(stmPath)
		if err != nil {
			return nil, err
		}
		if stm != nil {
			for _, k := range stm.keys {
				v := stm.vals[k]
				if k == "additional_special_tokens" {
					list, ok := v.([]any)
					if !ok {
						continue
					}
					merged := append([]any(nil), additional...)
					for _, t := range list {
						c, _ := tokenContent(t)
						dup := false
						for _, m := range merged {
							if mc, _ := tokenContent(m); mc == c {
								dup = true
							}
						}
						if !dup {
							merged = append(merged, t)
						}
					}
					additional = merged
					continue
				}
				attrs[k] = v
			}
		}
	}

	seen := map[string]bool{}
	add := func(v any) {
		if c, ok := tokenContent(v); ok && !seen[c] {
			seen[c] = true
			st.all = append(st.all, c)
		}
	}
	for _, a := range specialAttrs {
		add(attrs[a])
	}
	for _, v := range additional {
		add(v)
	}
	return st, nil
}
