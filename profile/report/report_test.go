package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/zqtool/zq/profile/measure"
	"github.com/zqtool/zq/profile/memory"
)

func row(name string, bpw float64, kld float64, v memory.Verdict, tps float64, gib float64) Row {
	return Row{Name: name, BitsPerWeight: bpw, SizeBytes: int64(gib * (1 << 30)), Verdict: v, PredGenTPS: tps,
		Quality: &measure.Quality{KLD: kld, DeltaPPLPct: kld * 100},
		Memory:  []MemAt{{Ctx: 8192, NeedGiB: gib + 1, Verdict: v}}}
}

func TestRecommend(t *testing.T) {
	base := Matrix{Ctx: 8192, Ctxs: []int{8192}, KVType: "f16", Target: Target{Name: "RTX 3060 12GB", UsableBytes: 12 << 30}}
	cases := []struct {
		name           string
		rows           []Row
		minTPS         float64
		best, runnerUp string
		by             string
	}{
		{"best fitting quality wins", []Row{
			row("F16", 16, 0, memory.NoFit, 20, 13.5), row("Q8_0", 8.5, 0.001, memory.Fits, 40, 7.2),
			row("Q5_K_M", 5.7, 0.01, memory.Fits, 55, 4.8), row("Q4_K_M", 4.9, 0.03, memory.Fits, 62, 4.1)},
			0, "Q8_0", "Q5_K_M", "kld"},
		{"tight only when nothing fits comfortably", []Row{
			row("Q8_0", 8.5, 0.001, memory.Tight, 40, 7.2), row("Q4_K_M", 4.9, 0.03, memory.Fits, 62, 4.1)},
			0, "Q4_K_M", "", "kld"},
		{"tight fallback", []Row{
			row("Q8_0", 8.5, 0.001, memory.Tight, 40, 7.2), row("Q4_K_M", 4.9, 0.03, memory.Tight, 62, 4.1)},
			0, "Q8_0", "Q4_K_M", "kld"},
		{"min tps", []Row{
			row("Q8_0", 8.5, 0.001, memory.Fits, 40, 7.2), row("Q5_K_M", 5.7, 0.01, memory.Fits, 55, 4.8),
			row("Q4_K_M", 4.9, 0.03, memory.Fits, 62, 4.1)},
			50, "Q5_K_M", "Q4_K_M", "kld"},
		{"nothing fits", []Row{row("Q8_0", 8.5, 0.001, memory.NoFit, 40, 17)}, 0, "", "", "kld"},
	}
	for _, c := range cases {
		m := base
		m.Rows, m.MinTPS = c.rows, c.minTPS
		r := Recommend(&m)
		if r.Best != c.best || r.RunnerUp != c.runnerUp || r.By != c.by || r.Reason == "" {
			t.Errorf("%s: %+v", c.name, r)
		}
	}
	// Without quality figures, bits per weight ranks.
	m := base
	m.Rows = []Row{{Name: "Q4_K_M", BitsPerWeight: 4.9, Verdict: memory.Fits}, {Name: "Q6_K", BitsPerWeight: 6.6, Verdict: memory.Fits}}
	if r := Recommend(&m); r.Best != "Q6_K" || r.By != "bits_per_weight" || !strings.Contains(r.Reason, "not measured") {
		t.Errorf("no quality: %+v", r)
	}
}

func TestWriteFormats(t *testing.T) {
	m := &Matrix{Ctx: 8192, Ctxs: []int{4096, 8192}, KVType: "f16", Engine: "zq", Target: Target{Name: "RTX 3060 12GB", UsableBytes: 12 << 30, BandwidthGBs: 360},
		Rows: []Row{row("Q8_0", 8.5, 0.001, memory.Fits, 40, 7.2), row("Q4_K_M", 4.9, 0.03, memory.Fits, 62, 4.1)}}
	m.Rows[0].Speed = &measure.Speed{GenTPS: 12.5, Engine: "zq"}
	m.Recommendation = Recommend(m)
	for _, f := range Formats {
		var b bytes.Buffer
		if err := m.Write(&b, f); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		s := b.String()
		switch f {
		case "json":
			var back Matrix
			if err := json.Unmarshal(b.Bytes(), &back); err != nil || back.Recommendation.Best != "Q8_0" || len(back.Rows) != 2 {
				t.Errorf("json: %v %+v", err, back.Recommendation)
			}
		case "csv":
			recs, err := csv.NewReader(strings.NewReader(s)).ReadAll()
			if err != nil || len(recs) != 3 || len(recs[0]) != len(recs[1]) || recs[1][0] != "Q8_0" || recs[1][len(recs[1])-2] != "12.5" {
				t.Errorf("csv: %v %q", err, recs)
			}
		default:
			if !strings.Contains(s, "recommendation: Q8_0") || !strings.Contains(s, "tok/s pred (RTX 3060 12GB)") || !strings.Contains(s, "mem@8k") {
				t.Errorf("%s:\n%s", f, s)
			}
		}
	}
	if err := m.Write(&bytes.Buffer{}, "xml"); err == nil {
		t.Error("unknown format accepted")
	}
}
