package predict

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/zqtool/zq/profile/catalog"
	"github.com/zqtool/zq/profile/memory"
	"github.com/zqtool/zq/profile/synth"
)

func synthModel(t *testing.T, s synth.Shape, preset string) *memory.Model {
	t.Helper()
	p := filepath.Join(t.TempDir(), s.Name+".gguf")
	if _, err := synth.Write(p, s, preset); err != nil {
		t.Fatal(err)
	}
	m, err := memory.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(p)
	return m
}

// TestGenTPSAgainstScoreboards compares the prior-only roofline with the
// llama-bench tg128 results of profile-notes §4 (Llama-2-7B Q4_0, full
// offload); the priors are class averages, so 20 % is the bar.
func TestGenTPSAgainstScoreboards(t *testing.T) {
	m := synthModel(t, synth.Llama2_7B, "Q4_0")
	for _, c := range []struct {
		target string
		tps    float64
	}{
		{"rtx 3060", 75.6}, {"4090", 189.0}, {"4070 ti super", 132.3}, {"5090", 300.4},
		{"m2 16", 21.9}, {"m4 pro 48", 50.7}, {"m2 ultra 192", 94.3}, {"a100 80gb", 200.9},
	} {
		d, err := catalog.Find(c.target)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Run(m, d, Options{Ctxs: []int{128}, KVTypes: []string{"f16"}, FlashAttn: true})
		if err != nil {
			t.Fatal(err)
		}
		b := p.Cells[0].Breakdown
		got := GenTPS(m, d, b, p.Eta, 64)
		if rel := math.Abs(got/c.tps - 1); rel > 0.20 {
			t.Errorf("%s: predicted %.1f tok/s, llama-bench %.1f (%.0f%% off)", d.Name, got, c.tps, 100*rel)
		}
	}
}

func TestFitVerdicts(t *testing.T) {
	m := synthModel(t, synth.Mistral7B, "Q4_K_M")
	d, _ := catalog.Find("rtx 3060")
	p, err := Run(m, d, Options{FlashAttn: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Cells) != 9 {
		t.Fatalf("%d cells", len(p.Cells))
	}
	want := map[[2]any]memory.Verdict{}
	for _, c := range p.Cells {
		want[[2]any{c.Ctx, c.KVType}] = c.Verdict
		if c.Verdict != memory.NoFit && (c.GenTPS <= 0 || c.GenTPS > 100) {
			t.Errorf("%d %s: %.1f tok/s", c.Ctx, c.KVType, c.GenTPS)
		}
	}
	// profile-notes §2: a 12 GB card runs 32k with f16 KV (~8.6 GiB).
	if v := want[[2]any{32768, "f16"}]; v != memory.Fits {
		t.Errorf("3060 12GB, 32k f16: %s", v)
	}
	// An 8 GB card: 8k comfortably, 32k f16 no, 32k q8_0 yes (~6.8 GiB).
	d8, _ := catalog.Find("rtx 4060")
	p8, _ := Run(m, d8, Options{FlashAttn: true})
	for _, c := range p8.Cells {
		switch {
		case c.Ctx == 8192 && c.KVType == "f16" && c.Verdict != memory.Fits,
			c.Ctx == 32768 && c.KVType == "f16" && c.Verdict != memory.NoFit,
			c.Ctx == 32768 && c.KVType == "q8_0" && c.Verdict == memory.NoFit:
			t.Errorf("RTX 4060 %d %s: %s", c.Ctx, c.KVType, c.Verdict)
		}
		if c.Verdict == memory.NoFit && (c.Note != "partial offload" || c.GPULayers >= m.Layers+1 || c.GenTPS <= 0) {
			t.Errorf("no-fit cell without partial offload: %+v", c)
		}
	}
	if p8.MaxCtx["q4_0"] != 32768 || p8.MaxCtx["q8_0"] != 32768 || p8.MaxCtx["f16"] >= 32768 || p8.MaxCtx["f16"] < 16384 {
		t.Errorf("max ctx: %v", p8.MaxCtx)
	}
	// Longer contexts decode more slowly (KV reads).
	var short, long float64
	for _, c := range p.Cells {
		if c.KVType == "f16" && c.Ctx == 4096 {
			short = c.GenTPS
		}
		if c.KVType == "f16" && c.Ctx == 32768 {
			long = c.GenTPS
		}
	}
	if long >= short*0.8 {
		t.Errorf("32k %.1f vs 4k %.1f tok/s", long, short)
	}
}

func TestCalibrationApplies(t *testing.T) {
	cpu, err := catalog.Custom(16*memory.GiB, 20, "cpu")
	if err != nil {
		t.Fatal(err)
	}
	c := &Calibration{Class: "cpu", Eta: 0.3, Engine: "zq"}
	if e, _ := Eta(cpu, "Q4_K_M", c); e != 0.3 {
		t.Errorf("same class: eta %v", e)
	}
	gpu, _ := catalog.Find("rtx 3060")
	if e, _ := Eta(gpu, "Q4_K_M", c); e != gpu.Class.EtaKQuant {
		t.Errorf("other class: eta %v", e)
	}
	if e, _ := Eta(gpu, "Q4_0", nil); e != gpu.Class.Eta {
		t.Errorf("Q4_0: eta %v", e)
	}
}
