package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// runZQ runs the zq command tree in-process with args and returns stdout.
func runZQ(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	root := newRootCmd()
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func TestInspectCommand(t *testing.T) {
	out, err := runZQ(t, "inspect", "--json", "../../testdata/reference/quant-Q4_K_M.gguf")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		KVOrder []string `json:"kv_order"`
		Tensors []struct {
			Name, Type string
		} `json:"tensors"`
		Totals struct {
			Tensors    int     `json:"tensors"`
			Parameters uint64  `json:"parameters"`
			BPW        float64 `json:"bits_per_weight"`
		} `json:"totals"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if r.Totals.Tensors != 39 || len(r.KVOrder) != 34 || r.Totals.BPW < 4 || r.Totals.BPW > 6 {
		t.Errorf("unexpected totals %+v, %d keys", r.Totals, len(r.KVOrder))
	}
	text, err := runZQ(t, "inspect", "../../testdata/micro-mistral")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "39 tensors") || !strings.Contains(text, "model.layers.3.self_attn.v_proj.weight") {
		t.Errorf("text output lacks the tensor table:\n%s", text)
	}
}

func TestErrorsAreReturned(t *testing.T) {
	for _, args := range [][]string{
		{"inspect", "does-not-exist.gguf"},
		{"inspect", "../../testdata/text/dev.txt"},
		{"inspect"},
	} {
		if _, err := runZQ(t, args...); err == nil {
			t.Errorf("zq %v succeeded", args)
		}
	}
}
