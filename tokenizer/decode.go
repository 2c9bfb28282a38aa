package tokenizer

import "strings"

const spaceMarker = "\u2581" // ▁, SentencePiece's escaped space

// rawPiece is llama.cpp's token_to_piece with special=true for a
// SentencePiece vocabulary: control, unknown and user-defined tokens as
// stored, normal tokens with ▁ turned back into spaces, byte tokens as their
// byte, anything else (unused, undefined) as nothing.
func (t *Tokenizer) rawPiece(id int32) string {
	a, text := t.attrs[id], t.tokens[id]
	switch {
	case a&(attrControl|attrUnknown|attrUserDefined) != 0:
		return text
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
func (t *Tokenizer) Decode(ids []int32) string {
	var b strings.Builder
	for i, id := range ids {
		p := t.Piece(id, false)
		if i == 0 && t.addSpacePrefix && strings.HasPrefix(p, " ") {
			p = p[1:]
		}
		b.WriteString(p)
	}
	return b.String()
}
