package tokenizer

import (
	"slices"
	"strings"
	"testing"

	"github.com/zqtool/zq/gguf"
)

// toyMetadata is toyVocab as GGUF metadata.
func toyMetadata() gguf.Metadata {
	v := toyVocab()
	return gguf.Metadata{
		{Key: KeyModel, Value: gguf.String("llama")},
		{Key: KeyTokens, Value: gguf.Strings(v.Tokens)},
		{Key: KeyScores, Value: gguf.Float32s(v.Scores)},
		{Key: KeyTokenType, Value: gguf.Int32s(v.Types)},
	}
}

func TestFromMetadataDefaults(t *testing.T) {
	md := toyMetadata()
	md.Delete(KeyScores)
	md.Delete(KeyTokenType)
	tok, err := FromMetadata(md)
	if err != nil {
		t.Fatal(err)
	}
	if tok.BOS() != 1 || tok.EOS() != 2 || tok.UNK() != 0 || tok.PAD() != -1 || !tok.AddBOS() || tok.AddEOS() || !tok.AddSpacePrefix() {
		t.Errorf("defaults: BOS %d EOS %d UNK %d PAD %d AddBOS %v AddEOS %v prefix %v",
			tok.BOS(), tok.EOS(), tok.UNK(), tok.PAD(), tok.AddBOS(), tok.AddEOS(), tok.AddSpacePrefix())
	}
	// Without types every token is NORMAL, so "<s>" is not a control token.
	if p := tok.Piece(1, false); p != "<s>" {
		t.Errorf("Piece(1) = %q, want %q for an untyped vocabulary", p, "<s>")
	}
}

func TestFromMetadataKeys(t *testing.T) {
	md := toyMetadata()
	md.Set(KeyBOS, gguf.Uint32(15))
	md.Set(KeyEOS, gguf.Uint32(1000)) // out of range: llama.cpp keeps the default
	md.Set(KeyPAD, gguf.Uint32(2))
	md.Set(KeyAddBOS, gguf.Bool(false))
	md.Set(KeyAddEOS, gguf.Bool(true))
	md.Set(KeyAddSpacePrefix, gguf.Bool(false))
	tok, err := FromMetadata(md)
	if err != nil {
		t.Fatal(err)
	}
	if tok.BOS() != 15 || tok.EOS() != 2 || tok.PAD() != 2 || tok.AddBOS() || !tok.AddEOS() || tok.AddSpacePrefix() {
		t.Errorf("keys: BOS %d EOS %d PAD %d AddBOS %v AddEOS %v prefix %v",
			tok.BOS(), tok.EOS(), tok.PAD(), tok.AddBOS(), tok.AddEOS(), tok.AddSpacePrefix())
	}
	if got := tok.Encode("a", true, false); !slices.Equal(got, []int32{7, 2}) {
		t.Errorf("Encode = %v, want [7 2]", got)
	}
}

func TestFromMetadataPhi3RStrip(t *testing.T) {
	md := toyMetadata()
	md.Set("general.name", gguf.String("Phi-3 mini"))
	tok, err := FromMetadata(md)
	if err != nil {
		t.Fatal(err)
	}
	// Phi-3: whitespace after "</s>" is stripped, after "<s>" it is kept.
	if got, want := tok.Encode("a</s>  a", false, true), []int32{12, 2, 12}; !slices.Equal(got, want) {
		t.Errorf("after </s>: %v, want %v", got, want)
	}
	if got, want := tok.Encode("a<s> a", false, true), []int32{12, 1, 6, 12}; !slices.Equal(got, want) {
		t.Errorf("after <s>: %v, want %v", got, want)
	}
}

func TestFromMetadataErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(*gguf.Metadata)
		want string
	}{
		{"no model", func(m *gguf.Metadata) { m.Delete(KeyModel) }, KeyModel},
		{"gpt2 model", func(m *gguf.Metadata) { m.Set(KeyModel, gguf.String("gpt2")) }, `"gpt2"`},
		{"model not a string", func(m *gguf.Metadata) { m.Set(KeyModel, gguf.Uint32(1)) }, KeyModel},
		{"no tokens", func(m *gguf.Metadata) { m.Delete(KeyTokens) }, KeyTokens},
		{"tokens not strings", func(m *gguf.Metadata) { m.Set(KeyTokens, gguf.Int32s([]int32{1})) }, KeyTokens},
		{"empty tokens", func(m *gguf.Metadata) { m.Set(KeyTokens, gguf.Strings([]string{})) }, "empty"},
		{"scores length", func(m *gguf.Metadata) { m.Set(KeyScores, gguf.Float32s([]float32{1, 2})) }, KeyScores + `" has 2 entries`},
		{"scores type", func(m *gguf.Metadata) { m.Set(KeyScores, gguf.Strings([]string{"x"})) }, KeyScores},
		{"types length", func(m *gguf.Metadata) { m.Set(KeyTokenType, gguf.Int32s([]int32{1})) }, KeyTokenType + `" has 1 entries`},
		{"types type", func(m *gguf.Metadata) { m.Set(KeyTokenType, gguf.Float32s([]float32{1})) }, KeyTokenType},
		{"bos type", func(m *gguf.Metadata) { m.Set(KeyBOS, gguf.String("1")) }, KeyBOS},
		{"add_bos type", func(m *gguf.Metadata) { m.Set(KeyAddBOS, gguf.Uint32(1)) }, KeyAddBOS},
		{"duplicate token", func(m *gguf.Metadata) {
			v := toyVocab()
			v.Tokens[16] = "x"
			m.Set(KeyTokens, gguf.Strings(v.Tokens))
		}, "duplicates"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			md := toyMetadata()
			tc.edit(&md)
			_, err := FromMetadata(md)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("FromMetadata: error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
