package tokenizer

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/zqtool/zq/gguf"
)

const (
	llamaSPMPath   = "../testdata/tokenizer/ggml-vocab-llama-spm.gguf"
	microModelPath = "../testdata/reference/convert-f16.gguf"
	tokenizeJSONL  = "../testdata/reference/tokenize.jsonl"
	devTextPath    = "../testdata/text/dev.txt"
)

var (
	loadMutex sync.Mutex
	loadCache = map[string]*loaded{}
)

type loaded struct {
	tok *Tokenizer
	err error
}

// loadTokenizer reads the tokenizer of a GGUF file once per test binary.
func loadTokenizer(t testing.TB, path string) *Tokenizer {
	t.Helper()
	loadMutex.Lock()
	defer loadMutex.Unlock()
	if l, ok := loadCache[path]; ok {
		if l.err != nil {
			t.Fatal(l.err)
		}
		return l.tok
	}
	l := &loaded{}
	f, err := gguf.OpenFile(path)
	if err != nil {
		l.err = err
	} else {
		l.tok, l.err = FromMetadata(f.Metadata)
		f.Close()
	}
	loadCache[path] = l
	if l.err != nil {
		t.Fatalf("%s: %v", path, l.err)
	}
	return l.tok
}

// vocabCase is one text and the ids llama.cpp produced for it.
type vocabCase struct {
	text string
	ids  []int32
}

// readVocabTests parses llama.cpp's .inp/.out test-vector pair the way
// tests/test-tokenizer-0.cpp does.
func readVocabTests(t *testing.T, base string) []vocabCase {
	t.Helper()
	inp, err := os.ReadFile(base + ".inp")
	if err != nil {
		t.Fatal(err)
	}
	outb, err := os.ReadFile(base + ".out")
	if err != nil {
		t.Fatal(err)
	}
	const sep = "\n__ggml_vocab_test__\n"
	var texts []string
	raw := string(inp)
	for pos := 0; pos < len(raw); {
		k := strings.Index(raw[pos:], sep)
		if k < 0 {
			texts = append(texts, raw[pos:])
			break
		}
		texts = append(texts, raw[pos:pos+k])
		pos += k + len(sep)
	}
	lines := strings.Split(strings.TrimSuffix(string(outb), "\n"), "\n")
	if len(lines) != len(texts) {
		t.Fatalf("%s: %d inputs but %d outputs", base, len(texts), len(lines))
	}
	cases := make([]vocabCase, len(texts))
	for i, s := range texts {
		cases[i].text = s
		cases[i].ids = []int32{}
		for _, f := range strings.Fields(lines[i]) {
			id, err := strconv.Atoi(f)
			if err != nil {
				t.Fatalf("%s.out line %d: %v", base, i+1, err)
			}
			cases[i].ids = append(cases[i].ids, int32(id))
		}
	}
	return cases
}

func equalIDs(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkCases encodes every case (no BOS, no special parsing) and reports
// the first few mismatches with their text.
func checkCases(t *testing.T, tok *Tokenizer, cases []vocabCase) {
	t.Helper()
	bad := 0
	for i, c := range cases {
		got := tok.Encode(c.text, false, false)
		if equalIDs(got, c.ids) {
			continue
		}
		bad++
		if bad <= 5 {
			t.Errorf("case %d %q:\n got  %v\n want %v", i, c.text, got, c.ids)
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d cases differ from llama.cpp", bad, len(cases))
	}
}
