package tokenizer

import (
	"os"
	"testing"
)

func readDevText(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(devTextPath)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// BenchmarkEncodeDevText tokenizes the 266 KB evaluation text with the
// micro model's vocabulary.
func BenchmarkEncodeDevText(b *testing.B) {
	tok := loadTokenizer(b, microModelPath)
	text := readDevText(b)
	b.SetBytes(int64(len(text)))
	n := 0
	for b.Loop() {
		n = len(tok.Encode(text, false, false))
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
}

// BenchmarkEncodeDevTextLlama does the same with the 32000-token Llama 2
// vocabulary.
func BenchmarkEncodeDevTextLlama(b *testing.B) {
	tok := loadTokenizer(b, llamaSPMPath)
	text := readDevText(b)
	b.SetBytes(int64(len(text)))
	n := 0
	for b.Loop() {
		n = len(tok.Encode(text, false, false))
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
}

// BenchmarkDecodeDevText turns the dev text's tokens back into text.
func BenchmarkDecodeDevText(b *testing.B) {
	tok := loadTokenizer(b, microModelPath)
	text := readDevText(b)
	ids := tok.Encode(text, false, false)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		_ = tok.Decode(ids)
	}
}
