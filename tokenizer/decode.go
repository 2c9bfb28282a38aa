package tokenizer

import "strings"

const spaceMarker = "\u2581" // ▁, SentencePiece's escaped space

// rawPiece is llama.cpp's token_to_piece with special=true for a
// SentencePiece vocabulary: control, unknown and user-defined tokens as
// stored, normal tokens with ▁ turned back into spaces, byte tokens as their
// byte, anything else (unused, undefined) as nothing.
//
// For a BPE vocabulary, normal tokens are mapped back from their byte-level
// form and every type but control, unknown, user-defined and normal gives
// nothing.
func (t *Tokenizer) rawPiece(id int32) string {
	a, text := t.attrs[id], t.tokens[id]
	switch {
	case a&(attrControl|attrUnknown|attrUserDefined) != 0:
		return text
	case t.bpe != nil:
		if a&attrNormal != 0 {
			return byteLevelDecode(text)
		}
		return ""
	case a&attrNormal != 0:
		return strings.ReplaceAll(text, spaceMarker, " ")
	case a&attrByte != 0:
		return string([]byte{byteTokenValue(text)})
	}
	return ""
}

// byteTokenValue reads the byte of a "<0xXX>" token the way llama.cpp does
// (strtol over the two characters after "<0x", stopping at a non-hex digit).
func byteTokenValue(text string) byte {
	var v byte
	for i := 3; i < 5 && i < len(text); i++ {
		c := text[i]
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | (c - '0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | (c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			v = v<<4 | (c - 'A' + 10)
		default:
			return v
		}
	}
	return v
}

// Piece returns the text of token id, like llama.cpp's token_to_piece with
// lstrip 0: control and unknown tokens are empty unless special is true.
// Out-of-range ids give "".
func (t *Tokenizer) Piece(id int32, special bool) string {
	if id < 0 || int(id) >= len(t.tokens) {
		return ""
	}
	if !special && t.attrs[id]&(attrControl|attrUnknown) != 0 {
		return ""
	}
	return t.pieces[id]
}

// Decode turns ids back into text like llama.cpp's detokenize with
// remove_special=false and unparse_special=false: control tokens (BOS, EOS
// ...) produce nothing, and when the vocabulary adds a space prefix, one
// leading space of the first token's piece is dropped. Out-of-range ids are
// skipped.
//
// Where llama.cpp cleans spaces (per BPE pre-tokenizer, see PreDefaults),
// the spaces before ?!., and around a lone apostrophe, and before the
// contractions 's 'm 're 've, are removed as llama.cpp removes them.
func (t *Tokenizer) Decode(ids []int32) string {
	var b strings.Builder
	for i, id := range ids {
		p := t.Piece(id, false)
		if i == 0 && t.addSpacePrefix && strings.HasPrefix(p, " ") {
			p = p[1:]
		}
		b.WriteString(p)
	}
	if t.cleanSpaces {
		return cleanSpaces(b.String())
	}
	return b.String()
}

// byteLevelDecode is llama.cpp's llama_decode_text: every code point back
// to its byte; one that is no byte-level character is written as
// "[UNK_BYTE_0x<utf-8 hex><whole text>]".
func byteLevelDecode(text string) string {
	var out []byte
	for i := 0; i < len(text); {
		r, n := decodeCpt(text, i)
		i += n
		if b, ok := byteLevelInverse[r]; ok {
			out = append(out, b)
			continue
		}
		out = append(out, "[UNK_BYTE_0x"...)
		for _, c := range appendCpt(nil, r) {
			out = append(out, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		}
		out = append(out, text...)
		out = append(out, ']')
	}
	return string(out)
}

// cleanSpaces is llama.cpp's clean_spaces post-pass of detokenize, three
// passes over the bytes.
func cleanSpaces(s string) string {
	b := []byte(s)
	// " ?", " !", " .", " ," lose the space.
	n := min(len(b), 1)
	for i := 1; i < len(b); i++ {
		x := b[i]
		if b[i-1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',') {
			n--
		}
		b[n] = x
		n++
	}
	b = b[:n]
	// " ' " becomes "'".
	n = min(len(b), 1)
	for i := 1; i < len(b); i++ {
		x := b[i]
		if x == '\'' && i+1 < len(b) && b[i-1] == ' ' && b[i+1] == ' ' {
			n--
			i++
			b[i] = 0 // the next space is skipped (llama.cpp writes a NUL over it)
		}
		b[n] = x
		n++
	}
	b = b[:n]
	// " 's", " 'm", " 're", " 've" lose the space.
	n = min(len(b), 1)
	for i := 1; i < len(b); i++ {
		x := b[i]
		if b[i-1] == ' ' && x == '\'' && i+1 < len(b) {
			x1 := b[i+1]
			if x1 == 's' || x1 == 'm' {
				n--
			} else if i+2 < len(b) {
				x2 := b[i+2]
				if x1 == 'r' && x2 == 'e' || x1 == 'v' && x2 == 'e' {
					n--
				}
			}
		}
		b[n] = x
		n++
	}
	return string(b[:n])
}
