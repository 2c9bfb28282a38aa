package tokenizer

import (
	"sync"
	"testing"

	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/internal/testutil"
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

type vocabCase = testutil.VocabCase

func readVocabTests(t *testing.T, base string) []vocabCase { return testutil.ReadVocabTests(t, base) }

// checkCases encodes every case (no BOS, no special parsing).
func checkCases(t *testing.T, tok *Tokenizer, cases []vocabCase) {
	t.Helper()
	testutil.CheckEncodings(t, func(s string) []int32 { return tok.Encode(s, false, false) }, cases)
}
