package convert

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zqtool/zq/testdata/gencheckpoint/synth"
)

// genMicro writes the generator's micro checkpoint into a temp directory.
func genMicro(t testing.TB, edit func(*synth.Spec)) string {
	t.Helper()
	spec, err := synth.Preset("micro")
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(&spec)
	}
	dir := filepath.Join(t.TempDir(), "micro-synth")
	if err := synth.Generate(dir, spec, synth.Options{Seed: 7, TokenizerDir: microDir, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// editJSON rewrites a JSON object file.
func editJSON(t *testing.T, path string, edit func(map[string]any)) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	if b, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// replaceInFile replaces old by new (same length) everywhere in a file.
func replaceInFile(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(old) != len(new) || !strings.Contains(string(b), old) {
		t.Fatalf("%s: cannot replace %q by %q", path, old, new)
	}
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(b), old, new)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestErrors checks that each kind of bad checkpoint fails with an error
// naming the file, tensor or key, and leaves no output behind.
func TestErrors(t *testing.T) {
	shard1 := "model-00001-of-00002.safetensors"
	shard2 := "model-00002-of-00002.safetensors"
	tests := []struct {
		name   string
		break_ func(t *testing.T, dir string)
		want   []string // substrings of the error
	}{
		{"unsupported architecture", func(t *testing.T, dir string) {
			editJSON(t, filepath.Join(dir, "config.json"), func(m map[string]any) { m["architectures"] = []string{"GPT2LMHeadModel"} })
		}, []string{"config.json", "GPT2LMHeadModel", "LlamaForCausalLM, MistralForCausalLM"}},
		{"missing shard", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, shard2))
		}, []string{shard2}},
		{"truncated shard", func(t *testing.T, dir string) {
			p := filepath.Join(dir, shard1)
			st, _ := os.Stat(p)
			os.Truncate(p, st.Size()-1000)
		}, []string{shard1}},
		{"tensor beyond num_hidden_layers", func(t *testing.T, dir string) {
			editJSON(t, filepath.Join(dir, "config.json"), func(m map[string]any) { m["num_hidden_layers"] = 1 })
		}, []string{"model.layers.1.", "num_hidden_layers = 1", "config.json"}},
		{"tensor unknown to the architecture", func(t *testing.T, dir string) {
			for _, f := range []string{shard1, shard2, "model.safetensors.index.json"} {
				b, _ := os.ReadFile(filepath.Join(dir, f))
				if strings.Contains(string(b), "layers.0.mlp.up_proj") {
					replaceInFile(t, filepath.Join(dir, f), "layers.0.mlp.up_proj", "layers.0.mlp.xx_proj")
				}
			}
		}, []string{"model.layers.0.mlp.xx_proj.weight", "nothing in config.json explains it"}},
		{"missing tensor", func(t *testing.T, dir string) {
			editJSON(t, filepath.Join(dir, "config.json"), func(m map[string]any) { m["num_hidden_layers"] = 3 })
		}, []string{"model.layers.2.", "is missing", "num_hidden_layers = 3"}},
		{"shape mismatch", func(t *testing.T, dir string) {
			editJSON(t, filepath.Join(dir, "config.json"), func(m map[string]any) { m["intermediate_size"] = 512 })
		}, []string{"model.layers.0.mlp.down_proj.weight", "[256 768]", "[256 512]", "intermediate_size", "config.json"}},
		{"config missing hidden_size", func(t *testing.T, dir string) {
			editJSON(t, filepath.Join(dir, "config.json"), func(m map[string]any) { delete(m, "hidden_size") })
		}, []string{"config.json", "hidden_size"}},
		{"no config.json", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "config.json"))
		}, []string{"config.json"}},
		{"unknown outtype", nil, []string{`"q4_k"`, "f32, f16, bf16, q8_0, auto"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := genMicro(t, nil)
			outType := "f16"
			if tc.break_ != nil {
				tc.break_(t, dir)
			} else {
				outType = "q4_k"
			}
			outDir := t.TempDir()
			out := filepath.Join(outDir, "out.gguf")
			_, err := Convert(context.Background(), dir, out, Options{OutType: outType, Threads: 2}, ExecOptions{})
			if err == nil {
				t.Fatal("conversion succeeded")
			}
			t.Log(err)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			assertEmpty(t, outDir)
		})
	}
}

// TestShardShrinksDuringExecute truncates a shard after planning: reading
// it must fail with an error naming the shard and leave no file behind.
func TestShardShrinksDuringExecute(t *testing.T) {
	dir := genMicro(t, nil)
	p, err := NewPlan(dir, Options{OutType: "f16", Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	shard := filepath.Join(dir, "model-00002-of-00002.safetensors")
	if err := os.Truncate(shard, 4096); err != nil {
		t.Fatal(err)
	}
	outDir := t.TempDir()
	_, err = Execute(context.Background(), p, filepath.Join(outDir, "out.gguf"), ExecOptions{Threads: 2})
	if err == nil || !strings.Contains(err.Error(), "model-00002-of-00002.safetensors") {
		t.Fatalf("error %v, want one naming the shard", err)
	}
	assertEmpty(t, outDir)
}

// TestCancel stops a conversion through its context.
func TestCancel(t *testing.T) {
	dir := genMicro(t, nil)
	p, err := NewPlan(dir, Options{OutType: "q8_0"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	outDir := t.TempDir()
	if _, err := Execute(ctx, p, filepath.Join(outDir, "out.gguf"), ExecOptions{Threads: 2}); err == nil {
		t.Fatal("cancelled conversion succeeded")
	}
	assertEmpty(t, outDir)
}

func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		t.Errorf("left behind: %s", e.Name())
	}
}
