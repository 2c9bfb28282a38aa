package memory

import (
	"math"
	"path/filepath"
	"sync"
	"testing"

	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/profile/synth"
)

var (
	synthOnce   sync.Once
	synthModels map[string]*Model
	synthErr    error
)

// synthModel writes (once per test binary) sparse Q4_K_M GGUFs with the
// Mistral-7B and Llama-3-8B shapes and reads them back.
func synthModel(t *testing.T, name string) *Model {
	t.Helper()
	synthOnce.Do(func() {
		dir, err := osMkdirTemp()
		if err != nil {
			synthErr = err
			return
		}
		synthModels = map[string]*Model{}
		for _, s := range []synth.Shape{synth.Mistral7B, synth.Llama3_8B, synth.Llama2_7B} {
			p := filepath.Join(dir, s.Name+"-Q4_K_M.gguf")
			if _, err := synth.Write(p, s, "Q4_K_M"); err != nil {
				synthErr = err
				return
			}
			m, err := Open(p)
			if err != nil {
				synthErr = err
				return
			}
			synthModels[s.Name] = m
		}
	})
	if synthErr != nil {
		t.Fatal(synthErr)
	}
	return synthModels[name]
}

// llamaCompute holds llama.cpp's "CPU compute buffer size" in MiB from
// llama-fit-params -v dry runs (c9ced49 source tree, CPU backend, n_batch
// 2048) on the same synthetic files; the Mistral rows at ub 128/512/2048 are
// also the table of docs/profile-notes.md §2. Llama-2-7B (full multi-head
// attention, n_ff 11008) checks that the formulas are not fitted to one
// shape.
var llamaCompute = []struct {
	shape string
	ub    int
	fa    bool
	ctx   []int
	mib   []float64
}{
	{"mistral-7b", 512, false, []int{2048, 4096, 8192, 16384, 32768}, []float64{168.01, 300.01, 564.01, 1092.01, 2148.01}},
	{"mistral-7b", 512, true, []int{2048, 4096, 8192, 16384, 32768}, []float64{114.01, 112.01, 116.01, 140.01, 156.01}},
	{"mistral-7b", 128, false, []int{2048, 4096, 8192, 16384, 32768}, []float64{42, 75, 141, 273, 537}},
	{"mistral-7b", 128, true, []int{2048, 4096, 8192, 16384, 32768}, []float64{28.5, 28, 29, 35, 39}},
	{"mistral-7b", 2048, false, []int{2048, 4096, 8192, 16384, 32768}, []float64{672.04, 1200.04, 2256.04, 4368.04, 8592.04}},
	{"mistral-7b", 2048, true, []int{2048, 4096, 8192, 16384, 32768}, []float64{456.05, 448.05, 464.05, 560.05, 624.05}},
	{"mistral-7b", 512, false, []int{256}, []float64{56.25}},
	{"mistral-7b", 512, true, []int{256}, []float64{54.38}},
	{"llama-2-7b", 128, false, []int{2048, 4096, 8192, 16384, 32768}, []float64{45, 78, 144, 276, 540}},
	{"llama-2-7b", 512, false, []int{2048, 4096, 8192, 16384, 32768}, []float64{180.01, 312.01, 576.01, 1104.01, 2160.01}},
	{"llama-2-7b", 2048, false, []int{2048, 4096, 8192, 16384, 32768}, []float64{720.04, 1248.04, 2304.04, 4416.04, 8640.04}},
	{"llama-2-7b", 128, true, []int{2048, 4096, 8192, 16384, 32768}, []float64{25.13, 23.13, 24.13, 30.13, 37.38}},
	{"llama-2-7b", 512, true, []int{2048, 4096, 8192, 16384, 32768}, []float64{100.51, 92.51, 96.51, 120.51, 149.51}},
	{"llama-2-7b", 2048, true, []int{2048, 4096, 8192, 16384, 32768}, []float64{402.05, 370.05, 386.05, 482.05, 598.05}},
	{"llama-3-8b", 512, false, []int{2048, 4096, 8192, 16384, 32768}, []float64{258.5, 300.01, 564.01, 1092.01, 2148.01}},
	{"llama-3-8b", 512, true, []int{2048, 4096, 8192, 16384, 32768}, []float64{258.5, 258.5, 266.5, 258.5, 258.5}},
	{"llama-3-8b", 128, true, []int{2048, 4096, 8192, 16384, 32768}, []float64{64.62, 64.62, 66.62, 64.62, 64.62}},
	{"llama-3-8b", 2048, true, []int{2048, 4096, 8192, 16384, 32768}, []float64{1034, 1034, 1066, 1034, 1034}},
	{"llama-3-8b", 2048, false, []int{256, 2048, 32768}, []float64{129.25, 1034, 8592.04}},
}

func TestComputeBufferMatchesLlamaCpp(t *testing.T) {
	for _, c := range llamaCompute {
		m := synthModel(t, c.shape)
		for i, ctx := range c.ctx {
			b, err := m.Estimate(Options{Ctx: ctx, UBatch: c.ub, FlashAttn: c.fa}, 0)
			if err != nil {
				t.Fatal(err)
			}
			got := float64(b.Compute) / MiB
			if testing.Verbose() {
				t.Logf("%s ub %d fa %v ctx %d: %.1f vs %.1f (%+.1f%%)", c.shape, c.ub, c.fa, ctx, got, c.mib[i], 100*(got/c.mib[i]-1))
			}
			if rel := math.Abs(got/c.mib[i] - 1); rel > 0.10 {
				t.Errorf("%s ub %d fa %v ctx %d: compute %.1f MiB, llama.cpp %.1f MiB (%.1f%% off)", c.shape, c.ub, c.fa, ctx, got, c.mib[i], 100*rel)
			}
		}
	}
}

func TestKVCacheExact(t *testing.T) {
	m := synthModel(t, "mistral-7b")
	// profile-notes §2 (and llama_kv_cache "size =" lines): MiB.
	want := map[string][]float64{"f16": {256, 512, 1024, 4096}, "q8_0": {136, 272, 544, 2176}, "q4_0": {72, 144, 288, 1152}}
	for typ, mib := range want {
		for i, ctx := range []int{2048, 4096, 8192, 32768} {
			b, err := m.Estimate(Options{Ctx: ctx, FlashAttn: true, KType: typ, VType: typ}, 0)
			if err != nil {
				t.Fatal(err)
			}
			if b.KVCache != uint64(mib[i]*MiB) || b.KCache != b.VCache {
				t.Errorf("%s at %d: KV %d bytes (K %d, V %d), want %.0f MiB", typ, ctx, b.KVCache, b.KCache, b.VCache, mib[i])
			}
		}
	}
	// 4000 is padded to 4096 cells, as llama.cpp does.
	b, _ := m.Estimate(Options{Ctx: 4000}, 0)
	if b.CtxPadded != 4096 || b.KVCache != 512*MiB {
		t.Errorf("ctx 4000: padded %d, KV %d", b.CtxPadded, b.KVCache)
	}
	if _, err := m.Estimate(Options{Ctx: 4096, VType: "q8_0"}, 0); err == nil {
		t.Error("quantized V cache without flash attention accepted")
	}
	if _, err := m.Estimate(Options{Ctx: 4096, KType: "q4_k"}, 0); err == nil {
		t.Error("q4_k cache type accepted")
	}
}

// TestTotalsMatchLlamaCpp checks weights + KV + compute against llama.cpp's
// memory breakdown (llama-fit-params -v --no-repack: model + context +
// compute MiB on the host).
func TestTotalsMatchLlamaCpp(t *testing.T) {
	cases := []struct {
		shape   string
		ctx     int
		fa      bool
		cache   string
		model   float64
		kv      float64
		compute float64
	}{
		{"mistral-7b", 4096, false, "f16", 4165, 512, 300},
		{"mistral-7b", 32768, false, "f16", 4165, 4096, 2148},
		{"mistral-7b", 4096, true, "f16", 4165, 512, 112},
		{"mistral-7b", 32768, true, "f16", 4165, 4096, 156},
		{"mistral-7b", 8192, true, "q8_0", 4165, 544, 116},
		{"llama-3-8b", 4096, false, "f16", 4685, 512, 300},
		{"llama-3-8b", 32768, false, "f16", 4685, 4096, 2148},
		{"llama-3-8b", 4096, true, "f16", 4685, 512, 258},
		{"llama-3-8b", 32768, true, "f16", 4685, 4096, 258},
	}
	for _, c := range cases {
		m := synthModel(t, c.shape)
		b, err := m.Estimate(Options{Ctx: c.ctx, FlashAttn: c.fa, KType: c.cache, VType: c.cache}, 0)
		if err != nil {
			t.Fatal(err)
		}
		weights := float64(b.WeightsDev+b.WeightsHost) / MiB
		if math.Abs(weights-c.model) > 1 {
			t.Errorf("%s: weights %.1f MiB, llama.cpp %.0f", c.shape, weights, c.model)
		}
		got := weights + float64(b.KVCache+b.Compute)/MiB
		want := c.model + c.kv + c.compute
		if rel := math.Abs(got/want - 1); rel > 0.10 {
			t.Errorf("%s ctx %d fa %v: weights+KV+compute %.0f MiB, llama.cpp %.0f", c.shape, c.ctx, c.fa, got, want)
		}
		if c.ctx == 4096 && c.cache == "f16" && b.KVCache != 512*MiB {
			t.Errorf("%s: F16 KV at 4096 is %d bytes, want 512 MiB", c.shape, b.KVCache)
		}
	}
}

func TestOffloadAndFit(t *testing.T) {
	m := synthModel(t, "mistral-7b")
	full, err := m.Estimate(Options{Ctx: 4096, FlashAttn: true, GPULayers: -1}, 300*MiB)
	if err != nil {
		t.Fatal(err)
	}
	if full.WeightsHost != m.TokEmbd || full.LayersOnDev != 32 || !full.OutputOnDev {
		t.Errorf("full offload: host weights %d (embedding %d), %d layers", full.WeightsHost, m.TokEmbd, full.LayersOnDev)
	}
	if full.DeviceTotal != full.WeightsDev+full.KVCache+full.Compute+300*MiB {
		t.Error("device total is not the sum of its parts")
	}
	none, _ := m.Estimate(Options{Ctx: 4096, FlashAttn: true, GPULayers: 0}, 300*MiB)
	if none.DeviceTotal != 0 || none.Total != full.Total-300*MiB {
		t.Errorf("no offload: device %d, total %d vs %d", none.DeviceTotal, none.Total, full.Total)
	}
	// 4 GiB card: the whole model (4.1 GiB of weights) cannot fit; some layers do.
	bud := Budget{Usable: 4 * GiB, Reserve: 300 * MiB}
	if _, v, _ := m.Fit(Options{Ctx: 4096, FlashAttn: true}, bud); v != NoFit {
		t.Errorf("4 GiB: verdict %s", v)
	}
	n, b, err := m.MaxLayers(Options{Ctx: 4096, FlashAttn: true}, bud)
	if err != nil || n < 20 || n > 31 || b.DeviceTotal > bud.Usable {
		t.Errorf("4 GiB: %d layers, device %d bytes, %v", n, b.DeviceTotal, err)
	}
	// 12 GiB card (profile-notes: 32k with f16 KV fits, ~8.6 GiB).
	bud = Budget{Usable: 12 * GiB, Reserve: 457 * MiB}
	if _, v, _ := m.Fit(Options{Ctx: 32768, FlashAttn: true}, bud); v != Fits {
		t.Errorf("12 GiB at 32k: %s", v)
	}
	max16, _ := m.MaxCtx(Options{FlashAttn: true}, bud, 1<<20)
	max8, _ := m.MaxCtx(Options{FlashAttn: true, KType: "q8_0", VType: "q8_0"}, bud, 1<<20)
	if max16 < 32768 || max8 <= max16 || max16%CtxPad != 0 {
		t.Errorf("max ctx f16 %d, q8_0 %d", max16, max8)
	}
	if c, _ := m.MaxCtx(Options{FlashAttn: true}, bud, 32768); c != 32768 {
		t.Errorf("limit not honoured: %d", c)
	}
	if c, _ := m.MaxCtx(Options{FlashAttn: true}, Budget{Usable: 2 * GiB}, 32768); c != 0 {
		t.Errorf("2 GiB: max ctx %d, want 0", c)
	}
}

// TestSlidingWindowKV: layers with a sliding window get llama.cpp's iSWA
// cache, window + ubatch cells padded to 256 (at most the context), as its
// log shows for tiny-gemma2 (4 layers, window 64, KV dim 32, F16) at 8192:
// "non-SWA KV cache, size = 8192 cells" (2 layers, 2.00 MiB) and "SWA KV
// cache, size = 768 cells" (2 layers, 0.19 MiB).
func TestSlidingWindowKV(t *testing.T) {
	m := &Model{Layers: 4, Embd: 64, FF: 256, Heads: 4, KVHeads: 2, HeadDim: 16, Vocab: 4096,
		LayerBytes: make([]uint64, 4), Window: []int{64, 0, 64, 0}}
	const row = 32 * 2 // F16 bytes per cell and layer, K or V
	for _, c := range []struct {
		ctx, ubatch, swaCells int
	}{
		{8192, 512, 768},
		{8192, 128, 256},
		{512, 512, 512}, // the window + ubatch exceed the context
		{300, 512, 512}, // padded context
	} {
		b, err := m.Estimate(Options{Ctx: c.ctx, UBatch: c.ubatch, Batch: 2048, FlashAttn: true}, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := uint64(2*PadCtx(c.ctx)+2*c.swaCells) * row
		if b.KCache != want || b.VCache != want {
			t.Errorf("ctx %d ubatch %d: K %d V %d bytes, want %d each", c.ctx, c.ubatch, b.KCache, b.VCache, want)
		}
		// Offloading the last layer (full attention) moves its full cache.
		b, _ = m.Estimate(Options{Ctx: c.ctx, UBatch: c.ubatch, Batch: 2048, FlashAttn: true, GPULayers: 2}, 0)
		if b.KVDev != uint64(2*PadCtx(c.ctx))*row {
			t.Errorf("ctx %d: one layer offloaded holds %d KV bytes, want %d", c.ctx, b.KVDev, 2*PadCtx(c.ctx)*row)
		}
	}
}

// TestSlidingWindowKeyIgnoredForLlama: llama.cpp gives only its SWA
// architectures (gemma2 here) an iSWA cache; a llama file that carries
// llama.attention.sliding_window keeps full-size caches in its estimate.
func TestSlidingWindowKeyIgnoredForLlama(t *testing.T) {
	s := synth.Shape{Name: "tiny", Layers: 2, Embd: 256, FF: 512, Heads: 4, KVHeads: 2, Vocab: 300, CtxTrain: 4096}
	md, ts, err := s.Layout("F16")
	if err != nil {
		t.Fatal(err)
	}
	md.Set("llama.attention.sliding_window", gguf.Uint32(64))
	p := filepath.Join(t.TempDir(), "swa.gguf")
	w, err := gguf.Create(p, md, ts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ts {
		if err := w.SkipTensor(i); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	m, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.Estimate(Options{Ctx: 8192, FlashAttn: true}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := uint64(2 * 8192 * 2 * 128 * 2); b.KVCache != want { // layers × cells × K+V × KV dim × F16
		t.Errorf("KV %d bytes, want %d (no sliding window for llama)", b.KVCache, want)
	}
}
