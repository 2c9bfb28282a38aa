package tokenizer

import "strings"

// Token texts llama.cpp recognises when the metadata does not name the
// end-of-turn / fill-in-the-middle tokens (llama_vocab::impl::load).
var (
	eotTexts = []string{"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
		"<|end_of_text|>", "<EOT>", "_<EOT>", "<｜end▁of▁sentence｜>", "<end_of_utterance>"}
	eomTexts    = []string{"<|eom_id|>"}
	fimPreTexts = []string{"<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>"}
	fimSufTexts = []string{"<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>"}
	fimMidTexts = []string{"<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>"}
	fimPadTexts = []string{"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>"}
	fimRepTexts = []string{"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"}
	fimSepTexts = []string{"<|file_sep|>"}
	eogTexts    = []string{"<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<end_of_turn>",
		"<|endoftext|>", "<|eom_id|>", "<EOT>", "_<EOT>", "<|end_of_text|>", "<end_of_utterance>"}
)

// findByText returns the lowest id whose text is one of texts, or -1.
// (llama.cpp takes the first hit of an unordered map walk; vocabularies with
// several candidates are not expected.)
func (t *Tokenizer) findByText(texts []string) int32 {
	best := int32(-1)
	for _, s := range texts {
		if id, ok := t.ids[s]; ok && (best < 0 || id < best) {
			best = id
		}
	}
	return best
}

// forceControl marks id as a control token, as llama.cpp does for
// "control-looking" tokens of another type.
func (t *Tokenizer) forceControl(id int32) {
	if id >= 0 && t.attrs[id]&attrControl == 0 {
		t.attrs[id] = attrControl
	}
}

// detectSpecial fills in unset EOT/EOM/FIM ids from their usual texts and
// builds the end-of-generation set, following llama_vocab::impl::load.
func (t *Tokenizer) detectSpecial(x extra) {
	detect := func(id *int32, texts []string) {
		if *id >= 0 {
			return
		}
		if *id = t.findByText(texts); *id >= 0 {
			t.forceControl(*id)
		}
	}
	detect(&t.eot, eotTexts)
	detect(&x.eom, eomTexts)
	detect(&x.fimPre, fimPreTexts)
	detect(&x.fimSuf, fimSufTexts)
	detect(&x.fimMid, fimMidTexts)
	detect(&x.fimPad, fimPadTexts)
	detect(&x.fimRep, fimRepTexts)
	detect(&x.fimSep, fimSepTexts)

	t.eog = make(map[int32]struct{})
	add := func(id int32) {
		if id >= 0 {
			t.eog[id] = struct{}{}
		}
	}
	add(x.fimPad)
	add(x.fimRep)
	add(x.fimSep)
	for _, s := range eogTexts {
		if id, ok := t.ids[s]; ok {
			add(id)
			t.forceControl(id)
		}
	}
	add(t.eos)
	add(t.eot)
	add(x.eom)
}

// applyModelOverrides applies llama.cpp's name-based per-token attributes
// that concern SentencePiece models: Phi-3 strips whitespace to the right of
// its special tokens (and of "</s>"), but not of "<unk>", "<s>" and
// "<|endoftext|>".
func (t *Tokenizer) applyModelOverrides(modelName string) {
	name := strings.ToLower(modelName)
	if !strings.Contains(name, "phi-3") && !strings.Contains(name, "phi3") {
		return
	}
	for i, a := range t.attrs {
		if a&(attrControl|attrUserDefined|attrUnknown) != 0 {
			t.attrs[i] |= attrRStrip
		}
	}
	if id, ok := t.ids["</s>"]; ok {
		t.attrs[id] |= attrRStrip
	}
	for _, s := range []string{"<unk>", "<s>", "<|endoftext|>"} {
		if id, ok := t.ids[s]; ok {
			t.attrs[id] &^= attrRStrip
		}
	}
}
