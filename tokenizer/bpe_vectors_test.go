package tokenizer_test

import (
	"compress/gzip"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/hf"
	"github.com/zqtool/zq/internal/testutil"
	"github.com/zqtool/zq/tokenizer"
)

// The real Llama 3.1 and Qwen tokenizers, converted by zq's converter
// (whose tokenizer.* keys equal llama.cpp's, see hf's tests), with
// llama.cpp's test vectors for them.
var bpeModels = []struct {
	dir     string
	convert func(string, *hf.Config) (gguf.Metadata, error)
}{
	{"../testdata/bpe/llama3", hf.Tokenizer},
	{"../testdata/bpe/qwen2", hf.TokenizerSPMOrGPT2},
}

var (
	bpeMu    sync.Mutex
	bpeCache = map[string]*tokenizer.Tokenizer{}
)

// bpeTokenizer converts a test model's tokenizer once per test binary.
func bpeTokenizer(t testing.TB, i int) *tokenizer.Tokenizer {
	t.Helper()
	bpeMu.Lock()
	defer bpeMu.Unlock()
	m := bpeModels[i]
	if tok, ok := bpeCache[m.dir]; ok {
		return tok
	}
	dir := testutil.UnpackDir(t, m.dir)
	cfg, err := hf.LoadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	md, err := m.convert(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.FromMetadata(md)
	if err != nil {
		t.Fatal(err)
	}
	bpeCache[m.dir] = tok
	return tok
}

func TestBPEVectors(t *testing.T) {
	for i, m := range bpeModels {
		t.Run(filepath.Base(m.dir), func(t *testing.T) {
			tok := bpeTokenizer(t, i)
			encode := func(s string) []int32 { return tok.Encode(s, false, false) }
			vocab := testutil.ReadVocabTests(t, filepath.Join(m.dir, "vocab-test"))
			if len(vocab) < 40 {
				t.Fatalf("read %d cases, expected llama.cpp's whole file", len(vocab))
			}
			testutil.CheckEncodings(t, encode, vocab)
			testutil.CheckEncodings(t, encode, testutil.ReadTokenizeJSONL(t, filepath.Join(m.dir, "tokenize.jsonl")))
			for j, c := range vocab {
				// The pieces of llama.cpp's ids spell the text again.
				var b strings.Builder
				for _, id := range c.IDs {
					b.WriteString(tok.Piece(id, false))
				}
				if b.String() != c.Text {
					t.Errorf("case %d: pieces of the reference ids give %q, want %q", j, b.String(), c.Text)
				}
			}
		})
	}
}

// readGzipJSON decodes a gzipped JSON file.
func readGzipJSON(t *testing.T, path string, v any) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.NewDecoder(zr).Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestBPEDevText compares the whole evaluation text with llama-tokenize's
// ids (--no-escape --no-parse-special, BOS as the vocabulary says).
func TestBPEDevText(t *testing.T) {
	text, err := os.ReadFile("../testdata/text/dev.txt")
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range bpeModels {
		t.Run(filepath.Base(m.dir), func(t *testing.T) {
			tok := bpeTokenizer(t, i)
			var want []int32
			readGzipJSON(t, filepath.Join(m.dir, "dev-ids.json.gz"), &want)
			got := tok.Encode(string(text), true, false)
			if !slices.Equal(got, want) {
				n := 0
				for n < len(got) && n < len(want) && got[n] == want[n] {
					n++
				}
				t.Errorf("%d tokens, llama.cpp %d; first difference at %d: %v, want %v",
					len(got), len(want), n, got[n:min(n+8, len(got))], want[n:min(n+8, len(want))])
			}
		})
	}
}

func TestBPESpecials(t *testing.T) {
	llama, qwen := bpeTokenizer(t, 0), bpeTokenizer(t, 1)
	tests := []struct {
		name         string
		tok          *tokenizer.Tokenizer
		text         string
		addSpecial   bool
		parseSpecial bool
		want         []int32
	}{
		{"llama3 adds BOS", llama, "Hello", true, false, []int32{128000, 9906}},
		{"qwen2 adds none", qwen, "Hello", true, false, []int32{9707}},
		{"special parsed", llama, "<|start_header_id|>user", false, true, []int32{128006, 882}},
		{"special as text", qwen, "<|im_end|>", false, false, []int32{27, 91, 318, 6213, 91, 29}},
		{"special parsed (qwen)", qwen, "a<|im_end|>b", false, true, []int32{64, 151645, 65}},
		{"user-defined always", qwen, "<think>x", false, false, []int32{151667, 87}},
	}
	for _, tc := range tests {
		if got := tc.tok.Encode(tc.text, tc.addSpecial, tc.parseSpecial); !slices.Equal(got, tc.want) {
			t.Errorf("%s: Encode(%q) = %v, want %v", tc.name, tc.text, got, tc.want)
		}
	}
	if !llama.IsEOG(128009) || !qwen.IsEOG(151645) || qwen.AddBOS() || !llama.AddBOS() {
		t.Error("end-of-generation ids or BOS flags differ from the metadata")
	}
	// Llama 3 cleans spaces on decoding, Qwen2 does not (llama.cpp's clean_spaces).
	ids := llama.Encode("Hi , there ' s 'm", false, false)
	if got := llama.Decode(ids); got != "Hi, there's'm" {
		t.Errorf("llama3 Decode = %q", got)
	}
	if got := qwen.Decode(qwen.Encode("Hi , there", false, false)); got != "Hi , there" {
		t.Errorf("qwen2 Decode = %q", got)
	}
}

// TestBPEEdgeCases: llama-tokenize's ids (--no-escape) for texts that probe
// the pre-tokenizer: malformed and overlong UTF-8, unassigned and private
// code points, Unicode spaces, line ends, numbers of other scripts, marks,
// contractions, NUL. (Code points past U+10FFFF, which llama.cpp aborts on,
// are left out.)
func TestBPEEdgeCases(t *testing.T) {
	f, err := os.Open("../testdata/bpe/edge.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type edgeCase struct {
		Hex    string  `json:"hex"`
		Llama3 []int32 `json:"llama3"`
		Qwen2  []int32 `json:"qwen2"`
	}
	var cases []edgeCase
	dec := json.NewDecoder(f)
	for dec.More() {
		var c edgeCase
		if err := dec.Decode(&c); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, c)
	}
	llama, qwen := bpeTokenizer(t, 0), bpeTokenizer(t, 1)
	for i, c := range cases {
		b, err := hex.DecodeString(c.Hex)
		if err != nil {
			t.Fatal(err)
		}
		if got := llama.Encode(string(b), false, false); !slices.Equal(got, c.Llama3) {
			t.Errorf("case %d %q: llama3 %v, want %v", i, b, got, c.Llama3)
		}
		if got := qwen.Encode(string(b), false, false); !slices.Equal(got, c.Qwen2) {
			t.Errorf("case %d %q: qwen2 %v, want %v", i, b, got, c.Qwen2)
		}
	}
	if len(cases) < 40 {
		t.Errorf("read %d cases", len(cases))
	}
}

// BenchmarkEncodeDevTextBPE tokenizes the 266 KB evaluation text with the
// Llama 3 and Qwen2 vocabularies (compare llama-tokenize in README). It
// also reports MB per CPU-second of the process (Linux), steadier than
// MB/s on a loaded machine.
func BenchmarkEncodeDevTextBPE(b *testing.B) {
	text, err := os.ReadFile("../testdata/text/dev.txt")
	if err != nil {
		b.Fatal(err)
	}
	for i, m := range bpeModels {
		b.Run(filepath.Base(m.dir), func(b *testing.B) {
			tok := bpeTokenizer(b, i)
			s := string(text)
			b.SetBytes(int64(len(text)))
			cpu0 := processCPU()
			for b.Loop() {
				tok.Encode(s, true, false)
			}
			if cpu := processCPU() - cpu0; cpu > 0 {
				b.ReportMetric(float64(len(text))*float64(b.N)/1e6/cpu.Seconds(), "MB/cpu-s")
			}
		})
	}
}
