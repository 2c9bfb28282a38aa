package tokenizer

import (
	"slices"
	"strings"
	"testing"
)

// toyVocab is a tiny vocabulary for unit tests: three control tokens, a few
// byte tokens, letters and merges with chosen scores.
func toyVocab() Vocab {
	v := Vocab{BOS: 1, EOS: 2, UNK: 0, PAD: -1, EOT: -1, AddBOS: true, AddSpacePrefix: true}
	add := func(s string, score float32, typ int32) {
		v.Tokens = append(v.Tokens, s)
		v.Scores = append(v.Scores, score)
		v.Types = append(v.Types, typ)
	}
	add("<unk>", 0, TypeUnknown)     // 0
	add("<s>", 0, TypeControl)       // 1
	add("</s>", 0, TypeControl)      // 2
	add("<0xC3>", 0, TypeByte)       // 3
	add("<0xA9>", 0, TypeByte)       // 4
	add("<0x0A>", 0, TypeByte)       // 5
	add("▁", -1, TypeNormal)         // 6
	add("a", -2, TypeNormal)         // 7
	add("b", -2, TypeNormal)         // 8
	add("c", -2, TypeNormal)         // 9
	add("ab", -5, TypeNormal)        // 10
	add("bc", -5, TypeNormal)        // 11
	add("▁a", -4, TypeNormal)        // 12
	add("abc", -3, TypeNormal)       // 13
	add("<|u|>", 0, TypeUserDefined) // 14
	add("x", -2, TypeNormal)         // 15
	add("unused", 0, TypeUnused)     // 16
	return v
}

func mustNew(t *testing.T, v Vocab) *Tokenizer {
	t.Helper()
	tok, err := New(v)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestEncodeToy(t *testing.T) {
	noPrefix := toyVocab()
	noPrefix.AddSpacePrefix = false
	scored := toyVocab()
	scored.Scores[11] = -4.5 // "bc" now beats "ab"
	withEOS := toyVocab()
	withEOS.AddEOS = true
	tests := []struct {
		name         string
		v            Vocab
		text         string
		addSpecial   bool
		parseSpecial bool
		want         []int32
	}{
		{"empty", toyVocab(), "", false, false, []int32{}},
		{"empty with BOS", toyVocab(), "", true, false, []int32{1}},
		{"prefix space merges", toyVocab(), "a", false, false, []int32{12}},
		{"no prefix", noPrefix, "a", false, false, []int32{7}},
		// ab and bc tie on score: the leftmost pair merges first, then abc.
		{"tie leftmost then abc", noPrefix, "abc", false, false, []int32{13}},
		{"tie leftmost", noPrefix, "abcb", false, false, []int32{13, 8}},
		{"higher score first", func() Vocab { v := scored; v.AddSpacePrefix = false; v.Tokens[13] = "zzz"; return v }(), "abc", false, false, []int32{7, 11}},
		{"byte fallback", noPrefix, "aé", false, false, []int32{7, 3, 4}},
		{"unknown byte to unk", noPrefix, "a\t", false, false, []int32{7, 0}},
		{"newline byte", noPrefix, "\n", false, false, []int32{5}},
		{"BOS", toyVocab(), "a", true, false, []int32{1, 12}},
		{"BOS and EOS", withEOS, "a", true, false, []int32{1, 12, 2}},
		{"EOS only when addSpecial", withEOS, "a", false, false, []int32{12}},
		{"control literal", noPrefix, "<s>", false, false, []int32{0, 0, 0}},
		{"control parsed", noPrefix, "<s>", false, true, []int32{1}},
		{"prefix after special", toyVocab(), "a<s>a", false, true, []int32{12, 1, 12}},
		{"user-defined always", toyVocab(), "x<|u|>a", false, false, []int32{6, 15, 14, 12}},
		{"adjacent specials", noPrefix, "<|u|><|u|>", false, false, []int32{14, 14}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := mustNew(t, tc.v)
			got := tok.Encode(tc.text, tc.addSpecial, tc.parseSpecial)
			if !slices.Equal(got, tc.want) {
				t.Errorf("Encode(%q) = %v, want %v", tc.text, got, tc.want)
			}
		})
	}
}

func TestPieceAndDecodeToy(t *testing.T) {
	tok := mustNew(t, toyVocab())
	pieces := []struct {
		id      int32
		special bool
		want    string
	}{
		{1, false, ""}, {1, true, "<s>"}, {0, false, ""}, {0, true, "<unk>"},
		{3, false, "\xC3"}, {12, false, " a"}, {14, false, "<|u|>"}, {16, true, ""},
		{-1, true, ""}, {99, true, ""},
	}
	for _, p := range pieces {
		if got := tok.Piece(p.id, p.special); got != p.want {
			t.Errorf("Piece(%d, %v) = %q, want %q", p.id, p.special, got, p.want)
		}
	}
	decodes := []struct {
		ids  []int32
		want string
	}{
		{nil, ""},
		{[]int32{12, 12}, "a a"},
		{[]int32{1, 12}, " a"}, // like llama.cpp: only the first token loses its space
		{[]int32{7, 3, 4, 2}, "aé"},
		{[]int32{6, 6, 7}, " a"}, // the first "▁" loses its space
	}
	for _, d := range decodes {
		if got := tok.Decode(d.ids); got != d.want {
			t.Errorf("Decode(%v) = %q, want %q", d.ids, got, d.want)
		}
	}
}

func TestSpecialParsingLlama(t *testing.T) {
	tok := loadTokenizer(t, llamaSPMPath)
	if got := tok.Encode("<s>", false, true); !slices.Equal(got, []int32{tok.BOS()}) {
		t.Errorf("Encode(<s>, parseSpecial) = %v, want [%d]", got, tok.BOS())
	}
	lit := tok.Encode("<s>", false, false)
	if len(lit) < 2 || slices.Contains(lit, tok.BOS()) {
		t.Errorf("Encode(<s>) without parseSpecial = %v, want literal pieces", lit)
	}
	if got := tok.Decode(lit); got != "<s>" {
		t.Errorf("Decode(%v) = %q, want %q", lit, got, "<s>")
	}
	// Text around special tokens is tokenized separately, each part with
	// its own prefix space.
	a, b := "Hello world", " and more</s>"
	got := tok.Encode(a+"</s>"+b, false, true)
	want := append(append(tok.Encode(a, false, false), tok.EOS()), tok.Encode(" and more", false, false)...)
	want = append(want, tok.EOS())
	if !slices.Equal(got, want) {
		t.Errorf("Encode with parsed specials = %v, want %v", got, want)
	}
}

func TestFlagsLlama(t *testing.T) {
	for _, path := range []string{llamaSPMPath, microModelPath} {
		tok := loadTokenizer(t, path)
		if tok.BOS() != 1 || tok.EOS() != 2 || !tok.AddBOS() || tok.AddEOS() || !tok.AddSpacePrefix() {
			t.Errorf("%s: BOS %d EOS %d AddBOS %v AddEOS %v prefix %v; want 1 2 true false true",
				path, tok.BOS(), tok.EOS(), tok.AddBOS(), tok.AddEOS(), tok.AddSpacePrefix())
		}
		with := tok.Encode("Hello", true, false)
		without := tok.Encode("Hello", false, false)
		if len(with) != len(without)+1 || with[0] != 1 || !slices.Equal(with[1:], without) {
			t.Errorf("%s: Encode with BOS %v, without %v", path, with, without)
		}
		if !tok.IsEOG(2) || tok.IsEOG(1) || tok.IsEOG(0) {
			t.Errorf("%s: IsEOG(2,1,0) = %v %v %v", path, tok.IsEOG(2), tok.IsEOG(1), tok.IsEOG(0))
		}
		if p := tok.Piece(1, false); p != "" {
			t.Errorf("%s: Piece(BOS) = %q, want hidden", path, p)
		}
	}
	if n := loadTokenizer(t, llamaSPMPath).NVocab(); n != 32000 {
		t.Errorf("llama vocab has %d tokens, want 32000", n)
	}
	if n := loadTokenizer(t, microModelPath).NVocab(); n != 4096 {
		t.Errorf("micro vocab has %d tokens, want 4096", n)
	}
}

func TestDevTextTokenCount(t *testing.T) {
	tok := loadTokenizer(t, microModelPath)
	text := readDevText(t)
	n := len(tok.Encode(text, false, false))
	t.Logf("dev.txt (%d bytes): %d tokens without BOS", len(text), n)
	// llama-perplexity (trailing newline dropped, BOS added) split the text
	// into 348 chunks of 256 tokens, so it saw 348*256 <= n+1 < 349*256.
	withBOS := len(tok.Encode(strings.TrimSuffix(text, "\n"), true, false))
	t.Logf("as llama-perplexity sees it (final newline dropped, BOS added): %d tokens", withBOS)
	if withBOS < 348*256 || withBOS >= 349*256 {
		t.Errorf("dev.txt gives %d tokens with BOS; llama-perplexity's 348 chunks of 256 need [%d, %d)", withBOS, 348*256, 349*256)
	}
}

func TestHash(t *testing.T) {
	a := mustNew(t, toyVocab()).Hash()
	if len(a) != 64 {
		t.Fatalf("Hash() = %q, want 64 hex digits", a)
	}
	if b := mustNew(t, toyVocab()).Hash(); b != a {
		t.Errorf("hash not deterministic: %s vs %s", a, b)
	}
	v := toyVocab()
	v.Scores[7] = -2.5
	if mustNew(t, v).Hash() == a {
		t.Error("changing a score did not change the hash")
	}
	v = toyVocab()
	v.Types[7] = TypeControl
	if mustNew(t, v).Hash() == a {
		t.Error("changing a type did not change the hash")
	}
	v = toyVocab()
	v.Tokens[15] = "y"
	if mustNew(t, v).Hash() == a {
		t.Error("changing a token did not change the hash")
	}
	// Missing scores/types hash like llama.cpp's defaults.
	v = toyVocab()
	w := toyVocab()
	v.Scores, v.Types = nil, nil
	for i := range w.Scores {
		w.Scores[i], w.Types[i] = 0, TypeNormal
	}
	if mustNew(t, v).Hash() != mustNew(t, w).Hash() {
		t.Error("nil scores/types hash differently from explicit defaults")
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Vocab)
		want string
	}{
		{"no tokens", func(v *Vocab) { *v = Vocab{BOS: -1, EOS: -1, UNK: -1, PAD: -1, EOT: -1} }, "no tokens"},
		{"scores length", func(v *Vocab) { v.Scores = v.Scores[:3] }, "3 scores"},
		{"types length", func(v *Vocab) { v.Types = append(v.Types, 1) }, "token types"},
		{"BOS range", func(v *Vocab) { v.BOS = 17 }, "BOS id 17"},
		{"EOT range", func(v *Vocab) { v.EOT = -2 }, "EOT id -2"},
		{"duplicate", func(v *Vocab) { v.Tokens[15] = "a" }, "duplicates token 7"},
		{"AddBOS without BOS", func(v *Vocab) { v.BOS = -1 }, "no BOS"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := toyVocab()
			tc.edit(&v)
			_, err := New(v)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New: error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestEOTDetection(t *testing.T) {
	v := toyVocab()
	v.Tokens = append(v.Tokens, "<|im_end|>")
	v.Scores = append(v.Scores, 0)
	v.Types = append(v.Types, TypeNormal)
	tok := mustNew(t, v)
	id := int32(len(v.Tokens) - 1)
	if tok.EOT() != id || !tok.IsEOG(id) {
		t.Errorf("EOT = %d, IsEOG(%d) = %v; want the <|im_end|> token detected", tok.EOT(), id, tok.IsEOG(id))
	}
	if p := tok.Piece(id, false); p != "" {
		t.Errorf("<|im_end|> should have become a hidden control token, Piece = %q", p)
	}
}
