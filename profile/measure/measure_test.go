package measure

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const (
	f16  = "../../testdata/reference/convert-f16.gguf"
	q4km = "../../testdata/reference/quant-Q4_K_M.gguf"
	text = "../../testdata/text/dev.txt"
)

func TestCacheRoundTripAndAtomicity(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, CacheFile)
	c, err := OpenCache(p)
	if err != nil {
		t.Fatal(err)
	}
	k := Key{Kind: "quality", FileSHA256: "aa", TextSHA256: "bb", Ctx: 64, Version: "v1"}
	if _, ok := c.Get(k); ok {
		t.Fatal("empty cache has an entry")
	}
	if err := c.Put(Entry{Key: k, Quality: &Quality{PPL: 12.5}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Put(Entry{Key: k, Quality: &Quality{PPL: 13}}); err != nil {
		t.Fatal(err)
	}
	c2, err := OpenCache(p)
	if err != nil {
		t.Fatal(err)
	}
	e, ok := c2.Get(k)
	if !ok || e.Quality.PPL != 13 || len(c2.data.Entries) != 1 {
		t.Errorf("reloaded: %+v %v (%d entries)", e, ok, len(c2.data.Entries))
	}
	k2 := k
	k2.Version = "v2"
	if _, ok := c2.Get(k2); ok {
		t.Error("another zq version hit the cache")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("temporary files left: %v", ents)
	}
	os.WriteFile(p, []byte("{half"), 0o644)
	if _, err := OpenCache(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("corrupt cache: %v", err)
	}
}

func TestFileSHA256Reused(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "x.bin")
	os.WriteFile(f, []byte("hello"), 0o644)
	c, _ := OpenCache(filepath.Join(dir, CacheFile))
	s1, err := c.FileSHA256(f)
	if err != nil || s1 != "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" {
		t.Fatalf("%s %v", s1, err)
	}
	os.WriteFile(f, []byte("hello!"), 0o644)
	if s2, _ := c.FileSHA256(f); s2 == s1 {
		t.Error("changed file kept its old hash")
	}
}

func TestParseLlamaBenchJSON(t *testing.T) {
	rec := `[{"n_prompt": 64, "n_gen": 0, "n_threads": 2, "avg_ts": 307.6, "stddev_ts": 33.9},
	         {"n_prompt": 0, "n_gen": 16, "n_threads": 2, "avg_ts": 95.2, "stddev_ts": 1.5}]`
	s, err := ParseLlamaBenchJSON([]byte(rec))
	if err != nil || s.PromptTPS != 307.6 || s.GenTPS != 95.2 || s.Gen != 16 || s.Prompt != 64 || s.Engine != "llama-bench" {
		t.Errorf("%+v %v", s, err)
	}
	if _, err := ParseLlamaBenchJSON([]byte(`[]`)); err == nil {
		t.Error("empty output accepted")
	}
	if _, err := ParseLlamaBenchJSON([]byte(`oops`)); err == nil {
		t.Error("garbage accepted")
	}
}

func TestMeasureSpeedCached(t *testing.T) {
	c, _ := OpenCache(filepath.Join(t.TempDir(), CacheFile))
	o := SpeedOptions{Prompt: 16, Gen: 4, Reps: 1, Threads: 1}
	s, err := MeasureSpeed(context.Background(), c, ZQ{}, q4km, "test", o)
	if err != nil {
		t.Fatal(err)
	}
	if s.GenTPS <= 0 || s.PromptTPS <= 0 || s.Engine != "zq" || (runtime.GOOS == "linux" && s.PeakRSSBytes == 0) {
		t.Errorf("%+v", s)
	}
	// Second call comes from the cache: a failing engine is not called.
	s2, err := MeasureSpeed(context.Background(), c, failing{}, q4km, "test", o)
	if err == nil {
		t.Errorf("engine name differs, yet cache hit: %+v", s2)
	}
	s3, err := MeasureSpeed(context.Background(), c, ZQ{}, q4km, "test", o)
	if err != nil || *s3 != *s {
		t.Errorf("not from cache: %+v %v", s3, err)
	}
}

type failing struct{}

func (failing) Name() string { return "fail" }
func (failing) Measure(context.Context, string, SpeedOptions) (Speed, error) {
	return Speed{}, os.ErrInvalid
}

func TestMeasureQuality(t *testing.T) {
	dir := t.TempDir()
	c, _ := OpenCache(filepath.Join(dir, CacheFile))
	o := QualityOptions{Base: f16, Text: text, Ctx: 64, Chunks: 3, Version: "test"}
	var done []string
	qs, err := MeasureQuality(context.Background(), c, []string{f16, q4km}, o, func(p string) { done = append(done, p) })
	if err != nil {
		t.Fatal(err)
	}
	b, q := qs[f16], qs[q4km]
	if !b.IsBase || b.KLD != 0 || b.SameTop1Pct != 100 || b.PPL <= 1 {
		t.Errorf("base: %+v", b)
	}
	// A quantized model differs from its base: non-zero KLD, another PPL;
	// its top token mostly agrees (on few tokens it may agree everywhere).
	if q.IsBase || q.KLD <= 0 || q.PPL == b.PPL || q.SameTop1Pct <= 50 || q.SameTop1Pct > 100 || q.PPL <= 1 || len(done) != 2 {
		t.Errorf("Q4_K_M: %+v (%v)", q, done)
	}
	// Everything cached now: a rerun measures nothing (done not called).
	done = nil
	qs2, err := MeasureQuality(context.Background(), c, []string{f16, q4km}, o, func(p string) { done = append(done, p) })
	if err != nil || len(done) != 0 || *qs2[q4km] != *q {
		t.Errorf("rerun: %v %v", done, err)
	}
	// A text shorter than two contexts: clear error, nothing written.
	short := filepath.Join(dir, "short.txt")
	os.WriteFile(short, []byte("Just a few words."), 0o644)
	before, _ := os.ReadFile(c.Path())
	o.Text = short
	if _, err := MeasureQuality(context.Background(), c, []string{q4km}, o, nil); err == nil || !strings.Contains(err.Error(), "2·ctx") {
		t.Errorf("short text: %v", err)
	}
	after, _ := os.ReadFile(c.Path())
	if string(before) != string(after) {
		t.Error("cache changed by a failed run")
	}
}

func TestBandwidthPositive(t *testing.T) {
	if bw := Bandwidth(); bw <= 0.1 || bw > 10000 {
		t.Errorf("memory bandwidth %v GB/s", bw)
	}
}
