package tokenizer

import (
	"slices"
	"strings"
	"testing"

	"github.com/zqtool/zq/gguf"
)

// toyBPE is a small byte-level vocabulary: the letters, "Ġ" (space), a few
// merges with chosen ranks, and a control token.
func toyBPE() gguf.Metadata {
	tokens := []string{"a", "b", "c", "Ġ", "ab", "bc", "abc", "Ġa", "<|end|>", "1", "2", "11", "Ġb"}
	types := make([]int32, len(tokens))
	for i := range types {
		types[i] = TypeNormal
	}
	types[8] = TypeControl
	merges := []string{"b c", "a b", "a bc", "Ġ a", "1 1", "Ġ b"}
	return gguf.Metadata{
		{Key: KeyModel, Value: gguf.String("gpt2")},
		{Key: KeyPre, Value: gguf.String("qwen2")},
		{Key: KeyTokens, Value: gguf.Strings(tokens)},
		{Key: KeyTokenType, Value: gguf.Int32s(types)},
		{Key: KeyMerges, Value: gguf.Strings(merges)},
		{Key: KeyBOS, Value: gguf.Uint32(8)},
	}
}

func TestBPEToy(t *testing.T) {
	tok, err := FromMetadata(toyBPE())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want []int32
	}{
		{"abc", []int32{6}},       // "b c" (rank 0) first, then "a bc"
		{"ab", []int32{4}},        // "a b"
		{"cab", []int32{2, 4}},    // no merge with c
		{" a b", []int32{7, 12}},  // words " a", " b"
		{"111", []int32{9, 9, 9}}, // qwen2 splits digits one by one
		{"a<|end|>b", []int32{0, 8, 1}},
		{"d", nil}, // no token for the byte: dropped, as llama.cpp drops it
	}
	for _, tc := range tests {
		if got := tok.Encode(tc.text, false, true); !slices.Equal(got, tc.want) {
			t.Errorf("Encode(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
	if tok.AddBOS() || tok.AddSpacePrefix() {
		t.Error("qwen2 defaults: no BOS, no space prefix")
	}
	if got := tok.Decode([]int32{7, 12, 8, 6}); got != " a babc" {
		t.Errorf("Decode = %q", got)
	}
}

func TestBPEMetadataErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(*gguf.Metadata)
		want string
	}{
		{"unknown pre", func(md *gguf.Metadata) { md.Set(KeyPre, gguf.String("deepseek-llm")) }, `"deepseek-llm"`},
		{"no pre", func(md *gguf.Metadata) { md.Delete(KeyPre) }, KeyPre},
		{"no merges", func(md *gguf.Metadata) { md.Delete(KeyMerges) }, KeyMerges},
		{"bad merges", func(md *gguf.Metadata) { md.Set(KeyMerges, gguf.Uint32(3)) }, KeyMerges},
		{"other model", func(md *gguf.Metadata) { md.Set(KeyModel, gguf.String("bert")) }, `"bert"`},
	} {
		md := toyBPE()
		c.edit(&md)
		_, err := FromMetadata(md)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one naming %s", c.name, err, c.want)
		}
	}
}

func TestCleanSpaces(t *testing.T) {
	for in, want := range map[string]string{
		"a , b . c ? d !":   "a, b. c? d!",
		"it ' s":            "it's",
		"I 'm , we 're 've": "I'm, we're've",
		"don 't 'd 'll":     "don 't 'd 'll",
		" ' ":               "'",
		"":                  "",
		"x ' ' y":           "x'' y",
	} {
		if got := cleanSpaces(in); got != want {
			t.Errorf("cleanSpaces(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestByteLevel(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	enc := ByteLevelEncode(string(all))
	if strings.ContainsAny(enc, " \n\t") || byteLevelDecode(enc) != string(all) {
		t.Error("byte-level encoding does not round-trip every byte")
	}
	if got := byteLevelDecode("Ġ\u4e00"); got != " [UNK_BYTE_0xe4b880Ġ\u4e00]" {
		t.Errorf("byteLevelDecode of a non-byte character = %q", got)
	}
}
