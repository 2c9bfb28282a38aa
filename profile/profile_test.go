package profile

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zqtool/zq/internal/testutil"
	"github.com/zqtool/zq/profile/catalog"
	"github.com/zqtool/zq/profile/measure"
	"github.com/zqtool/zq/profile/memory"
	"github.com/zqtool/zq/profile/report"
	"github.com/zqtool/zq/profile/synth"
)

const text = "../testdata/text/dev.txt"

// ggufDir copies the bundled micro model's F16 and Q4_K_M files into a
// temporary directory (the cache is written beside them).
func ggufDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for src, dst := range map[string]string{
		"../testdata/reference/convert-f16.gguf":  "micro-F16.gguf",
		"../testdata/reference/quant-Q4_K_M.gguf": "micro-Q4_K_M.gguf",
	} {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, dst), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func opts(t *testing.T, inputs ...string) Options {
	d, err := catalog.Find("rtx 3060")
	if err != nil {
		t.Fatal(err)
	}
	return Options{Inputs: inputs, Target: &d, Ctxs: []int{512, 1024}, Ctx: 1024, Text: text, VerifyCtx: 128, Chunks: 3,
		Speed: measure.SpeedOptions{Prompt: 16, Gen: 4, Reps: 1, Threads: 1}, Version: "test"}
}

// TestMatrixJSON checks the matrix's JSON schema and that the
// recommendation is the best-quality row that fits.
func TestMatrixJSON(t *testing.T) {
	dir := ggufDir(t)
	mx, err := Run(context.Background(), opts(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := mx.Write(&buf, "json"); err != nil {
		t.Fatal(err)
	}
	checkMatrixJSON(t, buf.Bytes(), 2)
	// The cache now holds both models; a rerun measures nothing new.
	c, err := measure.OpenCache(filepath.Join(dir, measure.CacheFile))
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(c.Path())
	if _, err := Run(context.Background(), opts(t, dir)); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(c.Path())
	if !bytes.Equal(before, after) {
		t.Error("a rerun rewrote the cache")
	}
}

// checkMatrixJSON validates a matrix as JSON: required keys, units in key
// names, filled measured and predicted columns, and the recommendation.
func checkMatrixJSON(t *testing.T, b []byte, nrows int) {
	t.Helper()
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"target", "ctxs", "ctx", "kv_type", "rows", "recommendation", "predicted_label", "engine_measured_here"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("matrix JSON lacks %q", k)
		}
	}
	var mx report.Matrix
	if err := json.Unmarshal(b, &mx); err != nil {
		t.Fatal(err)
	}
	if len(mx.Rows) != nrows {
		t.Fatalf("%d rows", len(mx.Rows))
	}
	rows := raw["rows"].([]any)
	for i, r := range mx.Rows {
		rr := rows[i].(map[string]any)
		for _, k := range []string{"size_bytes", "bits_per_weight", "memory", "verdict", "quality", "speed_measured_here", "gen_tps_predicted"} {
			if _, ok := rr[k]; !ok {
				t.Errorf("row %s lacks %q", r.Name, k)
			}
		}
		if r.Quality == nil || r.Speed == nil || r.Speed.GenTPS <= 0 || r.PredGenTPS <= 0 || len(r.Memory) != len(mx.Ctxs) {
			t.Errorf("row %s not filled: %+v", r.Name, r)
		}
	}
	// Independently: the best-quality (lowest KLD) row among those that fit.
	best := ""
	bestKLD := 1e9
	for _, r := range mx.Rows {
		if r.Verdict == memory.Fits && r.Quality.KLD < bestKLD {
			best, bestKLD = r.Name, r.Quality.KLD
		}
	}
	if mx.Recommendation == nil || mx.Recommendation.Best != best {
		t.Errorf("recommendation %+v, want %s", mx.Recommendation, best)
	}
}

func TestCheckpointPipeline(t *testing.T) {
	if testing.Short() {
		t.Skip("converts and quantizes the micro model")
	}
	ckpt := testutil.CopyDir(t, "../testdata/micro-mistral")
	o := opts(t, ckpt)
	o.Types = []string{"q8_0", "q4_k_m"}
	mx, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(mx.Rows) != 3 || mx.Rows[0].Name != "F16" || mx.Rows[1].Name != "Q8_0" || mx.Rows[2].Name != "Q4_K_M" {
		t.Fatalf("rows: %+v", mx.Rows)
	}
	for _, f := range []string{"micro-mistral-F16.gguf", "micro-mistral-Q8_0.gguf", "micro-mistral-Q4_K_M.gguf", measure.CacheFile} {
		if _, err := os.Stat(filepath.Join(ckpt, "zq-profile", f)); err != nil {
			t.Error(err)
		}
	}
}

func TestBadInput(t *testing.T) {
	dir := ggufDir(t)
	notGGUF := filepath.Join(t.TempDir(), "model.gguf")
	os.WriteFile(notGGUF, []byte("this is not a model"), 0o644)
	empty := t.TempDir()
	short := filepath.Join(t.TempDir(), "short.txt")
	os.WriteFile(short, []byte("A short text."), 0o644)
	cases := []struct {
		name string
		edit func(*Options)
		want string
	}{
		{"non-GGUF", func(o *Options) { o.Inputs = []string{notGGUF} }, "not a GGUF file"},
		{"empty dir", func(o *Options) { o.Inputs = []string{empty} }, "no GGUF models"},
		{"ctx 0", func(o *Options) { o.Ctxs = []int{0} }, "at least 1 token"},
		{"bad kv", func(o *Options) { o.KVType = "q4_k" }, "cache type"},
		{"short text", func(o *Options) { o.Text = short }, "2·ctx"},
		{"checkpoint without types", func(o *Options) { o.Inputs = []string{"../testdata/micro-mistral"} }, "--types"},
		{"engine", func(o *Options) { o.Engine = "warp" }, "unknown engine"},
	}
	for _, c := range cases {
		o := opts(t, dir)
		c.edit(&o)
		_, err := Run(context.Background(), o)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v (want %q)", c.name, err, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, measure.CacheFile)); err == nil {
		b, _ := os.ReadFile(filepath.Join(dir, measure.CacheFile))
		if bytes.Contains(b, []byte(`"quality"`)) && !json.Valid(b) {
			t.Error("cache half-written")
		}
	}
	// Beyond the trained context: a warning, not an error.
	var warned []string
	o := opts(t, dir)
	o.Ctxs, o.Ctx, o.Text, o.Engine = []int{512}, 1<<20, "", "none"
	o.Warn = func(s string) { warned = append(warned, s) }
	if _, err := Run(context.Background(), o); err != nil || len(warned) == 0 || !strings.Contains(warned[0], "trained length") {
		t.Errorf("beyond trained ctx: %v %v", err, warned)
	}
}

func TestCalibrate(t *testing.T) {
	p := filepath.Join(t.TempDir(), "m.gguf")
	if _, err := synth.Write(p, synth.Mistral7B, "Q4_0"); err != nil {
		t.Fatal(err)
	}
	m, err := memory.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	cpu, _ := catalog.Custom(32<<30, 40, "cpu")
	calls := 0
	o := Options{ThisMachine: func(context.Context) (catalog.Device, error) { calls++; return cpu, nil }}
	// 40 GB/s and ~4.03 GB per token: 6 tok/s is 60 % of the roofline.
	speeds := map[string]*measure.Speed{p: {GenTPS: 6}}
	c, note, err := o.calibrate(context.Background(), m, speeds, "llama-bench")
	want := 6 * float64(m.StreamedPerToken()) / 40e9
	if err != nil || c == nil || c.Class != "cpu" || math.Abs(c.Eta-want) > 1e-9 || note != "" {
		t.Fatalf("llama-bench: %+v %q %v", c, note, err)
	}
	c, note, _ = o.calibrate(context.Background(), m, speeds, "zq")
	if c != nil || !strings.Contains(note, "zq's forward pass") {
		t.Errorf("zq engine calibrated: %+v %q", c, note)
	}
	if calls != 1 {
		t.Errorf("this machine detected %d times", calls)
	}
	small, _ := memory.Open("../testdata/reference/quant-Q4_K_M.gguf")
	if c, note, _ := o.calibrate(context.Background(), small, map[string]*measure.Speed{small.Path: {GenTPS: 500}}, "llama-bench"); c != nil || !strings.Contains(note, "too small") {
		t.Errorf("micro model calibrated: %+v", c)
	}
}
