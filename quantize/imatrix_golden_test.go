package quantize

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/zqtool/zq/gguf"
)

// imatrixGolden are llama-quantize's runs with the reference importance
// matrix (testdata/reference/imatrix-*quant-*.json): the preset, the matrix
// file (its name as given to --imatrix is stored in the output) and the dump.
var imatrixGolden = []struct{ preset, matrix, dump string }{
	{"IQ1_S", "imatrix.gguf", "imatrix-quant-IQ1_S.json"},
	{"IQ1_M", "imatrix.gguf", "imatrix-quant-IQ1_M.json"},
	{"IQ2_XXS", "imatrix.gguf", "imatrix-quant-IQ2_XXS.json"},
	{"IQ2_XS", "imatrix.gguf", "imatrix-quant-IQ2_XS.json"},
	{"IQ2_S", "imatrix.gguf", "imatrix-quant-IQ2_S.json"},
	{"IQ2_M", "imatrix.gguf", "imatrix-quant-IQ2_M.json"},
	{"IQ3_XXS", "imatrix.gguf", "imatrix-quant-IQ3_XXS.json"},
	{"IQ3_XS", "imatrix.gguf", "imatrix-quant-IQ3_XS.json"},
	{"IQ3_S", "imatrix.gguf", "imatrix-quant-IQ3_S.json"},
	{"IQ3_M", "imatrix.gguf", "imatrix-quant-IQ3_M.json"},
	{"Q2_K_S", "imatrix.gguf", "imatrix-quant-Q2_K_S.json"},
	{"Q2_K", "imatrix.gguf", "imatrix-quant-Q2_K.json"},
	{"Q3_K_M", "imatrix.gguf", "imatrix-quant-Q3_K_M.json"},
	{"Q4_K_M", "imatrix.gguf", "imatrix-quant-Q4_K_M.json"},
	{"IQ4_XS", "imatrix.gguf", "imatrix-quant-IQ4_XS.json"},
	{"Q4_0", "imatrix.gguf", "imatrix-quant-Q4_0.json"},
	{"IQ2_XXS", "imatrix.dat", "imatrix-dat-quant-IQ2_XXS.json"},
}

// loadRefImatrix loads a reference matrix and records the bare file name,
// as llama-quantize did when it was run beside the file.
func loadRefImatrix(t *testing.T, name string) *Imatrix {
	t.Helper()
	m, err := LoadImatrix(filepath.Join(refDir, name))
	if err != nil {
		t.Fatal(err)
	}
	m.File = name
	return m
}

// TestImatrixPresetPlans checks the per-tensor type choices of every preset
// llama-quantize was run for with an importance matrix, whether or not zq
// can encode those types yet: same tensors, order, shapes and types.
func TestImatrixPresetPlans(t *testing.T) {
	src := openRef(t)
	for _, g := range imatrixGolden {
		t.Run(g.preset+"/"+g.matrix, func(t *testing.T) {
			opts, plan := imatrixPlan(t, src, g.preset, g.matrix)
			p, m := opts.Preset, opts.Imatrix
			want := loadDump(t, filepath.Join(refDir, g.dump))
			compareMetadata(t, OutputMetadata(src.Metadata(), p, m), want)
			if len(plan.Tensors) != len(want.Tensors) {
				t.Fatalf("%d tensors, want %d", len(plan.Tensors), len(want.Tensors))
			}
			for i, pt := range plan.Tensors {
				w := want.Tensors[i]
				if pt.Name != w.Name || !strings.EqualFold(pt.To.String(), w.Type) || !slices.Equal(pt.Dims, w.Ne) {
					t.Errorf("tensor %d: %s %v %s, llama-quantize %s %v %s", i, pt.Name, pt.Dims, pt.To, w.Name, w.Ne, w.Type)
				}
			}
		})
	}
}

// imatrixPlan returns the options (two threads) and the plan for quantizing
// src with preset and a reference matrix.
func imatrixPlan(t *testing.T, src Source, preset, matrix string) (Options, *Plan) {
	t.Helper()
	p, err := ParsePreset(preset)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Preset: p, Imatrix: loadRefImatrix(t, matrix), Threads: 2}
	plan, err := PlanSource(src, opts)
	if err != nil {
		t.Fatal(err)
	}
	return opts, plan
}

// TestGoldenImatrixPresets quantizes the micro model with the reference
// importance matrix and compares the file with llama-quantize's, byte for
// byte, for every preset whose tensor types package codec supports. A
// preset needing a type codec lacks is skipped (naming the types), and Run
// must then refuse it before writing anything.
func TestGoldenImatrixPresets(t *testing.T) {
	src := openRef(t)
	for _, g := range imatrixGolden {
		t.Run(g.preset+"/"+g.matrix, func(t *testing.T) {
			opts, plan := imatrixPlan(t, src, g.preset, g.matrix)
			out := filepath.Join(t.TempDir(), "out.gguf")
			if missing, _ := plan.Unsupported(); len(missing) > 0 {
				_, err := Run(context.Background(), src, out, opts)
				if err == nil || !strings.Contains(err.Error(), missing[0].String()) {
					t.Fatalf("types %v unsupported, Run gave %v", missing, err)
				}
				if left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), "*")); len(left) > 0 {
					t.Errorf("refused run left files behind: %v", left)
				}
				t.Skipf("codec lacks %v: %v", missing, err)
			}
			if _, err := Run(context.Background(), src, out, opts); err != nil {
				t.Fatal(err)
			}
			compareDump(t, out, loadDump(t, filepath.Join(refDir, g.dump)))
		})
	}
}

// compareMetadata checks key order, types and values of output metadata
// against a dump (arrays by length only).
func compareMetadata(t *testing.T, md gguf.Metadata, want *refDump) {
	t.Helper()
	var keys []string
	for _, kv := range md {
		keys = append(keys, kv.Key)
	}
	if !reflect.DeepEqual(keys, want.KVOrder) {
		t.Errorf("kv order:\n got %v\nwant %v", keys, want.KVOrder)
	}
	for _, kv := range md {
		var r refKV
		if err := json.Unmarshal(want.KV[kv.Key], &r); err != nil || r.Value == nil {
			continue
		}
		got, err := json.Marshal(jsonValue(kv.Value))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(valueTypes(kv.Value), r.Types) || !jsonEqual(t, got, r.Value) {
			t.Errorf("kv %s: %v %s, want %v %s", kv.Key, valueTypes(kv.Value), got, r.Types, r.Value)
		}
	}
}
