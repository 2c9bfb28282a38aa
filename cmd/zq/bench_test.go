package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestBenchFlagErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.gguf")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"bench"}, "missing MODEL.gguf"},
		{[]string{"bench", q4GGUF, "-r", "0"}, "-r 0"},
		{[]string{"bench", q4GGUF, "-p", "0", "-n", "0"}, "nothing to measure"},
		{[]string{"bench", q4GGUF, "-p", "8,-1"}, "-p -1"},
		{[]string{"bench", q4GGUF, "-t", "2,-1"}, "--threads -1"},
		{[]string{"bench", q4GGUF, "-t", "x"}, "threads"},
		{[]string{"bench", missing, "-p", "1", "-n", "0", "-r", "1", "--no-bandwidth"}, missing},
		{[]string{"bench", q4GGUF, "--compare", missing}, missing},
		{[]string{"bench", q4GGUF, "--compare", devText}, devText},
	} {
		r := zq(t, context.Background(), c.args...)
		if r.code != 1 || !strings.Contains(r.stderr, c.want) || r.stdout != "" {
			t.Errorf("%q: exit %d, stderr %q, stdout %q; want exit 1 naming %q", c.args, r.code, r.stderr, r.stdout, c.want)
		}
	}
}

func TestBenchJSON(t *testing.T) {
	r := zq(t, context.Background(), "bench", q4GGUF, f16GGUF, "-p", "4,8", "-n", "2", "-r", "2", "-t", "1", "--json", "--no-bandwidth")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var recs []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &recs); err != nil {
		t.Fatalf("%v in %s", err, r.stdout)
	}
	var got []string
	for _, o := range recs {
		got = append(got, filepath.Base(o["model_filename"].(string))+" "+
			jsonInt(o["n_prompt"])+"/"+jsonInt(o["n_gen"])+"/"+jsonInt(o["n_threads"]))
		if ts := o["samples_ts"].([]any); len(ts) != 2 || !(o["avg_ts"].(float64) > 0) {
			t.Errorf("record %v: samples %v, avg %v", got[len(got)-1], ts, o["avg_ts"])
		}
		if _, ok := o["bandwidth_gbs"]; ok {
			t.Error("--no-bandwidth record has bandwidth_gbs")
		}
	}
	want := "quant-Q4_K_M.gguf 4/0/1,quant-Q4_K_M.gguf 8/0/1,quant-Q4_K_M.gguf 0/2/1," +
		"convert-f16.gguf 4/0/1,convert-f16.gguf 8/0/1,convert-f16.gguf 0/2/1"
	if strings.Join(got, ",") != want {
		t.Errorf("tests %s\nwant %s", strings.Join(got, ","), want)
	}
	if r.stderr != "" {
		t.Errorf("stderr is not a terminal, yet: %q", r.stderr)
	}
}

func jsonInt(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestBenchCompareMarkdown(t *testing.T) {
	r := zq(t, context.Background(), "bench", q4GGUF, "-p", "64", "-n", "16", "-r", "1", "-t", "2",
		"--no-warmup", "--no-bandwidth", "--compare", "../../bench/testdata/llama-bench-micro.json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"| model ", "llama.cpp t/s", "| quant-Q4_K_M.gguf ", "pp64", "tg16", "6933.21 ± 148.24"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestBenchInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := zq(t, ctx, "bench", q4GGUF, "-p", "8", "-n", "0", "-r", "1", "--no-bandwidth")
	if r.code == 0 || !strings.Contains(r.stderr, "canceled") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestBenchCompareFrom(t *testing.T) {
	const llama = "../../bench/testdata/llama-bench-micro.json"
	r := zq(t, context.Background(), "bench", "--compare", llama, "--from", llama, "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var cs []struct {
		Test  string  `json:"test"`
		Ratio float64 `json:"ratio"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &cs); err != nil || len(cs) != 2 || cs[0].Test != "pp64" || cs[1].Ratio != 1 {
		t.Errorf("%+v %v\n%s", cs, err, r.stdout)
	}
	if r := zq(t, context.Background(), "bench", q4GGUF, "--compare", llama, "--from", llama); r.code != 1 || !strings.Contains(r.stderr, "--from") {
		t.Errorf("--from with a model: exit %d, %q", r.code, r.stderr)
	}
}
