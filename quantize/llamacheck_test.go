//go:build llamacheck

// Cross-check against llama-quantize on generated models; not part of
// `go test` (CI has no llama.cpp). Run with
//
//	LLAMA_QUANTIZE=/path/to/llama-quantize go test -tags llamacheck -run TestLlamaCrossCheck ./quantize
//
// It writes small F16 llama models with the layer counts, GQA ratios,
// expert counts and row lengths the rules depend on, plus a legacy .dat
// importance matrix, quantizes each with llama-quantize and with zq, and
// compares every tensor's type, and the whole file where zq's codecs
// cover the plan.
package quantize

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zqtool/zq/codec"
	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/gguf"
)

type checkShape struct {
	name    string
	s       synthShape
	experts int
}

// checkModel returns synthModel's model with the keys llama.cpp's loader
// requires, and with expert tensors when experts > 0.
func checkModel(c checkShape) (gguf.Metadata, []gguf.TensorInfo) {
	md, ts := synthModel(c.s)
	md = append(md,
		gguf.KV{Key: "llama.context_length", Value: gguf.Uint32(256)},
		gguf.KV{Key: "llama.attention.layer_norm_rms_epsilon", Value: gguf.Float32(1e-5)},
		gguf.KV{Key: "llama.rope.dimension_count", Value: gguf.Uint32(uint32(c.s.embd / c.s.heads))},
	)
	if c.experts == 0 {
		return md, ts
	}
	md = append(md, gguf.KV{Key: "llama.expert_count", Value: gguf.Uint32(uint32(c.experts))},
		gguf.KV{Key: "llama.expert_used_count", Value: gguf.Uint32(2)})
	var out []gguf.TensorInfo
	for _, t := range ts {
		for _, k := range []string{"ffn_down", "ffn_gate", "ffn_up"} {
			if strings.HasSuffix(t.Name, "."+k+".weight") {
				t.Name = strings.Replace(t.Name, k, k+"_exps", 1)
				t.Dims = append(t.Dims, uint64(c.experts))
				if k == "ffn_gate" {
					p := strings.TrimSuffix(t.Name, "ffn_gate_exps.weight")
					out = append(out, gguf.TensorInfo{Name: p + "ffn_gate_inp.weight", Type: ggml.TypeF32,
						Dims: []uint64{uint64(c.s.embd), uint64(c.experts)}})
				}
			}
		}
		out = append(out, t)
	}
	return md, out
}

func writeCheckModel(t *testing.T, dir string, c checkShape) (string, map[string][]float32) {
	md, ts := checkModel(c)
	path := filepath.Join(dir, c.name+".gguf")
	w, err := gguf.Create(path, md, ts)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	rng := rand.New(rand.NewPCG(uint64(len(c.name)), 7))
	im := map[string][]float32{}
	for i, ti := range ts {
		vals := make([]float32, ti.NumElements())
		for j := range vals {
			vals[j] = float32(rng.NormFloat64() * 0.02)
		}
		data := make([]byte, ti.Size())
		if err := codec.QuantizeRow(ti.Type, data, vals, nil); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteTensor(i, data); err != nil {
			t.Fatal(err)
		}
		if len(ti.Dims) >= 2 && ti.Name != "token_embd.weight" && ti.Name != "output.weight" && !strings.Contains(ti.Name, "gate_inp") {
			n := ti.Dims[0]
			if len(ti.Dims) == 3 {
				n *= ti.Dims[2]
			}
			v := make([]float32, n)
			for j := range v {
				v[j] = float32(rng.ExpFloat64())
			}
			im[ti.Name] = v
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path, im
}

func TestLlamaCrossCheck(t *testing.T) {
	bin := os.Getenv("LLAMA_QUANTIZE")
	if bin == "" {
		t.Skip("LLAMA_QUANTIZE not set")
	}
	dir := t.TempDir()
	shapes := []checkShape{
		{"tiny22-gqa8", synthShape{layers: 22, embd: 256, ff: 512, heads: 8, headsKV: 1, vocab: 512}, 0},
		{"l16-gqa4", synthShape{layers: 16, embd: 256, ff: 512, heads: 8, headsKV: 2, vocab: 512}, 0},
		{"l32-nogqa", synthShape{layers: 32, embd: 256, ff: 768, heads: 4, headsKV: 4, vocab: 512}, 0},
		{"l24-gqa2", synthShape{layers: 24, embd: 256, ff: 512, heads: 8, headsKV: 4, vocab: 512}, 0},
		{"l80-70b", synthShape{layers: 80, embd: 256, ff: 512, heads: 8, headsKV: 1, vocab: 512}, 0},
		{"row288", synthShape{layers: 8, embd: 288, ff: 768, heads: 8, headsKV: 2, vocab: 512}, 0},
		{"row1000", synthShape{layers: 8, embd: 256, ff: 1000, heads: 8, headsKV: 8, vocab: 512}, 0},
		{"moe8", synthShape{layers: 8, embd: 256, ff: 512, heads: 8, headsKV: 8, vocab: 512}, 8},
		{"moe4", synthShape{layers: 8, embd: 256, ff: 512, heads: 8, headsKV: 8, vocab: 512}, 4},
	}
	presets := []string{"IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ2_M", "IQ3_XXS", "IQ3_XS", "IQ3_S", "IQ3_M", "Q2_K_S"}
	for _, c := range shapes {
		model, entries := writeCheckModel(t, dir, c)
		imPath := filepath.Join(dir, c.name+".dat")
		writeImatrixDat(t, imPath, entries, 3, "synthetic.txt")
		src, err := OpenGGUF(model)
		if err != nil {
			t.Fatal(err)
		}
		for _, preset := range presets {
			for _, withIm := range []bool{true, false} {
				p, _ := ParsePreset(preset)
				if !withIm && (p.NeedsImatrix || preset == "IQ2_M") {
					continue
				}
				name := fmt.Sprintf("%s/%s/imatrix=%v", c.name, preset, withIm)
				ref := filepath.Join(dir, "ref.gguf")
				args := []string{model, ref, preset, "2"}
				opts := Options{Preset: p, Threads: 2}
				if withIm {
					args = append([]string{"--imatrix", imPath}, args...)
					if opts.Imatrix, err = LoadImatrix(imPath); err != nil {
						t.Fatal(err)
					}
				}
				os.Remove(ref)
				outb, lerr := exec.Command(bin, args...).CombinedOutput()
				plan, perr := PlanSource(src, opts)
				if lerr != nil {
					// llama-quantize refused (e.g. IQ3_XXS's IQ2_S attn_k
					// without importance data): zq must refuse too.
					if _, err := Run(context.Background(), src, filepath.Join(dir, "zq.gguf"), opts); err == nil {
						t.Errorf("%s: llama-quantize failed (%v), zq did not:\n%s", name, lerr, tail(outb))
					} else {
						t.Logf("%s: both refuse; zq: %v", name, err)
					}
					continue
				}
				if perr != nil {
					t.Errorf("%s: zq: %v", name, perr)
					continue
				}
				f, err := gguf.OpenFile(ref)
				if err != nil {
					t.Fatal(err)
				}
				bad := 0
				for i, ti := range f.Tensors {
					if pt := plan.Tensors[i]; pt.Name != ti.Name || pt.To != ti.Type {
						if bad < 5 {
							t.Errorf("%s: tensor %d zq %s %s, llama %s %s", name, i, pt.Name, pt.To, ti.Name, ti.Type)
						}
						bad++
					}
				}
				f.Close()
				if missing, _ := plan.Unsupported(); len(missing) > 0 || bad > 0 {
					t.Logf("%s: types agree=%v (bytes not compared, codec lacks %v)", name, bad == 0, missing)
					continue
				}
				out := filepath.Join(dir, "zq.gguf")
				if _, err := Run(context.Background(), src, out, opts); err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				if a, b := fileSHA(t, out), fileSHA(t, ref); a != b {
					t.Errorf("%s: file differs from llama-quantize's", name)
				} else {
					t.Logf("%s: types agree, file identical", name)
				}
			}
		}
		src.Close()
	}
}

func tail(b []byte) string {
	if len(b) > 1500 {
		b = b[len(b)-1500:]
	}
	return string(b)
}
