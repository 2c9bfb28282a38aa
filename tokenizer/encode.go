package tokenizer

import "strings"

// Encode tokenizes text exactly like llama.cpp's llama_tokenize for a
// SentencePiece vocabulary. With addSpecial, BOS is prepended and EOS
// appended as the vocabulary's AddBOS/AddEOS flags say. With parseSpecial,
// control tokens written in the text (e.g. "<s>") become their ids;
// user-defined tokens are always recognised. When the vocabulary adds a
// space prefix, a space is put before the first text fragment and before
// every fragment that follows a special token.
//
// For a BPE vocabulary no space is added; raw text between special tokens
// is pre-tokenized and merged (see bpeSession).
func (t *Tokenizer) Encode(text string, addSpecial, parseSpecial bool) []int32 {
	if t.bpe != nil {
		return t.encodeBPE(text, addSpecial, parseSpecial)
	}
	out := make([]int32, 0, len(text)/3+2)
	if addSpecial && t.addBOS {
		out = append(out, t.bos)
	}
	var frags []fragment
	if text != "" {
		frags = t.partition(text, parseSpecial)
	}
	sess := spmSession{t: t}
	prevSpecial := true // the first fragment gets the prefix space
	var buf strings.Builder
	for _, f := range frags {
		if f.tok >= 0 {
			out = append(out, f.tok)
			prevSpecial = true
			continue
		}
		buf.Reset()
		raw := text[f.off : f.off+f.n]
		buf.Grow(len(raw) + len(raw)/2 + 3)
		if t.addSpacePrefix && prevSpecial {
			buf.WriteString(spaceMarker)
		}
		writeEscaped(&buf, raw)
		out = sess.tokenize(buf.String(), out)
		prevSpecial = false
	}
	if addSpecial && t.addEOS {
		out = append(out, t.eos)
	}
	return out
}

// writeEscaped writes s with every ' ' replaced by ▁.
func writeEscaped(b *strings.Builder, s string) {
	for {
		i := strings.IndexByte(s, ' ')
		if i < 0 {
			b.WriteString(s)
			return
		}
		b.WriteString(s[:i])
		b.WriteString(spaceMarker)
		s = s[i+1:]
	}
}

// encodeBPE is llama.cpp's tokenize for a BPE vocabulary.
func (t *Tokenizer) encodeBPE(text string, addSpecial, parseSpecial bool) []int32 {
	out := make([]int32, 0, len(text)/3+2)
	if addSpecial && t.addBOS {
		out = append(out, t.bos)
	}
	if text != "" {
		sess := newBPESession(t)
		for _, f := range t.partition(text, parseSpecial) {
			if f.tok >= 0 {
				out = append(out, f.tok)
				continue
			}
			out = sess.tokenize(text[f.off:f.off+f.n], out)
		}
	}
	if addSpecial && t.addEOS {
		out = append(out, t.eos)
	}
	return out
}
