package tokenizer

import "strings"

// fragment is either a run of raw text (tok < 0: text[off:off+n]) or one
// special token already recognised.
type fragment struct {
	tok    int32
	off, n int
}

// isCSpace is C's isspace for one byte, as llama.cpp uses for l/r-strip.
func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// partition splits text around special tokens, longest token first, like
// llama.cpp's tokenizer_st_partition: user-defined tokens are always
// matched; control and unknown tokens only when parseSpecial is set.
func (t *Tokenizer) partition(text string, parseSpecial bool) []fragment {
	frags := []fragment{{tok: -1, off: 0, n: len(text)}}
	var next []fragment
	for _, id := range t.spec {
		a := t.attrs[id]
		if !parseSpecial && a&(attrControl|attrUnknown) != 0 {
			continue
		}
		tokText := t.tokens[id]
		if !strings.Contains(text, tokText) {
			continue // fast path: nothing to split for this token
		}
		next = next[:0]
		for _, f := range frags {
			if f.tok >= 0 {
				next = append(next, f)
				continue
			}
			next = t.splitFragment(next, text, f, id, tokText, a)
		}
		frags, next = next, frags
	}
	return frags
}

// splitFragment appends f split at every non-overlapping occurrence of the
// special token id (text tokText, attributes a), left to right.
func (t *Tokenizer) splitFragment(out []fragment, text string, f fragment, id int32, tokText string, a attr) []fragment {
	off, n := f.off, f.n
	for {
		k := strings.Index(text[off:off+n], tokText)
		if k < 0 {
			if n > 0 {
				out = append(out, fragment{tok: -1, off: off, n: n})
			}
			return out
		}
		leftN := k
		if a&attrLStrip != 0 {
			for leftN > 0 && isCSpace(text[off+leftN-1]) {
				leftN--
			}
		}
		if leftN > 0 {
			out = append(out, fragment{tok: -1, off: off, n: leftN})
		}
		out = append(out, fragment{tok: id})
		rOff := off + k + len(tokText)
		rN := off + n - rOff
		if a&attrRStrip != 0 {
			for rN > 0 && isCSpace(text[rOff]) {
				rOff++
				rN--
			}
		}
		off, n = rOff, rN
	}
}
