package bench

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
	"time"
)

// fixedReport is a report with round numbers: pp4 at 2 and 4 ms (2000 and
// 1000 t/s), tg2 at 1 s twice (2 t/s).
func fixedReport() Report {
	t0 := time.Date(2026, 12, 3, 17, 0, 0, 0, time.UTC)
	return Report{
		Info: Info{Filename: "/m/quant-Q4_K_M.gguf", Type: "llama ?B Q4_K - Medium", Size: 3264768, Params: 5114112,
			StreamedBytes: 1e9, KVBytesPerPos: 0},
		Tests: []Result{
			{Prompt: 4, Threads: 2, SamplesNS: []int64{2e6, 4e6}, Time: t0},
			{Gen: 2, Threads: 2, SamplesNS: []int64{1e9, 1e9}, Time: t0},
		},
	}
}

func TestRecordsJSON(t *testing.T) {
	recs := Records([]Report{fixedReport()}, 10, "v1")
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	b, err := json.Marshal(recs)
	if err != nil {
		t.Fatal(err)
	}
	var objs []map[string]any
	if err := json.Unmarshal(b, &objs); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"build_commit", "backends", "model_filename", "model_type", "model_size", "model_n_params",
		"n_batch", "n_ubatch", "n_threads", "type_k", "type_v", "n_prompt", "n_gen", "n_depth", "test_time",
		"avg_ns", "stddev_ns", "avg_ts", "stddev_ts", "samples_ns", "samples_ts", "bandwidth_gbs"} {
		if _, ok := objs[0][k]; !ok {
			t.Errorf("pp record lacks %q", k)
		}
	}
	if _, ok := objs[0]["roofline_ts"]; ok {
		t.Error("a pp record has a roofline")
	}
	pp, tg := recs[0], recs[1]
	if pp.AvgTS != 1500 || math.Abs(pp.StddevTS-math.Sqrt(500000)) > 1e-9 || pp.AvgNS != 3e6 {
		t.Errorf("pp: avg %v ± %v t/s, %v ns", pp.AvgTS, pp.StddevTS, pp.AvgNS)
	}
	// 10 GB/s over 1 GB per token: 10 t/s; 2 t/s reached is 20 %.
	if tg.RooflineTS != 10 || tg.RooflineShare != 0.2 || tg.AvgTS != 2 || tg.StddevTS != 0 {
		t.Errorf("tg: %v t/s, roofline %v, share %v", tg.AvgTS, tg.RooflineTS, tg.RooflineShare)
	}
	if pp.TestTime != "2026-12-03T17:00:00Z" || pp.Backends != Backend || pp.BuildCommit != "v1" {
		t.Errorf("pp record: %+v", pp)
	}
	if got, err := ParseRecords(b); err != nil || len(got) != 2 || got[1].RooflineTS != 10 {
		t.Errorf("ParseRecords of our own output: %v, %v", got, err)
	}
}

func TestMarkdownGolden(t *testing.T) {
	recs := Records([]Report{fixedReport()}, 10, "v1")
	var b strings.Builder
	if err := WriteMarkdown(&b, recs); err != nil {
		t.Fatal(err)
	}
	if err := WriteRoofline(&b, recs, 2); err != nil {
		t.Fatal(err)
	}
	want := `| model                          |       size |     params | backend    | threads |            test |                  t/s |
| ------------------------------ | ---------: | ---------: | ---------- | ------: | --------------: | -------------------: |
| llama ?B Q4_K - Medium         |   3.11 MiB |     5.11 M | CPU (Go)   |       2 |             pp4 |     1500.00 ± 707.11 |
| llama ?B Q4_K - Medium         |   3.11 MiB |     5.11 M | CPU (Go)   |       2 |             tg2 |          2.00 ± 0.00 |

memory bandwidth: 10.0 GB/s (STREAM triad, 2 threads)
quant-Q4_K_M.gguf tg2, 2 threads: roofline 10.00 t/s, reached 20.0 %
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestSizeParams(t *testing.T) {
	for _, c := range []struct {
		b, p       uint64
		size, pars string
	}{
		{3264768, 5114112, "3.11 MiB", "5.11 M"},
		{667894496 - 1<<20, 1100048384, "635.95 MiB", "1.10 B"},
		{1 << 30, 999999999, "1.00 GiB", "1000.00 M"},
	} {
		if s, p := Size(c.b), Params(c.p); s != c.size || p != c.pars {
			t.Errorf("Size(%d), Params(%d) = %q, %q; want %q, %q", c.b, c.p, s, p, c.size, c.pars)
		}
	}
}

func TestCompareWithLlamaBench(t *testing.T) {
	b, err := os.ReadFile("testdata/llama-bench-micro.json") // llama-bench -p 64 -n 16 -r 2 -t 2 -o json
	if err != nil {
		t.Fatal(err)
	}
	llama, err := ParseRecords(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(llama) != 2 || llama[0].Test() != "pp64" || llama[1].Test() != "tg16" || llama[0].NThreads != 2 {
		t.Fatalf("parsed %+v", llama)
	}
	zq := Records([]Report{{
		Info: Info{Filename: "elsewhere/quant-Q4_K_M.gguf", StreamedBytes: 1e6},
		Tests: []Result{
			{Prompt: 64, Threads: 2, SamplesNS: []int64{32e6}}, // 2000 t/s
			{Gen: 16, Threads: 2, SamplesNS: []int64{1e9}},     // 16 t/s
			{Gen: 16, Threads: 1, SamplesNS: []int64{1e9}},     // no llama.cpp record
		},
	}}, 1, "")
	cs := Compare(zq, llama)
	if len(cs) != 3 {
		t.Fatalf("%d rows", len(cs))
	}
	if want := 2000 / llama[0].AvgTS; math.Abs(cs[0].Ratio-want) > 1e-12 || cs[0].LlamaMissing || cs[0].RooflineTS != 0 {
		t.Errorf("pp row %+v, want ratio %v", cs[0], want)
	}
	// 1 GB/s over 1 MB per token: roofline 1000 t/s.
	if cs[1].RooflineTS != 1000 || cs[1].ZQShare != 0.016 || math.Abs(cs[1].LlamaShare-llama[1].AvgTS/1000) > 1e-12 {
		t.Errorf("tg row %+v", cs[1])
	}
	if !cs[2].LlamaMissing || cs[2].Ratio != 0 {
		t.Errorf("unmatched row %+v", cs[2])
	}
	var out strings.Builder
	if err := WriteComparison(&out, cs); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{"| quant-Q4_K_M.gguf ", "|       pp64 |", "16.00 ± 0.00", "1.6 %", "memory bandwidth: 1.0 GB/s"} {
		if !strings.Contains(s, want) {
			t.Errorf("comparison table lacks %q:\n%s", want, s)
		}
	}
	if _, err := ParseRecords([]byte("[]")); err == nil {
		t.Error("an empty llama-bench array was accepted")
	}
}
