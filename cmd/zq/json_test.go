package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/zqtool/zq/ggml"
)

// checkVocabulary walks a decoded JSON value and reports every field that
// breaks the vocabulary README documents: file types as "Q4_K_M" strings
// with the number in file_type_id, tensor types as ggml spells them, sizes
// in *_bytes, times in *_seconds, rates in *_per_second.
func checkVocabulary(path string, v any, errs *[]string) {
	bad := func(format string, args ...any) { *errs = append(*errs, path+": "+fmt.Sprintf(format, args...)) }
	switch v := v.(type) {
	case []any:
		for i, x := range v {
			checkVocabulary(fmt.Sprintf("%s[%d]", path, i), x, errs)
		}
	case map[string]any:
		for k, x := range v {
			p := path + "." + k
			if k == "kv" || k == "shard_metadata" { // the file's own keys, not zq's
				continue
			}
			switch {
			case k == "bytes" || k == "seconds" || k == "elements" || strings.HasSuffix(k, "_ms") ||
				strings.HasSuffix(k, "_mib") || strings.HasSuffix(k, "_per_s") || strings.HasPrefix(k, "bpw") ||
				strings.HasPrefix(k, "bytes_") || strings.HasSuffix(k, "_size"):
				bad("key %q is outside the vocabulary", k)
			case k == "file_type":
				s, ok := x.(string)
				id, hasID := v["file_type_id"].(float64)
				if !ok || !hasID || ggml.FileType(uint32(id)).String() != s {
					bad("file_type %v with file_type_id %v", x, v["file_type_id"])
				}
			case k == "type" || k == "type_from" || k == "type_to" || k == "default_type":
				s, _ := x.(string)
				if t, err := ggml.ParseType(s); err != nil || t.String() != s {
					bad("%s %q is not spelled as ggml spells it", k, s)
				}
			}
			checkVocabulary(p, x, errs)
		}
	}
}

// TestJSONVocabulary runs every --json output and checks one vocabulary
// across them, and that verify's top-level shape does not depend on the
// number of models.
func TestJSONVocabulary(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	out := map[string]any{}
	for name, args := range map[string][]string{
		"convert":          {"convert", microDir, "--outtype", "q8_0", "-o", filepath.Join(dir, "c.gguf"), "--json"},
		"convert dry-run":  {"convert", microDir, "--dry-run", "--json"},
		"quantize":         {"quantize", f16GGUF, filepath.Join(dir, "q.gguf"), "--type", "q4_k_m", "--json"},
		"quantize dry-run": {"quantize", f16GGUF, filepath.Join(dir, "q.gguf"), "--type", "q4_k_m", "--dry-run", "--json"},
		"quantize list":    {"quantize", "--list", "--json"},
		"verify 1":         {"verify", q4GGUF, "--base", f16GGUF, "--text", devText, "--ctx", "64", "--chunks", "1", "--json"},
		"verify 2":         {"verify", q4GGUF, f16GGUF, "--base", f16GGUF, "--text", devText, "--ctx", "64", "--chunks", "1", "--json"},
		"generate":         {"generate", f16GGUF, "-p", "The", "-n", "2", "--json"},
		"inspect":          {"inspect", q4GGUF, "--json"},
		"imatrix":          {"imatrix", f16GGUF, "-f", devText, "-c", "64", "--chunks", "2", "-o", filepath.Join(dir, "i.gguf"), "--json"},
		"inspect imatrix":  {"inspect", refDir + "imatrix.dat", "--json"},
	} {
		r := zq(t, ctx, args...)
		if r.code != 0 {
			t.Fatalf("%s: exit %d: %s", name, r.code, r.stderr)
		}
		var v any
		if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
			t.Fatalf("%s: not JSON: %v", name, err)
		}
		if _, ok := v.(map[string]any); !ok {
			t.Errorf("%s: top level is not an object", name)
		}
		out[name] = v
		var errs []string
		checkVocabulary(name, v, &errs)
		for _, e := range errs {
			t.Error(e)
		}
	}
	keys := func(v any) []string {
		var ks []string
		for k := range v.(map[string]any) {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return ks
	}
	one, two := out["verify 1"].(map[string]any), out["verify 2"].(map[string]any)
	r1, _ := one["reports"].([]any)
	r2, _ := two["reports"].([]any)
	if !reflect.DeepEqual(keys(one), keys(two)) || len(r1) != 1 || len(r2) != 2 || !reflect.DeepEqual(keys(r1[0]), keys(r2[1])) {
		t.Errorf("verify's JSON shape depends on the model count: %v / %v", keys(one), keys(two))
	}
	for _, name := range []string{"convert", "quantize", "inspect"} {
		if v := out[name].(map[string]any); v["file_type"] == nil {
			t.Errorf("%s: no file_type", name)
		}
	}
}
