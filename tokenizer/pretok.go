package tokenizer

import (
	"sync"
	"unicode"
)

// Character classes the BPE pre-tokenizer regexes distinguish. llama.cpp
// keeps a flag set per code point; the two regex families zq implements
// only ask whether a code point is whitespace (Unicode White_Space), a
// letter (\p{L}), a number (\p{N}) or anything else — unassigned code
// points included. clsEnd stands for "outside the fragment".
const (
	clsOther uint8 = iota
	clsLetter
	clsNumber
	clsSpace
	clsEnd
)

// bmpClasses caches the class of every code point below U+10000.
var bmpClasses = sync.OnceValue(func() *[0x10000]uint8 {
	var t [0x10000]uint8
	for r := range rune(0x10000) {
		t[r] = classOf(r)
	}
	return &t
})

// classOf classifies one code point from Go's Unicode tables (Unicode
// 15.0; llama.cpp's own tables may be a newer version, which only matters
// for code points assigned since).
func classOf(r rune) uint8 {
	switch {
	case unicode.Is(unicode.White_Space, r):
		return clsSpace
	case unicode.IsLetter(r):
		return clsLetter
	case unicode.IsNumber(r):
		return clsNumber
	}
	return clsOther
}

func cptClass(r rune) uint8 {
	if r < 0x10000 {
		return bmpClasses()[r]
	}
	return classOf(r)
}

// decodeCpt decodes one code point the way llama.cpp's
// unicode_cpt_from_utf8 does: no check for overlong forms or surrogates; a
// malformed or truncated sequence gives U+FFFD and consumes one byte.
// Values past U+10FFFF (which llama.cpp cannot re-encode) also become
// U+FFFD.
func decodeCpt(s string, i int) (rune, int) {
	b := s[i]
	cont := func(k int) bool { return i+k < len(s) && s[i+k]&0xC0 == 0x80 }
	switch {
	case b < 0x80:
		return rune(b), 1
	case b&0x40 == 0:
		return 0xFFFD, 1
	case b&0x20 == 0:
		if !cont(1) {
			return 0xFFFD, 1
		}
		return rune(b&0x1F)<<6 | rune(s[i+1]&0x3F), 2
	case b&0x10 == 0:
		if !cont(1) || !cont(2) {
			return 0xFFFD, 1
		}
		return rune(b&0x0F)<<12 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F), 3
	case b&0x08 == 0:
		if !cont(1) || !cont(2) || !cont(3) {
			return 0xFFFD, 1
		}
		r := rune(b&0x07)<<18 | rune(s[i+1]&0x3F)<<12 | rune(s[i+2]&0x3F)<<6 | rune(s[i+3]&0x3F)
		if r > 0x10FFFF {
			return 0xFFFD, 1
		}
		return r, 4
	}
	return 0xFFFD, 1
}

// appendCpt is llama.cpp's unicode_cpt_to_utf8 (it encodes surrogates too).
func appendCpt(b []byte, r rune) []byte {
	switch {
	case r < 0x80:
		return append(b, byte(r))
	case r < 0x800:
		return append(b, 0xC0|byte(r>>6), 0x80|byte(r&0x3F))
	case r < 0x10000:
		return append(b, 0xE0|byte(r>>12), 0x80|byte(r>>6&0x3F), 0x80|byte(r&0x3F))
	}
	return append(b, 0xF0|byte(r>>18), 0x80|byte(r>>12&0x3F), 0x80|byte(r>>6&0x3F), 0x80|byte(r&0x3F))
}

// preKind is one family of pre-tokenizer regexes.
type preKind int

const (
	// preLlama3 is Llama 3's regex:
	//   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
	//   ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
	preLlama3 preKind = iota + 1
	// preQwen2 is the same with \p{N} instead of \p{N}{1,3}.
	preQwen2
)

// maxDigits is how many digits one number word may hold.
func (k preKind) maxDigits() int {
	if k == preQwen2 {
		return 1
	}
	return 3
}

// HF tokenizer.json Split patterns of each family.
const (
	regexLlama3 = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
	regexQwen2  = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
)

// splitter holds one pre-tokenization's scratch space.
type splitter struct {
	kind  preKind
	cpts  []rune
	cls   []uint8
	offs  []int // byte offset of each code point in the (canonical) text, plus the end
	canon []byte
}

// split cuts text into the words of k's regex and calls emit with each
// (as UTF-8, after llama.cpp's decoding: malformed bytes become U+FFFD).
//
// Both regexes are matched by one scanner: every alternative is tried in
// order at the current position, exactly as a backtracking regex engine
// (and llama.cpp's unicode_regex_split_custom_llama3) would, which the
// alternatives' shapes make a constant-lookahead decision.
func (sp *splitter) split(text string, emit func(word string)) {
	sp.cpts, sp.cls, sp.offs = sp.cpts[:0], sp.cls[:0], sp.offs[:0]
	clean := true
	for i := 0; i < len(text); {
		r, n := decodeCpt(text, i)
		if !(n == 1 && r < 0x80 || n == 2 && r >= 0x80 || n == 3 && r >= 0x800 || n == 4 && r >= 0x10000) {
			clean = false // malformed or overlong: re-encoding differs from the input
		}
		sp.cpts = append(sp.cpts, r)
		sp.offs = append(sp.offs, i)
		i += n
	}
	if !clean {
		// Work on llama.cpp's re-encoded text so words carry its bytes.
		sp.canon = sp.canon[:0]
		for k, r := range sp.cpts {
			sp.offs[k] = len(sp.canon)
			sp.canon = appendCpt(sp.canon, r)
		}
		text = string(sp.canon)
	}
	sp.offs = append(sp.offs, len(text))
	for _, r := range sp.cpts {
		sp.cls = append(sp.cls, cptClass(r))
	}

	end := len(sp.cpts)
	cls := func(p int) uint8 {
		if p < end {
			return sp.cls[p]
		}
		return clsEnd
	}
	prev := 0
	add := func(p int) {
		if p > prev {
			emit(text[sp.offs[prev]:sp.offs[p]])
		}
		prev = p
	}
	maxDigits := sp.kind.maxDigits()
	for pos := 0; pos < end; {
		c, f := sp.cpts[pos], sp.cls[pos]

		// (?i:'s|'t|'re|'ve|'m|'ll|'d)
		if c == '\'' && pos+1 < end {
			c1 := asciiLower(sp.cpts[pos+1])
			if c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd' {
				pos += 2
				add(pos)
				continue
			}
			if pos+2 < end {
				c2 := asciiLower(sp.cpts[pos+2])
				if c1 == 'r' && c2 == 'e' || c1 == 'v' && c2 == 'e' || c1 == 'l' && c2 == 'l' {
					pos += 3
					add(pos)
					continue
				}
			}
		}

		// [^\r\n\p{L}\p{N}]?\p{L}+
		if c != '\r' && c != '\n' && f != clsNumber && (f == clsLetter || cls(pos+1) == clsLetter) {
			pos++
			for cls(pos) == clsLetter {
				pos++
			}
			add(pos)
			continue
		}

		// \p{N}{1,maxDigits}
		if f == clsNumber {
			start := pos
			for cls(pos) == clsNumber {
				pos++
				if pos-start >= maxDigits {
					add(pos)
					start = pos
				}
			}
			add(pos)
			continue
		}

		// ' ?[^\s\p{L}\p{N}]+[\r\n]*'
		f2 := f
		if c == ' ' {
			f2 = cls(pos + 1)
		}
		if f2 == clsOther || f2 == clsEnd && c == ' ' {
			if c == ' ' {
				pos++
			}
			for cls(pos) == clsOther {
				pos++
			}
			for pos < end && (sp.cpts[pos] == '\r' || sp.cpts[pos] == '\n') {
				pos++
			}
			add(pos)
			continue
		}

		n, lastNL := 0, 0
		for cls(pos+n) == clsSpace {
			if r := sp.cpts[pos+n]; r == '\r' || r == '\n' {
				lastNL = pos + n + 1
			}
			n++
		}
		switch {
		case lastNL > 0: // \s*[\r\n]+
			pos = lastNL
		case n > 1 && pos+n < end: // \s+(?!\S)
			pos += n - 1
		case n > 0: // \s+
			pos += n
		default:
			pos++
		}
		add(pos)
	}
}

// asciiLower lowercases A–Z; llama.cpp's unicode_tolower maps no other
// code point onto the ASCII letters the contractions test.
func asciiLower(r rune) rune {
	if r >= 'A' && r <= 'Z' {
		return r + 'a' - 'A'
	}
	return r
}
