// Package plot draws zq profile's matrix as a chart: quality loss against
// the memory each quantization needs on the target at the chosen context,
// with the target's usable memory as a vertical line.
package plot

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/zqtool/zq/profile/report"
)

// Write renders m to path; the extension picks the format (.svg, .png,
// .pdf). The file appears only when complete.
func Write(m *report.Matrix, path string) error {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	switch ext {
	case "svg", "png", "pdf":
	default:
		return fmt.Errorf("%s: plot format from the extension must be .svg, .png or .pdf", path)
	}
	p, err := build(m)
	if err != nil {
		return err
	}
	wt, err := p.WriterTo(8*vg.Inch, 5*vg.Inch, ext)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = wt.WriteTo(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// yOf returns the row's quality-loss value and the axis label.
func yOf(m *report.Matrix, r report.Row) (float64, bool) {
	if r.Quality != nil {
		return r.Quality.KLD, true
	}
	return r.BitsPerWeight, false
}

func build(m *report.Matrix) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Padding = vg.Points(8)
	p.Title.Text = fmt.Sprintf("%s (%.1f GiB usable), %d context, KV %s",
		m.Target.Name, float64(m.Target.UsableBytes)/(1<<30), m.Ctx, m.KVType)
	var pts plotter.XYs
	var labels []string
	haveQ := true
	maxX := float64(m.Target.UsableBytes) / (1 << 30)
	maxY := 0.0
	for _, r := range m.Rows {
		need := 0.0
		for _, ma := range r.Memory {
			if ma.Ctx == m.Ctx {
				need = ma.NeedGiB
			}
		}
		y, q := yOf(m, r)
		haveQ = haveQ && q
		pts = append(pts, plotter.XY{X: need, Y: y})
		labels = append(labels, r.Name)
		maxX, maxY = max(maxX, need), max(maxY, y)
	}
	if len(pts) == 0 {
		return nil, fmt.Errorf("nothing to plot: no rows")
	}
	if haveQ {
		p.Y.Label.Text = "mean KL divergence vs base (lower is better)"
	} else {
		p.Y.Label.Text = "bits per weight (quality not measured)"
	}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return nil, err
	}
	sc.GlyphStyle.Color = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	sc.GlyphStyle.Radius = vg.Points(4)
	sc.GlyphStyle.Shape = draw.CircleGlyph{}
	lb, err := plotter.NewLabels(plotter.XYLabels{XYs: pts, Labels: labels})
	if err != nil {
		return nil, err
	}
	for i := range lb.TextStyle {
		lb.TextStyle[i].XAlign = draw.XLeft
		lb.Offset = vg.Point{X: vg.Points(6), Y: vg.Points(2)}
	}
	usable := float64(m.Target.UsableBytes) / (1 << 30)
	top := maxY*1.15 + 1e-6
	line, err := plotter.NewLine(plotter.XYs{{X: usable, Y: 0}, {X: usable, Y: top}})
	if err != nil {
		return nil, err
	}
	line.Color = color.RGBA{R: 214, G: 39, B: 40, A: 255}
	line.Width = vg.Points(1.5)
	line.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
	p.X.Label.Text = "memory needed on the target (GiB); dashed line: usable memory"
	p.Add(plotter.NewGrid(), line, sc, lb)
	p.X.Min, p.X.Max = 0, maxX*1.1
	p.Y.Min, p.Y.Max = 0, top
	return p, nil
}
