package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Formats are the output formats Write accepts.
var Formats = []string{"table", "md", "csv", "json"}

// header and cells give the matrix's columns, shared by every format.
func (m *Matrix) header() []string {
	h := []string{"type", "size", "bpw"}
	for _, c := range m.Ctxs {
		h = append(h, "mem@"+ctxLabel(c)+" GiB")
	}
	engine := m.Engine
	if engine == "" {
		engine = "-"
	}
	return append(h, "fits@"+ctxLabel(m.Ctx), "PPL", "ΔPPL %", "KLD", "top-1 %",
		"tok/s here ("+engine+")", "tok/s pred ("+m.Target.Name+")")
}

func (m *Matrix) cells(r Row) []string {
	f := func(format string, v float64, ok bool) string {
		if !ok {
			return "-"
		}
		return fmt.Sprintf(format, v)
	}
	c := []string{r.Name, sizeString(r.SizeBytes), fmt.Sprintf("%.2f", r.BitsPerWeight)}
	for _, ctx := range m.Ctxs {
		s := "-"
		for _, ma := range r.Memory {
			if ma.Ctx == ctx {
				s = fmt.Sprintf("%.2f", ma.NeedGiB)
			}
		}
		c = append(c, s)
	}
	q := r.Quality
	hq := q != nil
	var ppl, d, kld, top float64
	if hq {
		ppl, d, kld, top = q.PPL, q.DeltaPPLPct, q.KLD, q.SameTop1Pct
	}
	sp := r.Speed != nil && r.Speed.GenTPS > 0
	var here float64
	if sp {
		here = r.Speed.GenTPS
	}
	verdict := string(r.Verdict)
	for _, ma := range r.Memory {
		if ma.Ctx == m.Ctx && r.Verdict == "no" && ma.GPULayers > 0 {
			verdict = fmt.Sprintf("no (%d layers)", ma.GPULayers)
		}
	}
	c = append(c, verdict, f("%.3f", ppl, hq), f("%+.2f", d, hq), f("%.5f", kld, hq), f("%.1f", top, hq),
		f("%.1f", here, sp), f("%.1f", r.PredGenTPS, r.PredGenTPS > 0))
	return c
}

// Write renders m in format ("table", "md", "csv" or "json").
func (m *Matrix) Write(w io.Writer, format string) error {
	switch format {
	case "", "table":
		return m.writeTable(w)
	case "md", "markdown":
		return m.writeMarkdown(w)
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write(m.header())
		for _, r := range m.Rows {
			cw.Write(m.cells(r))
		}
		cw.Flush()
		return cw.Error()
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(m)
	}
	return fmt.Errorf("unknown format %q (use %s)", format, strings.Join(Formats, ", "))
}

func (m *Matrix) writeTable(w io.Writer) error {
	fmt.Fprintf(w, "target: %s — %.1f GiB usable, %.0f GB/s; KV %s, flash attention %v\n",
		m.Target.Name, float64(m.Target.UsableBytes)/(1<<30), m.Target.BandwidthGBs, m.KVType, onOff(m.FlashAttn))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(m.header(), "\t")+"\t")
	for _, r := range m.Rows {
		fmt.Fprintln(tw, strings.Join(m.cells(r), "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	m.writeFooter(w)
	return nil
}

func (m *Matrix) writeMarkdown(w io.Writer) error {
	fmt.Fprintf(w, "**Target:** %s (%.1f GiB usable, %.0f GB/s), KV %s, flash attention %s\n\n",
		m.Target.Name, float64(m.Target.UsableBytes)/(1<<30), m.Target.BandwidthGBs, m.KVType, onOff(m.FlashAttn))
	h := m.header()
	fmt.Fprintln(w, "| "+strings.Join(h, " | ")+" |")
	fmt.Fprintln(w, "|"+strings.Repeat("---|", len(h)))
	for _, r := range m.Rows {
		fmt.Fprintln(w, "| "+strings.Join(m.cells(r), " | ")+" |")
	}
	fmt.Fprintln(w)
	m.writeFooter(w)
	return nil
}

func (m *Matrix) writeFooter(w io.Writer) {
	fmt.Fprintln(w, "memory: need on the target (weights + KV + compute + runtime reserve); pred: "+m.PredictedLabel)
	for _, n := range m.Notes {
		fmt.Fprintln(w, "note: "+n)
	}
	if r := m.Recommendation; r != nil {
		if r.Best == "" {
			fmt.Fprintln(w, "recommendation: none — "+r.Reason)
		} else {
			fmt.Fprintf(w, "recommendation: %s (ranked by %s) — %s\n", r.Best, r.By, r.Reason)
		}
	}
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// sizeString prints a file size in GiB, or MiB below 1 GiB.
func sizeString(n int64) string {
	if n < 1<<30 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
}
