package hf

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zqtool/zq/internal/testutil"
)

// tinyTokenizerJSON builds a SentencePiece-style BPE tokenizer.json with the
// given post_processor JSON and added_tokens.
func tinyTokenizerJSON(postProcessor, added string) string {
	vocab := []string{`"<unk>": 0`, `"<s>": 1`, `"</s>": 2`, `"<0x0A>": 3`, `"▁a": 4`, `"b": 5`}
	return fmt.Sprintf(`{"version": "1.0", "added_tokens": [%s], "post_processor": %s,
 "decoder": {"type": "Sequence", "decoders": []},
 "model": {"type": "BPE", "byte_fallback": true, "vocab": {%s}, "merges": []}}`,
		added, postProcessor, strings.Join(vocab, ", "))
}

const (
	addedLlama = `{"id": 0, "content": "<unk>", "special": true}, {"id": 1, "content": "<s>", "special": true},
 {"id": 2, "content": "</s>", "special": true}`
	llamaPost = `{"type": "TemplateProcessing",
 "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
 "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
          {"SpecialToken": {"id": "<s>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}]}`
	eosPost = `{"type": "TemplateProcessing",
 "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
 "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}]}`
	zephyrTC = `{"add_bos_token": true, "add_eos_token": false, "bos_token": "<s>", "eos_token": "</s>",
 "unk_token": "<unk>", "pad_token": "</s>", "chat_template": "{{ messages }}", "tokenizer_class": "LlamaTokenizer"}`
	configIDs = `{"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 64,
 "num_attention_heads": 4, "num_hidden_layers": 1, "vocab_size": 6, "bos_token_id": 1, "eos_token_id": 2}`
)

// tokenizerKeys runs Tokenizer and returns every key but the three arrays.
func tokenizerKeys(t *testing.T, files map[string]string) []string {
	t.Helper()
	dir := writeFiles(t, t.TempDir(), files)
	cfg, err := LoadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	md, err := Tokenizer(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range kvs(md) {
		if strings.HasPrefix(s, "tokenizer.ggml.tokens=") || strings.HasPrefix(s, "tokenizer.ggml.scores=") ||
			strings.HasPrefix(s, "tokenizer.ggml.token_type=") {
			continue
		}
		out = append(out, s)
	}
	return out
}

func TestSpecialVocab(t *testing.T) {
	head := []string{"tokenizer.ggml.model=string:llama", "tokenizer.ggml.pre=string:default"}
	cases := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{
			name: "typical zephyr",
			files: map[string]string{"config.json": configIDs, "tokenizer_config.json": zephyrTC,
				"tokenizer.json": tinyTokenizerJSON(llamaPost, addedLlama)},
			want: []string{"tokenizer.ggml.bos_token_id=uint32:1", "tokenizer.ggml.eos_token_id=uint32:2",
				"tokenizer.ggml.unknown_token_id=uint32:0", "tokenizer.ggml.padding_token_id=uint32:2",
				"tokenizer.ggml.add_bos_token=bool:true", "tokenizer.ggml.add_sep_token=bool:false",
				"tokenizer.ggml.add_eos_token=bool:false", "tokenizer.chat_template=string:{{ messages }}"},
		},
		{
			name: "no tokenizer.json: ids from config.json only",
			files: map[string]string{"config.json": configIDs, "tokenizer_config.json": zephyrTC,
				"tokenizer.model": string(mustRead(t, microDir+"/tokenizer.model"))},
			want: []string{"tokenizer.ggml.bos_token_id=uint32:1", "tokenizer.ggml.eos_token_id=uint32:2",
				"tokenizer.ggml.add_bos_token=bool:true", "tokenizer.ggml.add_eos_token=bool:false",
				"tokenizer.chat_template=string:{{ messages }}"},
		},
		{
			name: "object-form tokens and a trailing eos",
			files: map[string]string{"config.json": configIDs,
				"tokenizer_config.json": `{"bos_token": {"__type": "AddedToken", "content": "<s>"},
 "eos_token": {"__type": "AddedToken", "content": "</s>"}, "unk_token": "<unk>"}`,
				"tokenizer.json": tinyTokenizerJSON(eosPost, addedLlama)},
			want: []string{"tokenizer.ggml.bos_token_id=uint32:1", "tokenizer.ggml.eos_token_id=uint32:2",
				"tokenizer.ggml.unknown_token_id=uint32:0", "tokenizer.ggml.eot_token_id=uint32:2",
				"tokenizer.ggml.add_bos_token=bool:false", "tokenizer.ggml.add_eos_token=bool:true"},
		},
		{
			name: "sep from eos when the pair template has one",
			files: map[string]string{"config.json": `{"architectures": ["LlamaForCausalLM"], "hidden_size": 64,
 "num_attention_heads": 4, "num_hidden_layers": 1, "vocab_size": 6}`,
				"tokenizer_config.json": `{"bos_token": "<s>", "eos_token": "</s>"}`,
				"tokenizer.json": tinyTokenizerJSON(`{"type": "TemplateProcessing",
 "single": [{"SpecialToken": {"id": "<s>"}}, {"Sequence": {"id": "A"}}],
 "pair": [{"SpecialToken": {"id": "<s>"}}, {"Sequence": {"id": "A"}}, {"SpecialToken": {"id": "</s>"}}, {"Sequence": {"id": "B"}}]}`, addedLlama)},
			want: []string{"tokenizer.ggml.bos_token_id=uint32:1", "tokenizer.ggml.eos_token_id=uint32:2",
				"tokenizer.ggml.seperator_token_id=uint32:2",
				"tokenizer.ggml.add_bos_token=bool:true", "tokenizer.ggml.add_sep_token=bool:true"},
		},
		{
			name: "chat_template.jinja with named templates, add_prefix_space",
			files: map[string]string{"config.json": configIDs,
				"tokenizer_config.json":                    `{"add_prefix_space": false}`,
				"tokenizer.json":                           tinyTokenizerJSON("null", addedLlama),
				"chat_template.jinja":                      "main\r\n",
				"additional_chat_templates/tool-use.jinja": "tools",
				"additional_chat_templates/rag.jinja":      "rag"},
			want: []string{"tokenizer.ggml.bos_token_id=uint32:1", "tokenizer.ggml.eos_token_id=uint32:2",
				"tokenizer.chat_template.rag=string:rag", "tokenizer.chat_template.tool_use=string:tools",
				"tokenizer.chat_templates=array[string][rag tool_use]", "tokenizer.chat_template=string:main\n",
				"tokenizer.ggml.add_space_prefix=bool:false"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := tokenizerKeys(t, c.files)
			want := append(append([]string{}, head...), c.want...)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSPMVocabSlots(t *testing.T) {
	// vocab_size 4100 > 4096 pieces: [PAD{i}] fill; added_tokens_decoder
	// entries override slots (CONTROL if special-looking, else USER_DEFINED
	// with ▁ → space); ids past the vocabulary are ignored.
	dir := testutil.CopyDir(t, microDir)
	cfg := strings.Replace(string(mustRead(t, microDir+"/config.json")), `"vocab_size": 4096`, `"vocab_size": 4100`, 1)
	writeFiles(t, dir, map[string]string{
		"config.json": cfg,
		"tokenizer_config.json": `{"added_tokens_decoder": {"4097": {"content": "▁hello▁x", "special": false},
 "4098": {"content": "<|im_end|>", "special": false}, "9999": {"content": "far"}}}`,
		"added_tokens.json": `{"<tool>": 4096, "<big>": 100000}`,
	})
	c, err := LoadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	md, err := Tokenizer(dir, c)
	if err != nil {
		t.Fatal(err)
	}
	tokV, _ := md.Get("tokenizer.ggml.tokens")
	scV, _ := md.Get("tokenizer.ggml.scores")
	tyV, _ := md.Get("tokenizer.ggml.token_type")
	toks, _ := tokV.AsStrings()
	scores, _ := scV.AsFloat32s()
	types, _ := tyV.AsInt32s()
	if len(toks) != 4100 || len(scores) != 4100 || len(types) != 4100 {
		t.Fatalf("lengths %d %d %d, want 4100", len(toks), len(scores), len(types))
	}
	want := []struct {
		id    int
		tok   string
		score float32
		typ   int32
	}{
		{0, "<unk>", 0, TokenUnknown}, // no added_tokens_decoder entry for it here
		{1, "<s>", 0, TokenControl},
		{3, "<0x00>", 0, TokenByte},
		{4096, "<tool>", -1000, TokenUserDefined},
		{4097, " hello x", -1000, TokenUserDefined},
		{4098, "<|im_end|>", -1000, TokenControl},
		{4099, "[PAD4099]", -10000, TokenUnused},
	}
	for _, w := range want {
		if toks[w.id] != w.tok || scores[w.id] != w.score || types[w.id] != w.typ {
			t.Errorf("slot %d = %q %v %d, want %q %v %d", w.id, toks[w.id], scores[w.id], types[w.id], w.tok, w.score, w.typ)
		}
	}

	// vocab_size below the piece count truncates.
	writeFiles(t, dir, map[string]string{"config.json": strings.Replace(cfg, `"vocab_size": 4100`, `"vocab_size": 300`, 1)})
	c, err = LoadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	md, err = Tokenizer(dir, c)
	if err != nil {
		t.Fatal(err)
	}
	tokV, _ = md.Get("tokenizer.ggml.tokens")
	if toks, _ = tokV.AsStrings(); len(toks) != 300 {
		t.Errorf("got %d tokens, want 300", len(toks))
	}
}

func TestHFVocabAddedTokens(t *testing.T) {
	// Added tokens past the model vocabulary are appended by id; special
	// ones (and tokens transformers adds for the special set) are CONTROL.
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"config.json": configIDs,
		"tokenizer_config.json": `{"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>",
 "additional_special_tokens": ["<|im_start|>"]}`,
		"tokenizer.json": tinyTokenizerJSON("null", addedLlama+`, {"id": 7, "content": "<tool>", "special": false},
 {"id": 6, "content": "<|im_start|>", "special": true}`),
	})
	cfg, err := LoadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	md, err := Tokenizer(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	tokV, _ := md.Get("tokenizer.ggml.tokens")
	tyV, _ := md.Get("tokenizer.ggml.token_type")
	toks, _ := tokV.AsStrings()
	types, _ := tyV.AsInt32s()
	wantToks := []string{"<unk>", "<s>", "</s>", "<0x0A>", "▁a", "b", "<|im_start|>", "<tool>", "<pad>"}
	wantTypes := []int32{3, 3, 3, 6, 1, 1, 3, 4, 3}
	if fmt.Sprint(toks) != fmt.Sprint(wantToks) || fmt.Sprint(types) != fmt.Sprint(wantTypes) {
		t.Errorf("tokens %q types %v\nwant   %q types %v", toks, types, wantToks, wantTypes)
	}
}

func TestTokenizerErrors(t *testing.T) {
	base := map[string]string{"config.json": configIDs}
	cases := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"neither tokenizer file", nil, []string{"tokenizer.model", "tokenizer.json"}},
		{"malformed tokenizer.model", map[string]string{"tokenizer.model": "\x0a\x7f\x01"}, []string{"tokenizer.model", "truncated"}},
		{"tokenizer.model without pieces", map[string]string{"tokenizer.model": ""}, []string{"tokenizer.model", "no pieces"}},
		{"malformed tokenizer.json", map[string]string{"tokenizer.json": `{"model": `}, []string{"tokenizer.json", "invalid JSON"}},
		{"tokenizer.json without model", map[string]string{"tokenizer.json": `{"decoder": null}`}, []string{"tokenizer.json", `"model"`}},
		{"gpt2 style tokenizer.json", map[string]string{"tokenizer.json": `{"model": {"type": "BPE", "vocab": {}}, "decoder": {"type": "ByteLevel"}}`},
			[]string{"tokenizer.json", "pre_tokenizer"}},
		{"bad vocab ids", map[string]string{"tokenizer.json": `{"model": {"type": "BPE", "byte_fallback": true, "vocab": {"a": 0, "b": 5}}, "decoder": {"type": "Sequence"}}`},
			[]string{"tokenizer.json", "model.vocab"}},
		{"bad added_tokens_decoder", map[string]string{"tokenizer.model": string(mustRead(t, microDir+"/tokenizer.model")),
			"tokenizer_config.json": `{"added_tokens_decoder": {"x": {"content": "a"}}}`}, []string{"tokenizer_config.json", "added_tokens_decoder.x"}},
		{"malformed tokenizer_config.json", map[string]string{"tokenizer.model": string(mustRead(t, microDir+"/tokenizer.model")),
			"tokenizer_config.json": `[1,`}, []string{"tokenizer_config.json"}},
		{"negative special id", map[string]string{"tokenizer.model": string(mustRead(t, microDir+"/tokenizer.model")),
			"config.json": strings.Replace(configIDs, `"bos_token_id": 1`, `"bos_token_id": -1`, 1)}, []string{"config.json", "bos"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{}
			for k, v := range base {
				files[k] = v
			}
			for k, v := range c.files {
				files[k] = v
			}
			dir := writeFiles(t, t.TempDir(), files)
			cfg, err := LoadConfig(dir)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Tokenizer(dir, cfg)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %s", err, w)
				}
			}
			if !strings.Contains(err.Error(), filepath.Clean(dir)) {
				t.Errorf("error %q does not name the directory's file", err)
			}
		})
	}
}
