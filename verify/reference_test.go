package verify

import (
	"bufio"
	"context"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const (
	refDir   = "../testdata/reference/"
	devText  = "../testdata/text/dev.txt"
	f16Model = refDir + "convert-f16.gguf"
	q4Model  = refDir + "quant-Q4_K_M.gguf"
)

// runningPPL parses llama-perplexity's "[k]value," running estimates.
func runningPPL(t *testing.T, path string) []float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []float64
	for _, m := range regexp.MustCompile(`\[(\d+)\]([0-9.]+),`).FindAllStringSubmatch(string(b), -1) {
		k, _ := strconv.Atoi(m[1])
		if k != len(out)+1 {
			t.Fatalf("%s: running estimate [%d] out of order", path, k)
		}
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no running estimates found", path)
	}
	return out
}

// kldRow is one per-chunk row of llama-perplexity --kl-divergence.
type kldRow struct{ ppl, lnRatio, kld, rmsDP, sameTop float64 }

// kldRows parses the per-chunk rows of testdata/reference/kld-Q4_K_M.txt.
func kldRows(t *testing.T) []kldRow {
	t.Helper()
	f, err := os.Open(refDir + "kld-Q4_K_M.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []kldRow
	sc := bufio.NewScanner(f)
	header := false
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "chunk ") {
			header = true
			continue
		}
		if !header {
			continue
		}
		header = false
		// "   3  107.4790 ±  13.4584  0.00361 ±  0.00337  0.00221 ± 0.00011  0.657 ± 0.068 %  95.538 ± 1.059 %"
		fs := strings.Fields(strings.NewReplacer("±", " ", "%", " ").Replace(line))
		if len(fs) != 11 {
			t.Fatalf("unexpected kld row %q", line)
		}
		v := make([]float64, len(fs))
		for i, s := range fs {
			if v[i], err = strconv.ParseFloat(s, 64); err != nil {
				t.Fatalf("kld row %q: %v", line, err)
			}
		}
		if int(v[0]) != len(rows)+1 {
			t.Fatalf("kld row %q out of order", line)
		}
		rows = append(rows, kldRow{v[1], v[3], v[5], v[7], v[9]})
	}
	if len(rows) == 0 {
		t.Fatal("no per-chunk rows in kld-Q4_K_M.txt")
	}
	return rows
}

func relDiff(a, b float64) float64 { return math.Abs(a-b) / math.Abs(b) }

// TestAgainstLlamaCpp runs Q4_K_M against the live F16 base on the first
// chunks of dev.txt with --ctx 256 and compares every running estimate with
// what llama-perplexity printed for the same chunks.
func TestAgainstLlamaCpp(t *testing.T) {
	const chunks = 3
	rep, err := Run(context.Background(), Config{Model: q4Model, Base: f16Model, Text: devText, Ctx: 256, Chunks: chunks, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	f16 := runningPPL(t, refDir+"perplexity-F16.txt")
	q4 := runningPPL(t, refDir+"perplexity-Q4_K_M.txt")
	if len(rep.Model.Running) != chunks || rep.Base == nil || len(rep.Base.Running) != chunks {
		t.Fatalf("running estimates: model %d, base %v", len(rep.Model.Running), rep.Base)
	}
	for k := 0; k < chunks; k++ {
		t.Logf("chunk %d: F16 %.4f (llama.cpp %.4f)  Q4_K_M %.4f (llama.cpp %.4f)", k+1, rep.Base.Running[k], f16[k], rep.Model.Running[k], q4[k])
		if d := relDiff(rep.Base.Running[k], f16[k]); d > 5e-4 {
			t.Errorf("chunk %d: F16 PPL %.4f vs llama.cpp %.4f (%.2g relative)", k+1, rep.Base.Running[k], f16[k], d)
		}
		if d := relDiff(rep.Model.Running[k], q4[k]); d > 5e-3 {
			t.Errorf("chunk %d: Q4_K_M PPL %.4f vs llama.cpp %.4f (%.2g relative)", k+1, rep.Model.Running[k], q4[k], d)
		}
	}
	ref := kldRows(t)[chunks-1]
	c := rep.Comparison
	t.Logf("after %d chunks: KLD %.6f (llama.cpp %.5f), same top %.3f%% (%.3f%%), RMS Δp %.3f%% (%.3f%%)",
		chunks, c.KLD.Mean, ref.kld, 100*c.SameTop1.Value, ref.sameTop, 100*c.RMSDeltaP.Value, ref.rmsDP)
	if d := relDiff(c.KLD.Mean, ref.kld); d > 0.10 {
		t.Errorf("mean KLD %.6f vs llama.cpp %.5f (%.2g relative)", c.KLD.Mean, ref.kld, d)
	}
	if d := math.Abs(100*c.SameTop1.Value - ref.sameTop); d > 2 {
		t.Errorf("same top-1 %.3f%% vs llama.cpp %.3f%%", 100*c.SameTop1.Value, ref.sameTop)
	}
	if d := relDiff(100*c.RMSDeltaP.Value, ref.rmsDP); d > 0.2 {
		t.Errorf("RMS Δp %.3f%% vs llama.cpp %.3f%%", 100*c.RMSDeltaP.Value, ref.rmsDP)
	}
	if !(c.KLDLowerBound > 0 && c.KLDLowerBound <= c.KLD.Mean) {
		t.Errorf("KLD lower bound %.6f not in (0, mean %.6f]", c.KLDLowerBound, c.KLD.Mean)
	}
	if rep.Model.Tokens != chunks*127 || c.Tokens != chunks*127 {
		t.Errorf("scored %d/%d tokens, want %d", rep.Model.Tokens, c.Tokens, chunks*127)
	}
	pv := rep.Provenance
	if pv.Ctx != 256 || pv.Chunks != chunks || pv.ScoredPerChunk != 127 || pv.TopK != DefaultTopK ||
		len(pv.ModelSHA256) != 64 || len(pv.BaseSHA256) != 64 || len(pv.TextSHA256) != 64 || pv.VocabHash == "" {
		t.Errorf("incomplete provenance %+v", pv)
	}
}

// TestModelOnlyPerplexity is the plain path (no base): the F16 model's first
// chunks against llama-perplexity's.
func TestModelOnlyPerplexity(t *testing.T) {
	rep, err := Run(context.Background(), Config{Model: f16Model, Text: devText, Ctx: 256, Chunks: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := runningPPL(t, refDir+"perplexity-F16.txt")
	for k, v := range rep.Model.Running {
		if d := relDiff(v, want[k]); d > 5e-4 {
			t.Errorf("chunk %d: PPL %.4f vs llama.cpp %.4f", k+1, v, want[k])
		}
	}
	if rep.Base != nil || rep.Comparison != nil {
		t.Error("comparison reported without a base")
	}
	if rep.Model.PPL != rep.Model.Running[len(rep.Model.Running)-1] || !(rep.Model.Uncertainty > 0) {
		t.Errorf("final PPL %.4f ± %.4f inconsistent with running %v", rep.Model.PPL, rep.Model.Uncertainty, rep.Model.Running)
	}
}
