package tokenizer

import (
	"testing"

	"github.com/zqtool/zq/internal/testutil"
)

func TestLlamaSPMVectors(t *testing.T) {
	tok := loadTokenizer(t, llamaSPMPath)
	cases := readVocabTests(t, llamaSPMPath)
	if len(cases) != 46 {
		t.Fatalf("read %d cases, expected the 46 of llama.cpp's file", len(cases))
	}
	checkCases(t, tok, cases)
}

func readJSONL(t *testing.T, path string) []vocabCase { return testutil.ReadTokenizeJSONL(t, path) }

func TestMicroMistralVectors(t *testing.T) {
	tok := loadTokenizer(t, microModelPath)
	checkCases(t, tok, readJSONL(t, tokenizeJSONL))
}

func TestRoundTrip(t *testing.T) {
	for _, set := range []struct {
		model string
		cases func(*testing.T) []vocabCase
	}{
		{llamaSPMPath, func(t *testing.T) []vocabCase { return readVocabTests(t, llamaSPMPath) }},
		{microModelPath, func(t *testing.T) []vocabCase { return readJSONL(t, tokenizeJSONL) }},
	} {
		t.Run(set.model, func(t *testing.T) {
			tok := loadTokenizer(t, set.model)
			for i, c := range set.cases(t) {
				// Decoding llama.cpp's own ids must give the text back, and so
				// must decoding ours.
				if got := tok.Decode(c.IDs); got != c.Text {
					t.Errorf("case %d: Decode(reference ids) = %q, want %q", i, got, c.Text)
				}
				if got := tok.Decode(tok.Encode(c.Text, false, false)); got != c.Text {
					t.Errorf("case %d: Decode(Encode(%q)) = %q", i, c.Text, got)
				}
			}
		})
	}
}
