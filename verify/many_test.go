package verify

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestRunManySharesTheBase verifies two models against one base: the base
// is evaluated once and reused, so the F16 model compared with its own
// statistics shows no divergence while Q4_K_M does, and the summary has a
// line per model plus the base.
func TestRunManySharesTheBase(t *testing.T) {
	cfg := Config{Base: refDir + "convert-f16.gguf", Text: devText, Ctx: 256, Chunks: 2}
	models := []string{refDir + "quant-Q4_K_M.gguf", refDir + "convert-f16.gguf"}
	reps, err := RunMany(context.Background(), cfg, models)
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 2 {
		t.Fatalf("%d reports", len(reps))
	}
	q, f := reps[0], reps[1]
	if q.Comparison == nil || f.Comparison == nil {
		t.Fatal("missing comparisons")
	}
	if q.Comparison.KLD.Mean <= 0 || f.Comparison.KLD.Mean > 1e-9 || f.Comparison.SameTop1.Value != 1 {
		t.Errorf("KLD Q4_K_M %g, F16 vs itself %g (top-1 %g)", q.Comparison.KLD.Mean, f.Comparison.KLD.Mean, f.Comparison.SameTop1.Value)
	}
	if q.Provenance.BaseSHA256 != f.Provenance.BaseSHA256 || f.Provenance.BaseStatsSHA256 == "" {
		t.Errorf("the second model was not compared with the saved base statistics: %+v", f.Provenance)
	}
	if q.Model.FileType != "Q4_K_M" || q.Model.BitsPerWeight < 4.5 || q.Model.BitsPerWeight > 5.5 {
		t.Errorf("model description %+v", q.Model)
	}
	var out bytes.Buffer
	if err := WriteSummary(&out, reps); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{"quant-Q4_K_M.gguf", "Q4_K_M", "F16", "2 chunks × 256 tokens"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	if n := strings.Count(s, "convert-f16.gguf"); n != 2 {
		t.Errorf("summary names the base %d times, want 2 (base line and model line):\n%s", n, s)
	}
}
