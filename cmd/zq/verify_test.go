package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestVerifyCommand(t *testing.T) {
	const ref = "../../testdata/reference/"
	out, err := runZQ(t, "verify", ref+"quant-Q4_K_M.gguf", "--base", ref+"convert-f16.gguf",
		"--text", "../../testdata/text/dev.txt", "--ctx", "64", "--chunks", "2", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var v verifyJSON
	if err := json.Unmarshal([]byte(out), &v); err != nil || len(v.Reports) != 1 {
		t.Fatalf("not one report: %v\n%s", err, out)
	}
	r := v.Reports[0]
	if r.Comparison == nil || r.Base == nil || r.Provenance.Chunks != 2 || r.Provenance.Ctx != 64 ||
		r.Provenance.ZQVersion == "" || !(r.Comparison.KLD.Mean > 0) || !(r.Model.PPL > 1) {
		t.Errorf("incomplete report: %s", out)
	}
	table, err := runZQ(t, "verify", ref+"convert-f16.gguf", "--text", "../../testdata/text/dev.txt", "--ctx", "64", "--chunks", "2")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table, "PPL(model)") || strings.Contains(table, "KLD") {
		t.Errorf("unexpected table:\n%s", table)
	}
	if _, err := runZQ(t, "verify", ref+"convert-f16.gguf"); err == nil || !strings.Contains(err.Error(), "text") {
		t.Errorf("missing --text: %v", err)
	}
}
