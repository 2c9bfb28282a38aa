package tokenizer

// symbol is one node of the doubly linked list of text pieces SentencePiece
// merges: the bytes text[start:start+n] (n == 0 once merged away).
type symbol struct {
	start, n   int
	prev, next int
}

// bigram is a candidate merge of two adjacent symbols; size is the merged
// byte length, used to notice candidates made stale by earlier merges.
type bigram struct {
	left, right int
	score       float32
	size        int
}

// before orders the work queue: higher score first, then leftmost first.
func (a bigram) before(b bigram) bool {
	return a.score > b.score || (a.score == b.score && a.left < b.left)
}

// bigramHeap is a binary max-heap of bigrams ordered by before.
type bigramHeap []bigram

func (h *bigramHeap) push(x bigram) {
	q := append(*h, x)
	i := len(q) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !q[i].before(q[p]) {
			break
		}
		q[i], q[p] = q[p], q[i]
		i = p
	}
	*h = q
}

func (h *bigramHeap) pop() bigram {
	q := *h
	top := q[0]
	last := len(q) - 1
	q[0] = q[last]
	q = q[:last]
	i := 0
	for {
		l := 2*i + 1
		if l >= len(q) {
			break
		}
		m := l
		if r := l + 1; r < len(q) && q[r].before(q[l]) {
			m = r
		}
		if !q[m].before(q[i]) {
			break
		}
		q[i], q[m] = q[m], q[i]
		i = m
	}
	*h = q
	return top
}

// spmSession holds the scratch state of one SentencePiece run; it is reused
// across the text fragments of one Encode call.
type spmSession struct {
	t       *Tokenizer
	symbols []symbol
	queue   bigramHeap
	whole   bool // merge the text as one segment (tests the segmentation)
}

// utf8Len is llama.cpp's unicode_len_utf8: the sequence length announced by
// a lead byte, 1 for ASCII and for stray continuation bytes.
func utf8Len(b byte) int {
	switch b >> 4 {
	case 0xC, 0xD:
		return 2
	case 0xE:
		return 3
	case 0xF:
		return 4
	}
	return 1
}

// tokenize appends the SentencePiece tokens of text (already space-escaped)
// to out.
//
// The text is worked on segment by segment. A segment ends after a
// character that is a single "separator" byte (see Tokenizer.sep): no
// vocabulary entry holds that byte together with anything else, so no merge
// can cross the boundary, and llama.cpp's one best-first queue over the
// whole text, restricted to one segment, performs exactly the merges that
// segment performs alone. Small queues are much faster and memory stays
// bounded by the longest segment; the tokens are the same.
func (s *spmSession) tokenize(text string, out []int32) []int32 {
	for lo := 0; lo < len(text); {
		hi := len(text)
		if !s.whole {
			for off := lo; off < len(text); {
				n := utf8Len(text[off])
				if n == 1 && s.t.sep[text[off]] {
					hi = off + 1
					break
				}
				off += n
			}
		}
		out = s.tokenizeSegment(text[lo:hi], out)
		lo = hi
	}
	return out
}

// tokenizeSegment is llama.cpp's SentencePiece session on one segment:
// split into UTF-8 characters, repeatedly merge the adjacent pair whose
// concatenation is the best-scoring vocabulary entry (leftmost on ties),
// then emit each remaining piece, falling back to byte tokens for pieces
// not in the vocabulary.
func (s *spmSession) tokenizeSegment(text string, out []int32) []int32 {
	syms := s.symbols[:0]
	for off := 0; off < len(text); {
		n := min(utf8Len(text[off]), len(text)-off)
		idx := len(syms)
		next := idx + 1
		if off+n == len(text) {
			next = -1
		}
		syms = append(syms, symbol{start: off, n: n, prev: idx - 1, next: next})
		off += n
	}
	s.symbols = syms
	if len(syms) == 0 {
		return out
	}

	s.queue = s.queue[:0]
	for i := 1; i < len(syms); i++ {
		s.tryAddBigram(text, i-1, i)
	}
	for len(s.queue) > 0 {
		bg := s.queue.pop()
		left, right := &syms[bg.left], &syms[bg.right]
		if left.n == 0 || right.n == 0 || left.n+right.n != bg.size {
			continue // stale: one side was merged since this was queued
		}
		left.n += right.n
		right.n = 0
		left.next = right.next
		if right.next >= 0 {
			syms[right.next].prev = bg.left
		}
		s.tryAddBigram(text, left.prev, bg.left)
		s.tryAddBigram(text, bg.left, left.next)
	}

	// Every merged piece is a vocabulary entry by construction, so llama.cpp's
	// rev_merge re-segmentation can never apply: a piece is either a token or
	// a single unmerged character, which falls back to byte tokens.
	for i := 0; i != -1; i = syms[i].next {
		sym := syms[i]
		piece := text[sym.start : sym.start+sym.n]
		if id, ok := s.t.ids[piece]; ok {
			out = append(out, id)
			continue
		}
		for j := 0; j < len(piece); j++ {
			out = s.t.appendByte(out, piece[j])
		}
	}
	return out
}

// tryAddBigram queues the merge of symbols left and right if their
// concatenation is a vocabulary entry.
func (s *spmSession) tryAddBigram(text string, left, right int) {
	if left == -1 || right == -1 {
		return
	}
	l, r := &s.symbols[left], &s.symbols[right]
	if l.n+r.n > s.t.maxLen {
		return // longer than any token
	}
	id, ok := s.t.ids[text[l.start:l.start+l.n+r.n]]
	if !ok {
		return
	}
	s.queue.push(bigram{left: left, right: right, score: s.t.scores[id], size: l.n + r.n})
}

// appendByte appends the byte-fallback token of b. llama.cpp aborts when a
// vocabulary has neither "<0xXX>" nor the raw byte as a token; here the
// unknown token stands in, or nothing when there is none.
func (t *Tokenizer) appendByte(out []int32, b byte) []int32 {
	if id := t.bytes[b]; id >= 0 {
		return append(out, id)
	}
	if t.unk >= 0 {
		return append(out, t.unk)
	}
	return out
}
