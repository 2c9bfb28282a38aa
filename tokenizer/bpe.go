package tokenizer

import (
	"fmt"
	"strings"
)

// byteLevel maps every byte to the printable code point GPT-2's byte-level
// BPE stores it as: printable Latin-1 bytes stand for themselves, the other
// 68 take U+0100 onwards in byte order.
var byteLevel = func() (m [256]rune) {
	n := rune(0)
	for b := range 256 {
		if b >= 0x21 && b <= 0x7E || b >= 0xA1 && b <= 0xAC || b >= 0xAE {
			m[b] = rune(b)
		} else {
			m[b] = 256 + n
			n++
		}
	}
	return m
}()

// byteLevelInverse maps those code points back to bytes (-1: none).
var byteLevelInverse = func() map[rune]byte {
	m := make(map[rune]byte, 256)
	for b, r := range byteLevel {
		m[r] = byte(b)
	}
	return m
}()

// ByteLevelEncode returns s with every byte replaced by its byte-level
// code point, the form GPT-2-style vocabularies store tokens in.
func ByteLevelEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteRune(byteLevel[s[i]])
	}
	return b.String()
}

// mergeRule is the rank of merging two symbols and the symbol it makes.
type mergeRule struct {
	rank   int32
	result int32
}

// bpeModel is a byte-level BPE vocabulary's merge table. Symbols are
// interned strings: a token's id, or an id past the vocabulary for merge
// parts that are no token.
type bpeModel struct {
	nTokens      int32
	ignoreMerges bool
	pre          preKind
	merges       map[uint64]mergeRule
	aux          map[string]int32 // interned non-token strings
	byteSym      [256]int32       // symbol of each raw byte's byte-level character
	byteText     [256]string      // that character as UTF-8
	singleByte   [256]int32       // token whose text is exactly this one byte, or -1
}

func newBPEModel(t *Tokenizer, merges []string, pre preKind, ignoreMerges bool) (*bpeModel, error) {
	m := &bpeModel{nTokens: int32(len(t.tokens)), ignoreMerges: ignoreMerges, pre: pre,
		merges: make(map[uint64]mergeRule, len(merges)), aux: map[string]int32{}}
	intern := func(s string) int32 {
		if id, ok := t.ids[s]; ok {
			return id
		}
		if id, ok := m.aux[s]; ok {
			return id
		}
		id := m.nTokens + int32(len(m.aux))
		m.aux[s] = id
		return id
	}
	for b := range 256 {
		m.byteText[b] = string(byteLevel[b])
		m.byteSym[b] = intern(m.byteText[b])
		m.singleByte[b] = -1
		if id, ok := t.ids[string([]byte{byte(b)})]; ok {
			m.singleByte[b] = id
		}
	}
	if len(merges) > 1<<31-1 {
		return nil, fmt.Errorf("tokenizer: %d merges, more than an int32 rank can address", len(merges))
	}
	for i, s := range merges {
		// llama.cpp splits at the first space after the first byte; a merge
		// without one pairs two empty strings and can never apply.
		k := -1
		if len(s) > 1 {
			k = strings.IndexByte(s[1:], ' ')
		}
		if k < 0 {
			continue
		}
		first, second := s[:k+1], s[k+2:]
		key := uint64(uint32(intern(first)))<<32 | uint64(uint32(intern(second)))
		if _, dup := m.merges[key]; dup {
			continue // the first rank wins, as in llama.cpp's map emplace
		}
		m.merges[key] = mergeRule{rank: int32(i), result: intern(first + second)}
	}
	return m, nil
}

// bpeSymbol is one node of a word's linked list of symbols: raw bytes
// word[start:start+n] whose byte-level form is interned as id.
type bpeSymbol struct {
	id         int32
	start, n   int
	prev, next int
}

type bpeBigram struct {
	left, right int
	rank        int32
	size        int
	result      int32
}

// before orders the work queue: lowest rank first, then leftmost.
func (a bpeBigram) before(b bpeBigram) bool {
	return a.rank < b.rank || a.rank == b.rank && a.left < b.left
}

type bpeHeap []bpeBigram

func (h *bpeHeap) push(x bpeBigram) {
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

func (h *bpeHeap) pop() bpeBigram {
	q := *h
	top := q[0]
	last := len(q) - 1
	q[0] = q[last]
	q = q[:last]
	for i := 0; ; {
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

// bpeSession is the scratch state of one Encode call. Words repeat, so it
// remembers each word's tokens (the result depends on the word alone).
type bpeSession struct {
	t     *Tokenizer
	m     *bpeModel
	split splitter
	syms  []bpeSymbol
	queue bpeHeap
	buf   []byte
	cache map[string]wordSpan
	ids   []int32 // cached words' tokens
}

// wordSpan locates a cached word's tokens in bpeSession.ids.
type wordSpan struct{ off, n int32 }

// maxCachedWords bounds the cache; it starts over when full.
const maxCachedWords = 1 << 16

func newBPESession(t *Tokenizer) *bpeSession {
	return &bpeSession{t: t, m: t.bpe, split: splitter{kind: t.bpe.pre}}
}

// tokenize appends the tokens of one raw-text fragment.
func (s *bpeSession) tokenize(text string, out []int32) []int32 {
	s.split.split(text, func(word string) {
		if sp, ok := s.cache[word]; ok {
			out = append(out, s.ids[sp.off:sp.off+sp.n]...)
			return
		}
		n := len(out)
		out = s.word(word, out)
		if s.cache == nil || len(s.cache) >= maxCachedWords {
			s.cache, s.ids = make(map[string]wordSpan), s.ids[:0]
		}
		s.cache[word] = wordSpan{off: int32(len(s.ids)), n: int32(len(out) - n)}
		s.ids = append(s.ids, out[n:]...)
	})
	return out
}

// word is llama.cpp's BPE on one pre-tokenized word: with ignore_merges a
// word that is a token is taken whole; otherwise its bytes are merged
// pairwise, lowest merge rank first (leftmost on ties), and each final
// symbol becomes its token — or, if it is none, the tokens of its
// byte-level form's single bytes.
func (s *bpeSession) word(word string, out []int32) []int32 {
	m := s.m
	if m.ignoreMerges {
		s.buf = s.buf[:0]
		for i := 0; i < len(word); i++ {
			s.buf = append(s.buf, m.byteText[word[i]]...)
		}
		if id, ok := s.t.ids[string(s.buf)]; ok {
			return append(out, id)
		}
	}
	syms := s.syms[:0]
	for i := 0; i < len(word); i++ {
		next := i + 1
		if next == len(word) {
			next = -1
		}
		syms = append(syms, bpeSymbol{id: m.byteSym[word[i]], start: i, n: 1, prev: i - 1, next: next})
	}
	s.syms = syms
	s.queue = s.queue[:0]
	for i := 1; i < len(syms); i++ {
		s.tryBigram(i-1, i)
	}
	for len(s.queue) > 0 {
		bg := s.queue.pop()
		left, right := &syms[bg.left], &syms[bg.right]
		if left.n == 0 || right.n == 0 || left.n+right.n != bg.size {
			continue // stale: a side has merged since this was queued
		}
		left.n += right.n
		left.id = bg.result
		right.n = 0
		left.next = right.next
		if right.next >= 0 {
			syms[right.next].prev = bg.left
		}
		s.tryBigram(left.prev, bg.left)
		s.tryBigram(bg.left, left.next)
	}
	for i := 0; i != -1 && len(syms) > 0; i = syms[i].next {
		sym := syms[i]
		if sym.id < m.nTokens {
			out = append(out, sym.id)
			continue
		}
		for j := sym.start; j < sym.start+sym.n; j++ {
			enc := m.byteText[word[j]]
			for k := 0; k < len(enc); k++ {
				if id := m.singleByte[enc[k]]; id >= 0 {
					out = append(out, id)
				}
			}
		}
	}
	return out
}

func (s *bpeSession) tryBigram(left, right int) {
	if left < 0 || right < 0 {
		return
	}
	l, r := &s.syms[left], &s.syms[right]
	rule, ok := s.m.merges[uint64(uint32(l.id))<<32|uint64(uint32(r.id))]
	if !ok {
		return
	}
	s.queue.push(bpeBigram{left: left, right: right, rank: rule.rank, size: l.n + r.n, result: rule.result})
}
