package main

import (
	"encoding/json"
	"os"
	"testing"
)

func TestGenerateCommand(t *testing.T) {
	want, err := os.ReadFile("../../testdata/reference/generate.txt")
	if err != nil {
		t.Fatal(err)
	}
	out, err := runZQ(t, "generate", "../../testdata/reference/convert-f16.gguf", "-p", "The kernel driver", "-n", "48")
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("zq generate printed\n%q\nllama-simple printed\n%q", out, want)
	}
	js, err := runZQ(t, "generate", "--json", "../../testdata/reference/convert-f16.gguf", "-p", "The kernel driver", "-n", "3")
	if err != nil {
		t.Fatal(err)
	}
	var r generateResult
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, js)
	}
	if len(r.IDs) != 3 || len(r.PromptIDs) == 0 || r.PromptIDs[0] != 1 || r.GenerateTokPerS <= 0 {
		t.Errorf("unexpected result %+v", r)
	}
	if _, err := runZQ(t, "generate", "../../testdata/reference/convert-f16.gguf", "-p", "x", "-n", "0"); err == nil {
		t.Error("-n 0 accepted")
	}
}
