package mix

import (
	"context"
	"math"
	"os"
	"reflect"
	"testing"

	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/model"
	"github.com/zqtool/zq/quantize"
	"github.com/zqtool/zq/tokenizer"
)

const (
	f16GGUF = "../testdata/reference/convert-f16.gguf"
	devText = "../testdata/text/dev.txt"
)

// testSettings keep the measurement small: a few short chunks, sampled
// rows, the first layer's tensors calibrated alone and one calibration
// pass per half of the others.
var testSettings = Settings{ImatrixCtx: 128, ImatrixChunks: 4, Ctx: 128, Tokens: 256, Values: 4096, Groups: "block", Probes: 1}

// microInput opens the micro model with the first 20 kB of the text.
func microInput(t *testing.T) Input {
	t.Helper()
	m, err := model.Open(f16GGUF)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	tok, err := tokenizer.FromMetadata(m.Metadata)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(devText)
	if err != nil {
		t.Fatal(err)
	}
	return Input{Model: m, Tok: tok, ModelSHA256: "micro", Text: string(b[:20000]), TextName: "dev.txt", TextSHA256: "dev-20k"}
}

// TestMeasure checks the measurements of the micro model: every weight
// has candidates that respect its row length, F16 costs nothing, fewer
// bits cost more, every pass moved the predictions, and the thread count
// changes no number.
func TestMeasure(t *testing.T) {
	in := microInput(t)
	ms, im, err := Measure(context.Background(), in, Config{Settings: testSettings, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms.Tensors) != 30 || len(ms.Groups) != 15 || ms.Tokens != 256 {
		t.Fatalf("%d tensors, %d groups, %d tokens; want 30, 15, 256", len(ms.Tensors), len(ms.Groups), ms.Tokens)
	}
	if _, ok := im.Entries["output.weight"]; !ok || len(im.Entries) != 29 {
		t.Errorf("importance matrix has %d entries (output.weight: %v), want the 28 block weights and the output", len(im.Entries), ok)
	}
	for _, tm := range ms.Tensors {
		proxy := map[string]float64{}
		for k, name := range tm.Types {
			typ, _ := ggml.ParseType(name)
			if tm.Cols%typ.BlockSize() != 0 {
				t.Errorf("%s: candidate %s does not divide %d columns", tm.Name, name, tm.Cols)
			}
			proxy[name] = tm.Proxy[k]
		}
		if proxy["f16"] != 0 {
			t.Errorf("%s: F16 of an F16 model has error %g", tm.Name, proxy["f16"])
		}
		if !(proxy["q8_0"] < proxy["q4_K"] && proxy["q4_K"] < proxy["q2_K"]) {
			t.Errorf("%s: errors q8_0 %g, q4_K %g, q2_K %g do not grow as bits fall", tm.Name, proxy["q8_0"], proxy["q4_K"], proxy["q2_K"])
		}
		if tm.Ref != "q3_K" {
			t.Errorf("%s: reference type %s, want q3_K", tm.Name, tm.Ref)
		}
		if !(tm.Scale > 0) {
			t.Errorf("%s: scale %g", tm.Name, tm.Scale)
		}
	}
	for _, g := range ms.Groups {
		if !(g.KLD > 0 && g.Scale > 0) {
			t.Errorf("group %s: KLD %g, scale %g", g.Name, g.KLD, g.Scale)
		}
	}
	one, _, err := Measure(context.Background(), in, Config{Settings: testSettings, Threads: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(one.Tensors, ms.Tensors) || !reflect.DeepEqual(one.Groups, ms.Groups) {
		t.Error("2 and 3 threads measure differently")
	}
}

// TestCacheAndPlan measures through the cache (the second run reads it
// and gives the same numbers) and plans mixes for each kind of target:
// within budget, no larger than the preset, predicted better than it.
func TestCacheAndPlan(t *testing.T) {
	in := microInput(t)
	cfg := Config{Settings: testSettings, Threads: 2, CacheDir: t.TempDir()}
	ms, im, err := Measure(context.Background(), in, cfg)
	if err != nil {
		t.Fatal(err)
	}
	again, im2, err := Measure(context.Background(), in, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Cached || ms.Cached || !reflect.DeepEqual(again.Groups, ms.Groups) || !reflect.DeepEqual(again.Tensors, ms.Tensors) {
		t.Errorf("cached measurements differ (cached %v, %v)", ms.Cached, again.Cached)
	}
	if !reflect.DeepEqual(im.Entries, im2.Entries) || im2.File != "dev.txt" {
		t.Errorf("cached importance matrix differs (file %q)", im2.File)
	}
	other := testSettings
	other.Values = 8192
	mats := in.Model.Matrices()
	if cacheKey(in, other, mats) == cacheKey(in, testSettings, mats) {
		t.Error("other settings have the same cache key")
	}

	src, err := quantize.OpenGGUF(f16GGUF)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	q4, _ := quantize.ParsePreset("Q4_K_M")
	like, err := NewPlan(src, ms, PlanConfig{Target: Target{Like: &q4}, Imatrix: im})
	if err != nil {
		t.Fatal(err)
	}
	if like.FileSize > like.LikeBytes || like.LikeKLD == nil || like.PredictedKLD >= *like.LikeKLD || like.Preset.Name != "Q4_K_M" {
		t.Errorf("like Q4_K_M: %d bytes (preset %d), predicted %g (preset %v), file type %s",
			like.FileSize, like.LikeBytes, like.PredictedKLD, like.LikeKLD, like.Preset.Name)
	}
	if like.PredictedKLD != like.LowerBound || len(like.Types) != 30 {
		t.Errorf("like Q4_K_M: predicted %g, bound %g (an exact solution has them equal), %d types", like.PredictedKLD, like.LowerBound, len(like.Types))
	}
	size, err := NewPlan(src, ms, PlanConfig{Target: Target{Size: 3 << 20}, Imatrix: im})
	if err != nil {
		t.Fatal(err)
	}
	if size.FileSize > 3<<20 || size.FileSize < 3<<20-4096 || size.PredictedKLD <= like.PredictedKLD {
		t.Errorf("size 3 MiB: %d bytes, predicted %g (Q4_K_M-sized %g)", size.FileSize, size.PredictedKLD, like.PredictedKLD)
	}
	bpw, err := NewPlan(src, ms, PlanConfig{Target: Target{BPW: 4.5}, Imatrix: im})
	if err != nil {
		t.Fatal(err)
	}
	if bpw.BPW > 4.5 || bpw.BPW < 4.45 {
		t.Errorf("bpw 4.5: %.4f bits per weight", bpw.BPW)
	}
	if _, err := NewPlan(src, ms, PlanConfig{Target: Target{Size: 1 << 20}, Imatrix: im}); err == nil {
		t.Error("a 1 MiB target for a model whose smallest mix is larger was accepted")
	}
}

// TestEvaluatorReplay checks that a pass rerun from the changed layer
// (chunks longer than one batch included) gives exactly the KL divergence
// of a pass from the embeddings, and that an unchanged model gives 0 (up
// to the base's log-probabilities being kept in float32).
func TestEvaluatorReplay(t *testing.T) {
	in := microInput(t)
	toks := in.Tok.Encode(in.Text, true, false)
	chunks := [][]int32{toks[:600], toks[600:1200]}
	ev, err := newEvaluator(context.Background(), in.Model, chunks, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer ev.close()
	if d, err := ev.meanKLD(0); err != nil || d > 1e-7 {
		t.Fatalf("unchanged model: KLD %g, %v", d, err)
	}
	w := in.Model.Layers[2].Gate
	orig, typ := w.Data, w.Type
	q, err := quantizeWeight(w, ggml.TypeQ2_K, nil, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Replace(ggml.TypeQ2_K, q); err != nil {
		t.Fatal(err)
	}
	defer w.Replace(typ, orig)
	replay, err := ev.meanKLD(2)
	if err != nil {
		t.Fatal(err)
	}
	full, err := ev.meanKLD(-1)
	if err != nil {
		t.Fatal(err)
	}
	if replay != full || !(full > 0) {
		t.Errorf("KLD from layer 2 %g, from the embeddings %g", replay, full)
	}
}

// TestFitScales checks the scales of a block-calibrated model: tensors
// calibrated alone keep theirs; in a group each kind keeps its typical
// scale (geometric mean over the probes) up to one factor that makes the
// group's prediction its measured KL divergence.
func TestFitScales(t *testing.T) {
	tm := func(name string, group int, proxy float64) TensorMeasure {
		return TensorMeasure{Name: name, Group: group, Types: []string{"q3_K"}, Proxy: []float64{proxy}, Ref: "q3_K"}
	}
	ms := &Measurements{
		Tensors: []TensorMeasure{
			tm("blk.0.attn_q.weight", 0, 1), tm("blk.0.attn_v.weight", 1, 1),
			tm("blk.2.attn_q.weight", 2, 1), tm("blk.2.attn_v.weight", 3, 1),
			tm("blk.1.attn_q.weight", 4, 2), tm("blk.1.attn_v.weight", 4, 3),
			tm("output.weight", 5, 10),
		},
		Groups: []GroupMeasure{{Scale: 1e-4}, {Scale: 1e-2}, {Scale: 4e-4}, {Scale: 4e-2}, {KLD: 0.05}, {Scale: 0.5}},
	}
	fitScales(ms)
	// Typical scales: q 2e-4, v 2e-2; group 4: 2·2e-4 + 3·2e-2 = 0.0604
	// predicted with them, 0.05 measured.
	f := 0.05 / 0.0604
	want := []float64{1e-4, 1e-2, 4e-4, 4e-2, 2e-4 * f, 2e-2 * f, 0.5}
	for i, w := range want {
		if got := ms.Tensors[i].Scale; math.Abs(got-w) > 1e-12*w {
			t.Errorf("%s: scale %g, want %g", ms.Tensors[i].Name, got, w)
		}
	}
	if got := 2*ms.Tensors[4].Scale + 3*ms.Tensors[5].Scale; math.Abs(got-0.05) > 1e-12 {
		t.Errorf("group predicts %g, measured 0.05", got)
	}
	if p := probeLayers(22, 3); len(p) != 3 || !p[0] || !p[11] || !p[21] {
		t.Errorf("probe layers of 22: %v", p)
	}
}
