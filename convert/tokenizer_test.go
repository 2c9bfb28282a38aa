package convert

import (
	"reflect"
	"testing"

	"github.com/zqtool/zq/internal/testutil"
)

// TestTokenizerJSONOnly removes tokenizer.model: the vocabulary comes from
// tokenizer.json with the same tokens, token types and every other key,
// and all scores become -1000 as in llama.cpp.
func TestTokenizerJSONOnly(t *testing.T) {
	spm, err := NewPlan(microDir, Options{OutType: "f16"})
	if err != nil {
		t.Fatal(err)
	}
	defer spm.Close()
	dir := testutil.CopyDir(t, microDir, "tokenizer.model")
	js, err := NewPlan(dir, Options{OutType: "f16"})
	if err != nil {
		t.Fatal(err)
	}
	defer js.Close()
	a, b := spm.Metadata(), js.Metadata()
	if len(a) != len(b) {
		t.Fatalf("%d KV pairs with tokenizer.model, %d without", len(a), len(b))
	}
	for i := range a {
		if a[i].Key != b[i].Key || a[i].Value.Type != b[i].Value.Type {
			t.Fatalf("KV %d: %s (%s) vs %s (%s)", i, a[i].Key, a[i].Value.Describe(), b[i].Key, b[i].Value.Describe())
		}
		if a[i].Key == "tokenizer.ggml.scores" {
			scores, ok := b[i].Value.AsFloat32s()
			if !ok || len(scores) != 4096 {
				t.Fatalf("scores: %s", b[i].Value.Describe())
			}
			for j, s := range scores {
				if s != -1000 {
					t.Fatalf("score %d is %v, want -1000", j, s)
				}
			}
			continue
		}
		if !reflect.DeepEqual(a[i].Value.Any(), b[i].Value.Any()) {
			t.Errorf("%s differs: %.100v vs %.100v", a[i].Key, a[i].Value.Any(), b[i].Value.Any())
		}
	}
	if !reflect.DeepEqual(spm.Tensors(), js.Tensors()) {
		t.Error("tensor infos differ")
	}
}
