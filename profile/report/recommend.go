package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/zqtool/zq/profile/memory"
)

// rankBy picks the quality measure all rows share: mean KLD when every row
// has quality figures, else bits per weight as a proxy.
func rankBy(rows []Row) string {
	for _, r := range rows {
		if r.Quality == nil {
			return "bits_per_weight"
		}
	}
	return "kld"
}

// better reports whether a has better quality than b under measure by.
func better(a, b Row, by string) bool {
	if by == "kld" {
		if a.Quality.KLD != b.Quality.KLD {
			return a.Quality.KLD < b.Quality.KLD
		}
		return a.Quality.DeltaPPL < b.Quality.DeltaPPL
	}
	return a.BitsPerWeight > b.BitsPerWeight
}

// Recommend picks the best-quality row that fits the target at m.Ctx
// ("fits" rows first; "tight" ones only when none fits comfortably) and
// reaches m.MinTPS predicted tokens/s, plus the runner-up.
func Recommend(m *Matrix) *Recommendation {
	by := rankBy(m.Rows)
	var cands []Row
	level := memory.Fits
	for _, lv := range []memory.Verdict{memory.Fits, memory.Tight} {
		for _, r := range m.Rows {
			if r.Verdict == lv && (m.MinTPS <= 0 || r.PredGenTPS >= m.MinTPS) {
				cands = append(cands, r)
			}
		}
		if len(cands) > 0 {
			level = lv
			break
		}
	}
	if len(cands) == 0 {
		why := fmt.Sprintf("no quantization fits %s at %d context", m.Target.Name, m.Ctx)
		if m.MinTPS > 0 {
			why += fmt.Sprintf(" with at least %.0f tok/s", m.MinTPS)
		}
		return &Recommendation{Reason: why + "; try a smaller type, a shorter context or a quantized KV cache", By: by}
	}
	sort.SliceStable(cands, func(i, j int) bool { return better(cands[i], cands[j], by) })
	rec := &Recommendation{Best: cands[0].Name, By: by, Reason: m.reason(cands[0], level)}
	if len(cands) > 1 {
		rec.RunnerUp = cands[1].Name
		rec.Reason += "; runner-up " + m.reason(cands[1], level)
	}
	return rec
}

// reason is the one-line justification of a row.
func (m *Matrix) reason(r Row, level memory.Verdict) string {
	var parts []string
	if q := r.Quality; q != nil {
		if q.IsBase {
			parts = append(parts, "the base itself")
		} else {
			parts = append(parts, fmt.Sprintf("ΔPPL %+.2f%%, KLD %.5f", q.DeltaPPLPct, q.KLD))
		}
	} else {
		parts = append(parts, fmt.Sprintf("%.2f bits/weight (quality not measured)", r.BitsPerWeight))
	}
	for _, ma := range r.Memory {
		if ma.Ctx == m.Ctx {
			parts = append(parts, fmt.Sprintf("%.1f GiB at %s", ma.NeedGiB, ctxLabel(m.Ctx)))
		}
	}
	if r.PredGenTPS > 0 {
		parts = append(parts, fmt.Sprintf("~%.0f tok/s on %s (predicted)", r.PredGenTPS, m.Target.Name))
	}
	s := r.Name + ": " + strings.Join(parts, ", ")
	if level == memory.Tight {
		s += " (tight: less than the 1 GiB margin left)"
	}
	return s
}

func ctxLabel(n int) string {
	if n%1024 == 0 {
		return fmt.Sprintf("%dk", n/1024)
	}
	return fmt.Sprint(n)
}
