package inspect

import (
	"encoding/json"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
)

// refDump is the layout of the gguf-py dumps in testdata/reference.
type refDump struct {
	KVOrder []string                   `json:"kv_order"`
	KV      map[string]json.RawMessage `json:"kv"`
	Tensors []struct {
		Name   string   `json:"name"`
		Type   string   `json:"type"`
		NE     []uint64 `json:"ne"`
		Offset int64    `json:"offset"`
		NBytes int64    `json:"nbytes"`
		SHA256 string   `json:"sha256"`
	} `json:"tensors"`
	FileSHA256 string `json:"file_sha256"`
}

// TestGGUFMatchesReferenceDumps checks that inspect reports exactly the KV
// pairs (order, types, values) and tensor infos that llama.cpp's tooling
// recorded for files made by llama.cpp's converter and llama-quantize.
func TestGGUFMatchesReferenceDumps(t *testing.T) {
	for _, name := range []string{"convert-f16", "quant-Q4_K_M"} {
		t.Run(name, func(t *testing.T) {
			var want refDump
			readJSON(t, "../testdata/reference/"+name+".json", &want)
			r, err := Path("../testdata/reference/"+name+".gguf", Options{SHA256: true})
			if err != nil {
				t.Fatal(err)
			}
			var got refDump
			b, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.KVOrder, want.KVOrder) {
				t.Fatalf("kv_order:\n got %v\nwant %v", got.KVOrder, want.KVOrder)
			}
			for _, k := range want.KVOrder {
				if !sameJSON(t, got.KV[k], want.KV[k]) {
					t.Errorf("kv %q:\n got %s\nwant %s", k, got.KV[k], want.KV[k])
				}
			}
			// gguf-py spells types in capitals ("Q4_K"), zq as ggml does ("q4_K").
			for i := range want.Tensors {
				if i < len(got.Tensors) && strings.EqualFold(got.Tensors[i].Type, want.Tensors[i].Type) {
					want.Tensors[i].Type = got.Tensors[i].Type
				}
			}
			if !reflect.DeepEqual(got.Tensors, want.Tensors) {
				t.Errorf("tensors differ:\n got %+v\nwant %+v", got.Tensors, want.Tensors)
			}
			if got.FileSHA256 != want.FileSHA256 {
				t.Errorf("file sha256 %s, want %s", got.FileSHA256, want.FileSHA256)
			}
		})
	}
}

func TestModelDirectory(t *testing.T) {
	r, err := Path("../testdata/micro-mistral", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Totals.Tensors != 39 {
		t.Fatalf("%d tensors, want 39", r.Totals.Tensors)
	}
	shards := map[string]bool{}
	for _, tt := range r.Tensors {
		shards[tt.Shard] = true
		if tt.Type != "BF16" {
			t.Errorf("%s: dtype %s, want BF16", tt.Name, tt.Type)
		}
	}
	if len(shards) != 2 {
		t.Errorf("tensors from %d shards, want 2", len(shards))
	}
	if r.Totals.BitsPerWeight != 16 {
		t.Errorf("bpw %v, want 16", r.Totals.BitsPerWeight)
	}
}

func TestPyFloat(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want string
	}{
		{-1000, "-1000.0"}, {0, "0.0"}, {float64(float32(1e-5)), "9.999999747378752e-06"},
		{1e16, "1e+16"}, {123456789012345.0, "123456789012345.0"}, {0.0001, "0.0001"},
		{-0.5, "-0.5"}, {math.Inf(1), "Infinity"}, {math.Copysign(0, -1), "-0.0"},
	} {
		if got := pyFloat(c.in); got != c.want {
			t.Errorf("pyFloat(%v) = %s, want %s", c.in, got, c.want)
		}
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func sameJSON(t *testing.T, a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}
