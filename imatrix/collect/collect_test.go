package collect

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

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
}

// TestSmallBatchesSkipped checks llama-imatrix's rules on a short run:
// physical batches under 16 tokens are not collected (-c 40 -b 36: the
// 4-token tail of each chunk is skipped), output.weight only with
// ProcessOutput, and chunks count from the largest count.
func TestSmallBatchesSkipped(t *testing.T) {
	m, tok := openF16(t)
	toks := devTokens(t, tok, 40, 2)
	set := imatrix.NewSet(40)
	cfg := Config{Ctx: 40, Batch: 36, Chunks: 3, ProcessOutput: true}
	if _, err := Run(context.Background(), m, tok, toks, set, cfg); err != nil {
		t.Fatal(err)
	}
	for name, st := range set.Stats {
		if st.Counts[0] != 3*36 {
			t.Errorf("%s: count %d, want %d", name, st.Counts[0], 3*36)
		}
	}
	if set.Stats["output.weight"] == nil || len(set.Stats) != 29 || set.LastChunk != 2 {
		t.Errorf("%d entries, last chunk %d", len(set.Stats), set.LastChunk)
	}
	// Splitting chunks into batches does not change the sums (same rows,
	// same order) as long as no batch is skipped.
	a, b := imatrix.NewSet(64), imatrix.NewSet(64)
	toks = devTokens(t, tok, 64, 0)
	if _, err := Run(context.Background(), m, tok, toks, a, Config{Ctx: 64, Chunks: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), m, tok, toks, b, Config{Ctx: 64, Batch: 32, UBatch: 16, Chunks: 2}); err != nil {
		t.Fatal(err)
	}
	for name, st := range a.Stats {
		o := b.Stats[name]
		for j := range st.Sums {
			if d := math.Abs(float64(st.Sums[j]-o.Sums[j])) / float64(st.Sums[j]); d > 1e-5 || st.Counts[0] != o.Counts[0] {
				t.Fatalf("%s[%d]: %g vs %g (counts %d, %d)", name, j, st.Sums[j], o.Sums[j], st.Counts[0], o.Counts[0])
			}
		}
	}
}

// TestCheckpoints checks when the output would be saved: every OutFreq
// chunks and a copy every SaveFreq chunks, as llama-imatrix does.
func TestCheckpoints(t *testing.T) {
	m, tok := openF16(t)
	toks := devTokens(t, tok, 32, 0)
	var saves []int
	cfg := Config{Ctx: 32, Chunks: 7, OutFreq: 3, SaveFreq: 5, Checkpoint: func(at int) error {
		saves = append(saves, at)
		return nil
	}}
	if _, err := Run(context.Background(), m, tok, toks, imatrix.NewSet(32), cfg); err != nil {
		t.Fatal(err)
	}
	if want := []int{0, 5, 0}; !slices.Equal(saves, want) {
		t.Errorf("checkpoints %v, want %v (output after 3 and 6, copy at 5)", saves, want)
	}
}

// BenchmarkCollection measures the forward pass over one 256-token chunk
// without and with collection, to show what collecting costs.
func BenchmarkCollection(b *testing.B) {
	m, tok := openF16(b)
	toks := devTokens(b, tok, 256, 0)
	for _, collect := range []bool{false, true} {
		name := "plain"
		if collect {
			name = "collect"
		}
		b.Run(name, func(b *testing.B) {
			c, err := m.NewContext(256)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			set := imatrix.NewSet(256)
			set.Threads = c.Threads
			var inside time.Duration
			if collect {
				c.SetObserver(func(tensor string, x []float32, nTok, cols int) {
					t0 := time.Now()
					if imatrix.Collects(tensor, false) {
						if _, err := set.Add(tensor, x, nTok, cols); err != nil {
							b.Fatal(err)
						}
					}
					inside += time.Since(t0)
				})
			}
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				c.Reset()
				if err := c.Eval(toks[:256], 0, nil); err != nil {
					b.Fatal(err)
				}
			}
			if collect {
				// The share of the pass spent collecting, robust to
				// the machine's load.
				b.ReportMetric(100*inside.Seconds()/time.Since(start).Seconds(), "%collecting")
			}
		})
	}
}

// TestThreadsIdentical checks that the thread count changes nothing.
func TestThreadsIdentical(t *testing.T) {
	m, tok := openF16(t)
	toks := devTokens(t, tok, 128, 0)
	var sets []*imatrix.Set
	for _, threads := range []int{1, 3} {
		s := imatrix.NewSet(128)
		if _, err := Run(context.Background(), m, tok, toks, s, Config{Ctx: 128, Chunks: 2, Threads: threads, ProcessOutput: true}); err != nil {
			t.Fatal(err)
		}
		sets = append(sets, s)
	}
	for name, st := range sets[0].Stats {
		if !slices.Equal(st.Sums, sets[1].Stats[name].Sums) {
			t.Errorf("%s: sums depend on the thread count", name)
		}
	}
}
