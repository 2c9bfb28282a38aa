package hf

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/zqtool/zq/gguf"
)

func sp(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func TestParseModelID(t *testing.T) {
	cases := []struct {
		id                                           string
		params                                       uint64
		name, org, basename, finetune, version, size string
	}{
		{"zephyr-7b-beta", 7241732096, "zephyr-7b-beta", "<nil>", "zephyr", "beta", "<nil>", "7B"},
		{"mistralai/Mistral-7B-Instruct-v0.2", 7241732096, "Mistral-7B-Instruct-v0.2", "mistralai", "Mistral", "Instruct", "v0.2", "7B"},
		{"./llama2-ft", 5112064, "llama2-ft", "<nil>", "<nil>", "<nil>", "<nil>", "<nil>"},
		{"llama2-13b-chat-v1.5", 5112064, "llama2-13b-chat-v1.5", "<nil>", "llama2", "13b-chat", "v1.5", "<nil>"},
		{"micro-mistral", 5112064, "micro-mistral", "<nil>", "<nil>", "<nil>", "<nil>", "<nil>"},
		{"bloom-7b1", 7069016064, "bloom-7b1", "<nil>", "bloom", "<nil>", "<nil>", "7.1B"},
		{"Mixtral-8x7B-Instruct-v0.1", 46702792704, "Mixtral-8x7B-Instruct-v0.1", "<nil>", "Mixtral", "Instruct", "v0.1", "8x7B"},
		{"Qwen3-235B-A22B", 235e9, "Qwen3-235B-A22B", "<nil>", "Qwen3", "<nil>", "<nil>", "235B-A22B"},
		{"some-model-32k-q4_k_m", 7e9, "some-model-32k-q4_k_m", "<nil>", "some-model", "32k", "<nil>", "<nil>"},
		{"t5-small", 0, "t5-small", "<nil>", "t5", "<nil>", "<nil>", "small"},
		{"My Model", 0, "My Model", "<nil>", "<nil>", "<nil>", "<nil>", "<nil>"},
		{"", 0, "", "<nil>", "<nil>", "<nil>", "<nil>", "<nil>"},
	}
	for _, c := range cases {
		got := ParseModelID(c.id, c.params)
		g := []string{sp(got.Name), sp(got.Organization), sp(got.Basename), sp(got.Finetune), sp(got.Version), sp(got.SizeLabel)}
		w := []string{c.name, c.org, c.basename, c.finetune, c.version, c.size}
		for i := range g {
			if g[i] != w[i] {
				t.Errorf("ParseModelID(%q) = %q, want %q", c.id, g, w)
				break
			}
		}
	}
}

func TestTitle(t *testing.T) {
	cases := map[string]string{
		"zephyr-7b-beta":           "Zephyr 7b Beta",
		"Mistral-7B-Instruct-v0.2": "Mistral 7B Instruct v0.2",
		"mistralai":                "Mistralai",
		"llama2-ft":                "Llama2 Ft",
		"beta2x":                   "Beta2X",
		"gpt-4o":                   "Gpt 4o",
		"a_b":                      "A_B",
		"  spaced  -- out ":        "Spaced Out",
		"iPhone-v1.2":              "iPhone v1.2",
	}
	for in, want := range cases {
		if got := Title(in); got != want {
			t.Errorf("Title(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSizeLabel(t *testing.T) {
	cases := []struct {
		n    uint64
		want string
	}{
		{7241732096, "7.2B"},
		{5112064, "5.1M"},
		{115008, "115K"},
		{7250000000, "7.3B"}, // 7.25e9 * 1e-9 = 7.250000000000001
		{46702792704, "47B"},
		{1500000000000, "1.5T"},
		{999, "1.0K"}, // round(0.999) = 1 has one digit
		{0, "0.00K"},
	}
	for _, c := range cases {
		if got := SizeLabel(c.n); got != c.want {
			t.Errorf("SizeLabel(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestPathName(t *testing.T) {
	cases := map[string]string{"a/b": "b", "a/b/": "b", ".": "", "./x": "x", "x/.": "x", "/": "", "..": ".."}
	for in, want := range cases {
		if got := pathName(in); got != want {
			t.Errorf("pathName(%q) = %q, want %q", in, got, want)
		}
	}
}

// writeFiles creates dir/name for every entry and returns dir.
func writeFiles(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const mistralConfig = `{"architectures": ["MistralForCausalLM"], "model_type": "mistral", "hidden_size": 256,
 "num_attention_heads": 8, "num_hidden_layers": 2, "vocab_size": 300, "intermediate_size": 512%s}`

// kvs flattens metadata to key → value strings for compact assertions.
func kvs(md gguf.Metadata) []string {
	var out []string
	for _, kv := range md {
		out = append(out, kv.Key+"="+valueString(kv.Value))
	}
	return out
}

func valueString(v gguf.Value) string {
	if a, ok := v.AsArray(); ok {
		return v.Describe() + fmtAny(a.Items)
	}
	return v.Describe() + ":" + fmtAny(v.Any())
}

func TestAuthorship(t *testing.T) {
	cases := []struct {
		name    string
		dirName string
		files   map[string]string
		params  uint64
		want    []string
	}{
		{
			name:    "directory name only",
			dirName: "zephyr-7b-beta",
			files:   map[string]string{"config.json": `{}`},
			params:  7241732096,
			want: []string{"general.name=string:Zephyr 7b Beta", "general.finetune=string:beta",
				"general.basename=string:zephyr", "general.size_label=string:7B"},
		},
		{
			name:    "name_or_path outranks the directory",
			dirName: "llama2-13b-chat-v1.5",
			files:   map[string]string{"config.json": `{"_name_or_path": "./llama2-ft"}`},
			params:  5112064,
			want: []string{"general.name=string:Llama2 Ft", "general.version=string:v1.5",
				"general.finetune=string:13b-chat", "general.basename=string:llama2", "general.size_label=string:5.1M"},
		},
		{
			name:    "organization and version",
			dirName: "x",
			files:   map[string]string{"config.json": `{"_name_or_path": "mistralai/Mistral-7B-Instruct-v0.2"}`},
			params:  7241732096,
			want: []string{"general.name=string:Mistral 7B Instruct v0.2", "general.version=string:v0.2",
				"general.organization=string:Mistralai", "general.finetune=string:Instruct",
				"general.basename=string:Mistral", "general.size_label=string:7B"},
		},
		{
			name:    "a path-like name_or_path is ignored",
			dirName: "tiny",
			files:   map[string]string{"config.json": `{"_name_or_path": "/home/me/models/Llama-7B"}`},
			params:  115008,
			want:    []string{"general.name=string:Tiny", "general.size_label=string:115K"},
		},
		{
			name:    "model card",
			dirName: "zephyr-7b-beta",
			files: map[string]string{"config.json": `{}`, "README.md": "---\n" +
				"license: mit\nbase_model: mistralai/Mistral-7B-v0.1\ndatasets:\n- HuggingFaceH4/ultrachat_200k\n" +
				"- https://huggingface.co/datasets/x\ntags:\n- generated_from_trainer\npipeline_tag: text-generation\n" +
				"language:\n- en\n- no\nmodel_creator: Someone\nversion: 1.0\n---\n# body\n---\n"},
			params: 7241732096,
			want: []string{"general.name=string:Zephyr 7b Beta", "general.author=string:Someone",
				"general.version=string:1.0", "general.finetune=string:beta", "general.basename=string:zephyr",
				"general.size_label=string:7B", "general.license=string:mit",
				"general.base_model.count=uint32:1",
				"general.base_model.0.name=string:Mistral 7B v0.1", "general.base_model.0.version=string:v0.1",
				"general.base_model.0.organization=string:Mistralai",
				"general.base_model.0.repo_url=string:https://huggingface.co/mistralai/Mistral-7B-v0.1",
				"general.dataset.count=uint32:2",
				"general.dataset.0.name=string:Ultrachat_200K", "general.dataset.0.organization=string:HuggingFaceH4",
				"general.dataset.0.repo_url=string:https://huggingface.co/HuggingFaceH4/ultrachat_200k",
				"general.dataset.1.name=string:X", "general.dataset.1.organization=string:Datasets",
				"general.dataset.1.repo_url=string:https://huggingface.co/datasets/x",
				"general.tags=array[string][generated_from_trainer text-generation]",
				"general.languages=array[string][en no]"},
		},
		{
			name:    "card name, license list, null base model, object base model",
			dirName: "d",
			files: map[string]string{"config.json": `{}`, "README.md": "---\nmodel_name: Fancy\nlicense:\n\t- a\n\t- b\n" +
				"base_model:\n  - name: Parent\n    url: http://p\n    extra: 1\n  - 5\n---\n"},
			params: 5112064,
			want: []string{"general.name=string:Fancy", "general.size_label=string:5.1M", "general.license=string:a,b",
				"general.base_model.count=uint32:2", "general.base_model.0.name=string:Parent", "general.base_model.0.url=string:http://p"},
		},
		{
			name:    "no front matter unless line 1 is ---",
			dirName: "d",
			files:   map[string]string{"config.json": `{}`, "README.md": "\n---\nlicense: mit\n---\n"},
			params:  0,
			want:    []string{"general.name=string:D"},
		},
		{
			name:    "sampling from generation_config.json",
			dirName: "d",
			files: map[string]string{"config.json": `{}`, "generation_config.json": `{"temperature": 0.7, "top_k": 50,
				"top_p": 1, "penalty_last_n": null, "sequence": "kpt"}`},
			params: 0,
			want: []string{"general.sampling.sequence=string:kpt", "general.sampling.top_k=int32:50",
				"general.sampling.top_p=float32:1", "general.sampling.temp=float32:0.7", "general.name=string:D"},
		},
		{
			name:    "malformed generation_config.json is ignored",
			dirName: "d",
			files:   map[string]string{"config.json": `{}`, "generation_config.json": `{"top_k": `},
			want:    []string{"general.name=string:D"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), c.dirName)
			writeFiles(t, dir, c.files)
			cfg := &Config{}
			raw, err := readJSONObject(filepath.Join(dir, "config.json"))
			if err != nil {
				t.Fatal(err)
			}
			cfg.raw = raw
			md, err := Authorship(dir, cfg, c.params)
			if err != nil {
				t.Fatal(err)
			}
			got := kvs(md)
			if len(got) != len(c.want) {
				t.Fatalf("got %d keys\n%q\nwant %d\n%q", len(got), got, len(c.want), c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("key %d: got %q, want %q", i, got[i], c.want[i])
				}
			}
		})
	}
}

func TestAuthorshipErrors(t *testing.T) {
	cases := []struct {
		name, file, body, want string
	}{
		{"bad yaml", "README.md", "---\nlicense: [unclosed\n---\n", "README.md"},
		{"float top_k", "generation_config.json", `{"top_k": 1.5}`, "top_k"},
		{"string temperature", "generation_config.json", `{"temperature": "hot"}`, "temperature"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeFiles(t, t.TempDir(), map[string]string{c.file: c.body})
			_, err := Authorship(dir, nil, 0)
			if err == nil {
				t.Fatal("no error")
			}
			if !contains(err.Error(), c.file) || !contains(err.Error(), c.want) {
				t.Errorf("error %q should name %s and %s", err, c.file, c.want)
			}
		})
	}
}
