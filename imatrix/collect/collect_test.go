package collect

import (
	"context"
	"math"
	"os"
	"testing"

	"github.com/zqtool/zq/imatrix"
	"github.com/zqtool/zq/model"
	"github.com/zqtool/zq/tokenizer"
	"github.com/zqtool/zq/verify"
)

const (
	refDir  = "../../testdata/reference/"
	devText = "../../testdata/text/dev.txt"
)

func openF16(t testing.TB) (*model.Model, *tokenizer.Tokenizer) {
	t.Helper()
	m, err := model.Open(refDir + "convert-f16.gguf")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	tok, err := tokenizer.FromMetadata(m.Metadata)
	if err != nil {
		t.Fatal(err)
	}
	return m, tok
}

func devTokens(t testing.TB, tok *tokenizer.Tokenizer, nCtx, from int) []int32 {
	t.Helper()
	text, _, err := verify.ReadText(devText)
	if err != nil {
		t.Fatal(err)
	}
	toks, err := Tokens(tok, text, nCtx, from, false)
	if err != nil {
		t.Fatal(err)
	}
	return toks
}

// TestMatchesLlamaImatrix repeats the reference run (llama-imatrix -c 256
// -b 256 --chunks 64 on dev.txt) and compares: the same entries, counts
// and chunk count exactly, every sum within 1 % (mean under 0.1 %), and
// the perplexity llama-imatrix printed.
func TestMatchesLlamaImatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("64 chunks of the micro model")
	}
	m, tok := openF16(t)
	ref, err := imatrix.Read(refDir + "imatrix.gguf")
	if err != nil {
		t.Fatal(err)
	}
	set := imatrix.NewSet(256)
	cfg := Config{Ctx: 256, Batch: 256, Chunks: 64, PPL: true, OutFreq: DefaultOutFreq}
	res, err := Run(context.Background(), m, tok, devTokens(t, tok, 256, 0), set, cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := set.File("text/dev.txt")
	if got.ChunkCount != ref.ChunkCount || len(got.Entries) != len(ref.Entries) {
		t.Fatalf("chunks %d entries %d; llama-imatrix: %d, %d", got.ChunkCount, len(got.Entries), ref.ChunkCount, len(ref.Entries))
	}
	var worst, sum float64
	var n int
	for _, name := range ref.Names() {
		g, r := got.Entries[name], ref.Entries[name]
		if g == nil || g.Cols != r.Cols || g.Mats != r.Mats || g.Counts[0] != r.Counts[0] {
			t.Fatalf("%s: %+v vs %+v", name, g, r)
		}
		for i := range r.Sums {
			d := math.Abs(float64(g.Sums[i])-float64(r.Sums[i])) / float64(r.Sums[i])
			worst = max(worst, d)
			sum += d
			n++
		}
	}
	t.Logf("in_sum2: max rel diff %.3g, mean %.3g; PPL %.4f ± %.5f (llama-imatrix 82.5425 ± 2.05137), %.0f tok/s",
		worst, sum/float64(n), res.PPL, res.PPLUncertain, res.TokensPerSec)
	if worst > 0.01 || sum/float64(n) > 0.001 {
		t.Errorf("in_sum2 relative difference: max %.3g mean %.3g", worst, sum/float64(n))
	}
	if math.Abs(res.PPL-82.5425) > 0.01 {
		t.Errorf("PPL %.4f, llama-imatrix printed 82.5425", res.PPL)
	}
	_ = os.Stdout
}
