package hf

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
)

// errNotLlamaBPE means tokenizer.json is not a SentencePiece-style BPE
// (byte fallback, Sequence decoder); llama.cpp then takes its GPT-2 BPE
// path (gpt2Vocab).
var errNotLlamaBPE = errors.New("not a SentencePiece-style BPE tokenizer (BPE with byte_fallback and a Sequence decoder)")

var reByteToken = regexp.MustCompile(`^<0x[0-9A-Fa-f]{2}>$`)

// hfVocab is llama.cpp's tokenizer.json fallback (gguf-py LlamaHfVocab),
// emulating what transformers' fast tokenizer reports: the model vocabulary
// in id order, then added tokens with ids past it; BYTE, CONTROL (special
// ids) or NORMAL types; every score −1000.
func hfVocab(tjf *tokenizerJSON, cfg *Config) (*vocab, error) {
	dir, path := tjf.dir, tjf.path
	tj, err := tjf.must()
	if err != nil {
		return nil, err
	}
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("%s: key %q: %s", path, key, fmt.Sprintf(format, args...))
	}
	mv, ok := tj.get("model")
	if !ok {
		return nil, bad("model", "is missing")
	}
	model, ok := mv.(*object)
	if !ok {
		return nil, bad("model", "is %s, expected an object", describe(mv))
	}
	mtype, ok := model.get("type")
	if !ok {
		return nil, bad("model.type", "is missing")
	}
	byteFallback, hasBF := model.get("byte_fallback")
	ignoreMerges, _ := model.get("ignore_merges")
	if mtype == "BPE" && truthy(ignoreMerges) && hasBF && !truthy(byteFallback) {
		return nil, fmt.Errorf("%s: %w", path, errNotLlamaBPE) // Llama 3 style
	}
	dv, ok := tj.get("decoder")
	if !ok {
		return nil, bad("decoder", "is missing")
	}
	if mtype != "BPE" || !truthy(byteFallback) || objGet(dv, "type") != "Sequence" {
		return nil, fmt.Errorf("%s: %w", path, errNotLlamaBPE)
	}

	base, modelID, err := parseBaseVocab(model, path)
	if err != nil {
		return nil, err
	}
	nBase := len(base)
	addedList, err := parseAddedTokens(tj, path)
	if err != nil {
		return nil, err
	}
	added := newAddedVocab(nBase, modelID)
	for _, a := range addedList {
		added.put(a.content, a.id)
	}

	specials, err := loadSpecialTokens(dir, cfg)
	if err != nil {
		return nil, err
	}
	// transformers adds tokenizer_config's added_tokens_decoder entries and
	// special tokens that tokenizer.json does not know yet.
	for _, c := range specials.decoder {
		added.add(c)
	}
	for _, c := range specials.all {
		added.add(c)
	}

	specialIDs := map[int64]bool{}
	specialSet := map[string]bool{}
	for _, c := range specials.all {
		specialSet[c] = true
		if id, ok := added.id(c); ok {
			specialIDs[id] = true
		}
	}

	v := &vocab{}
	for id, text := range base {
		t := TokenNormal
		if reByteToken.MatchString(text) {
			t = TokenByte
		} else if specialIDs[int64(id)] {
			t = TokenControl
		}
		v.tokens = append(v.tokens, text)
		v.scores = append(v.scores, scoreUserDefined)
		v.types = append(v.types, t)
	}
	for _, e := range added.beyond() {
		t := TokenUserDefined
		if specialSet[e.content] {
			t = TokenControl
		}
		v.tokens = append(v.tokens, e.content)
		v.scores = append(v.scores, scoreUserDefined)
		v.types = append(v.types, t)
	}
	if len(v.tokens) > MaxVocab {
		return nil, fmt.Errorf("%s: %d tokens, more than the %d zq accepts", path, len(v.tokens), MaxVocab)
	}
	return v, nil
}

// addedVocab emulates the tokenizers library's added vocabulary.
type addedVocab struct {
	nBase   int64
	modelID map[string]int64
	ids     map[string]int64
}

type addedEntry struct {
	content string
	id      int64
}

func newAddedVocab(nBase int, modelID map[string]int64) *addedVocab {
	return &addedVocab{nBase: int64(nBase), modelID: modelID, ids: map[string]int64{}}
}

func (a *addedVocab) put(content string, id int64) { a.ids[content] = id }

// id is token_to_id: added tokens first, then the model vocabulary.
func (a *addedVocab) id(content string) (int64, bool) {
	if id, ok := a.ids[content]; ok {
		return id, true
	}
	id, ok := a.modelID[content]
	return id, ok
}

// add is AddedVocabulary.add_tokens for one token: a known text keeps its
// id, a new one gets the next free id past the model vocabulary.
func (a *addedVocab) add(content string) {
	if content == "" {
		return
	}
	if id, ok := a.id(content); ok {
		a.ids[content] = id
		return
	}
	next := a.nBase
	if len(a.ids) > 0 {
		max := int64(-1)
		for _, id := range a.ids {
			if id > max {
				max = id
			}
		}
		if max >= a.nBase || a.nBase == 0 {
			next = max + 1
		}
	}
	a.ids[content] = next
}

// beyond returns the added tokens with ids ≥ the base size, by id.
func (a *addedVocab) beyond() []addedEntry {
	var out []addedEntry
	for c, id := range a.ids {
		if id >= a.nBase {
			out = append(out, addedEntry{c, id})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].id != out[j].id {
			return out[i].id < out[j].id
		}
		return out[i].content < out[j].content
	})
	return out
}

// parseBaseVocab reads tokenizer.json's model.vocab; ids must be exactly
// 0 … B-1.
func parseBaseVocab(model *object, path string) ([]string, map[string]int64, error) {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("%s: key %q: %s", path, key, fmt.Sprintf(format, args...))
	}
	vv, _ := model.get("vocab")
	vocabObj, ok := vv.(*object)
	if !ok {
		return nil, nil, bad("model.vocab", "is %s, expected an object", describe(vv))
	}
	nBase := len(vocabObj.keys)
	if nBase > MaxVocab {
		return nil, nil, bad("model.vocab", "has %d tokens, more than the %d zq accepts", nBase, MaxVocab)
	}
	base := make([]string, nBase)
	filled := make([]bool, nBase)
	modelID := make(map[string]int64, nBase)
	for _, k := range vocabObj.keys {
		i, ok := vocabObj.vals[k].(pyInt)
		if !ok || i.big || i.v < 0 || i.v >= int64(nBase) || filled[i.v] {
			return nil, nil, bad("model.vocab", "token %q has id %s; ids must be 0 … %d, each used once", k, describeValue(vocabObj.vals[k]), nBase-1)
		}
		base[i.v], filled[i.v] = k, true
		modelID[k] = i.v
	}
	return base, modelID, nil
}

// addedToken is one entry of tokenizer.json's added_tokens.
type addedToken struct {
	content             string
	id                  int64
	special, normalized bool
}

// parseAddedTokens reads tokenizer.json's added_tokens in file order.
func parseAddedTokens(tj *object, path string) ([]addedToken, error) {
	av, ok := tj.get("added_tokens")
	if !ok || av == nil {
		return nil, nil
	}
	list, ok := av.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: key %q: is %s, expected an array", path, "added_tokens", describe(av))
	}
	out := make([]addedToken, 0, len(list))
	for i, e := range list {
		key := "added_tokens[" + strconv.Itoa(i) + "]"
		c, ok := objGet(e, "content").(string)
		if !ok {
			return nil, fmt.Errorf("%s: key %q: content is %s, expected a string", path, key, describe(objGet(e, "content")))
		}
		id, ok := objGet(e, "id").(pyInt)
		if !ok || id.big || id.v < 0 || id.v > MaxVocab*4 {
			return nil, fmt.Errorf("%s: key %q: id is %s, expected a token id", path, key, describeValue(objGet(e, "id")))
		}
		// tokenizers' AddedToken defaults: normalized = !special.
		special := truthy(objGet(e, "special"))
		normalized := !special
		if o, ok := e.(*object); ok && o.has("normalized") {
			normalized = truthy(objGet(e, "normalized"))
		}
		out = append(out, addedToken{content: c, id: id.v, special: special, normalized: normalized})
	}
	return out, nil
}
