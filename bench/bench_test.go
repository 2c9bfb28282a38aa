package bench

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/model"
)

// The micro model (5.1M parameters) quantized to Q4_K_M by llama.cpp.
const q4GGUF = "../testdata/reference/quant-Q4_K_M.gguf"

func TestRunCountsAndNumbers(t *testing.T) {
	o := Options{Prompt: 8, Gen: 3, Reps: 2, Threads: 1, Warmup: true}
	seen := 0
	o.Progress = func(n int) { seen += n }
	rep, err := Run(context.Background(), q4GGUF, o)
	if err != nil {
		t.Fatal(err)
	}
	if want := 2*(8+3) + 8 + 1; seen != want || o.Tokens() != want {
		t.Errorf("progress saw %d tokens, Tokens() = %d; want %d", seen, o.Tokens(), want)
	}
	if len(rep.Tests) != 2 {
		t.Fatalf("%d tests, want pp and tg", len(rep.Tests))
	}
	for i, want := range []struct {
		name      string
		prompt, g int
	}{{"pp8", 8, 0}, {"tg3", 0, 3}} {
		r := rep.Tests[i]
		if r.Name() != want.name || r.Prompt != want.prompt || r.Gen != want.g || r.Threads != 1 {
			t.Errorf("test %d = %s (p %d, n %d, t %d), want %s", i, r.Name(), r.Prompt, r.Gen, r.Threads, want.name)
		}
		if len(r.SamplesNS) != 2 {
			t.Errorf("%s: %d samples, want 2", r.Name(), len(r.SamplesNS))
		}
		for _, ts := range r.TS() {
			if !(ts > 0) || math.IsInf(ts, 0) {
				t.Errorf("%s: tokens/s %v", r.Name(), ts)
			}
		}
		if r.Time.IsZero() {
			t.Errorf("%s: no start time", r.Name())
		}
	}
}

func TestInfoMatchesModel(t *testing.T) {
	in, err := ReadInfo(q4GGUF)
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.Open(q4GGUF)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if in.Size != m.WeightBytes || in.Params != m.Params {
		t.Errorf("size %d, params %d; model says %d, %d", in.Size, in.Params, m.WeightBytes, m.Params)
	}
	if in.Type != "llama ?B Q4_K - Medium" { // llama-bench's name (testdata/llama-bench-micro.json)
		t.Errorf("type %q", in.Type)
	}
	// Streamed: everything but the token embedding, of which one row.
	f, err := gguf.Open(q4GGUF)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	te, _ := f.Lookup("token_embd.weight")
	if _, ok := f.Lookup("output.weight"); !ok {
		t.Fatal("the micro model was expected to have an untied output.weight")
	}
	if want := in.Size - te.Size() + te.Size()/te.Dims[1]; in.StreamedBytes != want {
		t.Errorf("streamed %d bytes, want %d", in.StreamedBytes, want)
	}
	h := m.H
	if want := uint64(h.Layers * 2 * h.KVHeads * h.HeadDim * 2); in.KVBytesPerPos != want {
		t.Errorf("KV bytes per position %d, want %d", in.KVBytesPerPos, want)
	}
	// 10 GB/s over the bytes of tg1 (no KV read) and of tg5 (mean depth 2).
	if got, want := in.Roofline(10, 1), 10e9/float64(in.StreamedBytes); got != want {
		t.Errorf("roofline tg1 = %v, want %v", got, want)
	}
	if got, want := in.Roofline(10, 5), 10e9/float64(in.StreamedBytes+2*in.KVBytesPerPos); got != want {
		t.Errorf("roofline tg5 = %v, want %v", got, want)
	}
}

func TestMeanSD(t *testing.T) {
	for _, c := range []struct {
		xs       []float64
		mean, sd float64
	}{
		{nil, 0, 0},
		{[]float64{5}, 5, 0},
		{[]float64{1, 2, 3, 4}, 2.5, math.Sqrt(5.0 / 3)},
		{[]float64{10, 10, 10}, 10, 0},
	} {
		m, sd := MeanSD(c.xs)
		if math.Abs(m-c.mean) > 1e-12 || math.Abs(sd-c.sd) > 1e-12 {
			t.Errorf("MeanSD(%v) = %v, %v; want %v, %v", c.xs, m, sd, c.mean, c.sd)
		}
	}
}

func TestOptionsCheck(t *testing.T) {
	for _, c := range []struct {
		o    Options
		want string
	}{
		{Options{Prompt: 1, Reps: 1}, ""},
		{Options{Gen: 1, Reps: 1, Threads: 3}, ""},
		{Options{Prompt: -1, Reps: 1}, "must be ≥ 0"},
		{Options{Reps: 1}, "nothing to measure"},
		{Options{Prompt: 1}, "-r 0"},
		{Options{Prompt: 1, Reps: 1, Threads: -2}, "--threads -2"},
	} {
		err := c.o.Check()
		if (c.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.o, err, c.want)
		}
	}
}

func TestErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.gguf")
	if err := os.WriteFile(junk, []byte("not a gguf file at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(dir, "missing.gguf"), junk} {
		if _, err := Run(context.Background(), p, Options{Prompt: 1, Reps: 1}); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v does not name the file", p, err)
		}
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Run(ctx, q4GGUF, Options{Gen: 4, Reps: 1})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled run: %v", err)
	}
}

func TestBandwidth(t *testing.T) {
	if bw := triad(1<<16, 2, 2); !(bw > 0) || math.IsInf(bw, 0) {
		t.Errorf("triad bandwidth %v GB/s", bw)
	}
	for _, c := range []struct {
		s string
		n int
	}{{"32K", 32 << 10}, {"480M", 480 << 20}, {"1G", 1 << 30}, {"512", 512}, {"x", 0}, {"-1K", 0}} {
		if got := parseSize(c.s); got != c.n {
			t.Errorf("parseSize(%q) = %d, want %d", c.s, got, c.n)
		}
	}
}
