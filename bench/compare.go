package bench

import (
	"fmt"
	"io"
	"path/filepath"
)

// Comparison is one test measured by llama-bench and by zq bench.
type Comparison struct {
	Model    string  `json:"model_filename"` // base name
	Test     string  `json:"test"`
	NThreads int     `json:"n_threads"`
	LlamaTS  float64 `json:"llama_avg_ts"`
	LlamaSD  float64 `json:"llama_stddev_ts"`
	ZQTS     float64 `json:"zq_avg_ts"`
	ZQSD     float64 `json:"zq_stddev_ts"`
	Ratio    float64 `json:"ratio"` // zq ÷ llama.cpp, 0 without a llama.cpp record
	// RooflineTS is zq's bandwidth roofline for tg tests (0 otherwise);
	// the shares are each engine's tokens/s over it.
	RooflineTS   float64 `json:"roofline_ts,omitempty"`
	LlamaShare   float64 `json:"llama_roofline_share,omitempty"`
	ZQShare      float64 `json:"zq_roofline_share,omitempty"`
	BandwidthGBs float64 `json:"bandwidth_gbs,omitempty"`
	LlamaMissing bool    `json:"llama_missing,omitempty"`
}

// Compare pairs every zq record with llama-bench's record of the same
// file (by base name), test and thread count.
func Compare(zq, llama []Record) []Comparison {
	type key struct {
		file, test string
		threads    int
	}
	byKey := map[key]Record{}
	for _, r := range llama {
		byKey[key{filepath.Base(r.ModelFile), r.Test(), r.NThreads}] = r
	}
	var out []Comparison
	for _, z := range zq {
		c := Comparison{Model: filepath.Base(z.ModelFile), Test: z.Test(), NThreads: z.NThreads,
			ZQTS: z.AvgTS, ZQSD: z.StddevTS, RooflineTS: z.RooflineTS, ZQShare: z.RooflineShare,
			BandwidthGBs: z.BandwidthGBs}
		if l, ok := byKey[key{c.Model, c.Test, c.NThreads}]; ok {
			c.LlamaTS, c.LlamaSD = l.AvgTS, l.StddevTS
			if l.AvgTS > 0 {
				c.Ratio = z.AvgTS / l.AvgTS
			}
			if c.RooflineTS > 0 {
				c.LlamaShare = l.AvgTS / c.RooflineTS
			}
		} else {
			c.LlamaMissing = true
		}
		out = append(out, c)
	}
	return out
}

// WriteComparison prints comparisons as one Markdown table, then the
// bandwidth the rooflines come from.
func WriteComparison(w io.Writer, cs []Comparison) error {
	head := []string{"model", "threads", "test", "llama.cpp t/s", "zq t/s", "zq / llama.cpp", "roofline t/s", "llama.cpp share", "zq share"}
	widths := []int{-30, 7, 10, 20, 20, 14, 12, 15, 8}
	var rows [][]string
	bw := 0.0
	for _, c := range cs {
		llama, ratio := "–", "–"
		if !c.LlamaMissing {
			llama = fmt.Sprintf("%.2f ± %.2f", c.LlamaTS, c.LlamaSD)
			ratio = fmt.Sprintf("%.2f", c.Ratio)
		}
		roof, ls, zs := "–", "–", "–"
		if c.RooflineTS > 0 {
			roof = fmt.Sprintf("%.2f", c.RooflineTS)
			zs = fmt.Sprintf("%.1f %%", 100*c.ZQShare)
			if !c.LlamaMissing {
				ls = fmt.Sprintf("%.1f %%", 100*c.LlamaShare)
			}
		}
		rows = append(rows, []string{c.Model, fmt.Sprint(c.NThreads), c.Test, llama,
			fmt.Sprintf("%.2f ± %.2f", c.ZQTS, c.ZQSD), ratio, roof, ls, zs})
		bw = max(bw, c.BandwidthGBs)
	}
	if err := mdTable(w, head, widths, rows); err != nil {
		return err
	}
	if bw > 0 {
		_, err := fmt.Fprintf(w, "\nmemory bandwidth: %.1f GB/s (STREAM triad); roofline = bandwidth ÷ bytes read per generated token\n", bw)
		return err
	}
	return nil
}
