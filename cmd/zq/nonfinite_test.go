package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zqtool/zq/gguf"
)

// nanModel copies the F16 reference model with one weight of tensor set
// to an F16 NaN and returns its path.
func nanModel(t *testing.T, tensor string) string {
	t.Helper()
	f, err := gguf.OpenFile(f16GGUF)
	if err != nil {
		t.Fatal(err)
	}
	var off int64 = -1
	for _, ti := range f.Tensors {
		if ti.Name == tensor {
			off = f.DataOffset + int64(ti.Offset)
		}
	}
	f.Close()
	if off < 0 {
		t.Fatalf("no tensor %s", tensor)
	}
	b, err := os.ReadFile(f16GGUF)
	if err != nil {
		t.Fatal(err)
	}
	b[off+2*7], b[off+2*7+1] = 0x00, 0x7e // element 7: F16 quiet NaN
	path := filepath.Join(t.TempDir(), "nan.gguf")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestNonFiniteLogitsStop checks that verify and generate stop with an
// error naming the model and its first bad tensor when the logits are
// NaN, instead of printing "PPL NaN" or <unk> tokens with exit status 0.
func TestNonFiniteLogitsStop(t *testing.T) {
	ctx := context.Background()
	const bad = "blk.1.ffn_up.weight"
	nan := nanModel(t, bad)
	base := filepath.Join(t.TempDir(), "base.zqb")
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"verify", []string{"verify", nan, "--text", devText, "--ctx", "64", "--chunks", "2"}},
		{"verify --json", []string{"verify", nan, "--text", devText, "--ctx", "64", "--chunks", "2", "--json"}},
		{"verify as base", []string{"verify", f16GGUF, "--base", nan, "--text", devText, "--ctx", "64", "--chunks", "2", "--save-base", base}},
		{"generate", []string{"generate", nan, "-p", "The kernel driver", "-n", "4"}},
		{"generate --json", []string{"generate", nan, "-p", "The kernel driver", "-n", "4", "--json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := zq(t, ctx, tc.args...)
			if r.code != 1 {
				t.Fatalf("exit %d; stdout %q", r.code, r.stdout)
			}
			for _, w := range []string{nan, "non-finite logits", `tensor "` + bad + `" holds NaN`} {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q lacks %q", r.stderr, w)
				}
			}
			if strings.Contains(r.stdout, "NaN") || strings.Contains(r.stdout, "<unk>") {
				t.Errorf("stdout reports garbage: %q", r.stdout)
			}
		})
	}
	if _, err := os.Stat(base); err == nil {
		t.Error("base statistics were saved from a NaN model")
	}
}

// TestJSONNeverFailsOnAValue checks that writeJSON writes NaN and
// infinities as null (JSON has no such numbers) instead of failing after
// all the work, keeping field names, order, omitempty and nesting.
func TestJSONNeverFailsOnAValue(t *testing.T) {
	type inner struct {
		X  float32 `json:"x"`
		Ok float64 `json:"ok"`
	}
	type outer struct {
		Name  string             `json:"name"`
		PPL   float64            `json:"ppl"`
		Skip  string             `json:"skip,omitempty"`
		Hide  int                `json:"-"`
		In    *inner             `json:"inner"`
		List  []float64          `json:"list"`
		Map   map[string]float64 `json:"map"`
		Arr   [2]int             `json:"arr,omitempty"`
		Empty []int              `json:"empty,omitempty"`
		Plain int
	}
	v := outer{Name: "m", PPL: math.NaN(), In: &inner{X: float32(math.Inf(1)), Ok: 1.5},
		List: []float64{1, math.Inf(-1)}, Map: map[string]float64{"a": math.NaN()}, Plain: 3}
	var b bytes.Buffer
	if err := writeJSON(&b, v); err != nil {
		t.Fatal(err)
	}
	want := `{"name":"m","ppl":null,"inner":{"x":null,"ok":1.5},"list":[1,null],"map":{"a":null},"arr":[0,0],"Plain":3}`
	var compact bytes.Buffer
	if err := json.Compact(&compact, b.Bytes()); err != nil || compact.String() != want {
		t.Errorf("got %s (%v), want %s", compact.String(), err, want)
	}
}
