package hf

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/inspect"
	"github.com/zqtool/zq/internal/testutil"
)

// bpeDirs are the real Llama 3.1 and Qwen tokenizers (tokenizer.json
// gzipped) with llama.cpp's converted tokenizer.* keys in tokenizer-kv.json.
var bpeDirs = []struct {
	dir  string
	conv func(string, *Config) (gguf.Metadata, error)
}{
	{"../testdata/bpe/llama3", Tokenizer},         // LlamaModel.set_vocab
	{"../testdata/bpe/qwen2", TokenizerSPMOrGPT2}, // Qwen2Model.set_vocab
}

func TestBPEVocabMatchesLlamaCpp(t *testing.T) {
	for _, m := range bpeDirs {
		t.Run(filepath.Base(m.dir), func(t *testing.T) {
			dir := testutil.UnpackDir(t, m.dir)
			cfg, err := LoadConfig(dir)
			if err != nil {
				t.Fatal(err)
			}
			md, err := m.conv(dir, cfg)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := inspect.GGUF(&gguf.File{Metadata: md}, inspect.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var want struct {
				KVOrder []string                   `json:"kv_order"`
				KV      map[string]json.RawMessage `json:"kv"`
			}
			b, err := os.ReadFile(filepath.Join(m.dir, "tokenizer-kv.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(rep.KVOrder, want.KVOrder) {
				t.Errorf("keys\n got %q\nwant %q", rep.KVOrder, want.KVOrder)
			}
			for _, k := range want.KVOrder {
				g, err := json.Marshal(rep.KV[k])
				if err != nil {
					t.Fatal(err)
				}
				var x, y any
				if json.Unmarshal(g, &x) != nil || json.Unmarshal(want.KV[k], &y) != nil || !reflect.DeepEqual(x, y) {
					t.Errorf("%s:\n got %.400s\nwant %.400s", k, g, want.KV[k])
				}
			}
		})
	}
}

// TestBPEPreTokenizerErrors: what zq cannot name is refused with the
// reason, naming tokenizer.json.
func TestBPEPreTokenizerErrors(t *testing.T) {
	src := testutil.UnpackDir(t, bpeDirs[1].dir)
	tj := string(mustRead(t, filepath.Join(src, "tokenizer.json")))
	cases := []struct {
		name, old, new string
		want           []string
	}{
		{"unknown hash", "\"merges\": [\n      [\n        \"Ġ\",\n        \"Ġ\"\n      ],", `"merges": [`, []string{"chkhsh", "not recognized"}},
		{"unknown regex", `\\p{N}|`, `\\p{N}{1,2}|`, []string{"Split regex", `\\p{N}{1,2}`}},
		{"unsupported model type", `"type": "BPE"`, `"type": "Unigram"`, []string{"model.type", "Unigram"}},
		{"unsupported normalizer", `"type": "NFC"`, `"type": "Lowercase"`, []string{"normalizer", "Lowercase"}},
		{"bad merge", "\"Ġ\",\n        \"Ġ\"\n", "\"Ġ\",\n        3\n", []string{"model.merges", "merge 0"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(tj, c.old) {
				t.Fatalf("tokenizer.json has no %s", c.old)
			}
			dir := testutil.CopyDir(t, src)
			writeFiles(t, dir, map[string]string{"tokenizer.json": strings.Replace(tj, c.old, c.new, 1)})
			cfg, err := LoadConfig(dir)
			if err != nil {
				t.Fatal(err)
			}
			_, err = TokenizerSPMOrGPT2(dir, cfg)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range append(c.want, filepath.Join(dir, "tokenizer.json")) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %s", err, w)
				}
			}
		})
	}
}
