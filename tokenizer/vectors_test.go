package tokenizer

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
)

func TestLlamaSPMVectors(t *testing.T) {
	tok := loadTokenizer(t, llamaSPMPath)
	cases := readVocabTests(t, llamaSPMPath)
	if len(cases) != 46 {
		t.Fatalf("read %d cases, expected the 46 of llama.cpp's file", len(cases))
	}
	checkCases(t, tok, cases)
}

// readJSONL reads llama-tokenize's outputs for the micro model.
func readJSONL(t *testing.T, path string) []vocabCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []vocabCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var rec struct {
			Text string  `json:"text"`
			IDs  []int32 `json:"ids"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("%s line %d: %v", path, len(cases)+1, err)
		}
		cases = append(cases, vocabCase{rec.Text, rec.IDs})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatalf("%s: no cases", path)
	}
	return cases
}

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
				if got := tok.Decode(c.ids); got != c.text {
					t.Errorf("case %d: Decode(reference ids) = %q, want %q", i, got, c.text)
				}
				if got := tok.Decode(tok.Encode(c.text, false, false)); got != c.text {
					t.Errorf("case %d: Decode(Encode(%q)) = %q", i, c.text, got)
				}
			}
		})
	}
}
