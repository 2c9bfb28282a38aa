package plot

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zqtool/zq/profile/measure"
	"github.com/zqtool/zq/profile/report"
)

func matrix() *report.Matrix {
	row := func(name string, gib, kld float64) report.Row {
		return report.Row{Name: name, Quality: &measure.Quality{KLD: kld}, Memory: []report.MemAt{{Ctx: 8192, NeedGiB: gib}}}
	}
	return &report.Matrix{Ctx: 8192, KVType: "f16", Target: report.Target{Name: "RTX 3060 12GB", UsableBytes: 12 << 30},
		Rows: []report.Row{row("F16", 15.2, 0), row("Q8_0", 8.6, 0.0012), row("Q5_K_M", 6.1, 0.011), row("Q4_K_M", 5.4, 0.03)}}
}

func TestWriteSVGAndPNG(t *testing.T) {
	dir := t.TempDir()
	svg := filepath.Join(dir, "m.svg")
	if err := Write(matrix(), svg); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		if _, err := d.Token(); err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("SVG is not well-formed XML: %v", err)
			}
			break
		}
	}
	for _, want := range []string{"<svg", "Q5_K_M", "RTX 3060 12GB (12.0 GiB usable)", "mean KL divergence"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	p := filepath.Join(dir, "m.png")
	if err := Write(matrix(), p); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(p)
	defer f.Close()
	if img, err := png.Decode(f); err != nil || img.Bounds().Dx() < 500 {
		t.Errorf("png: %v", err)
	}
	if err := Write(matrix(), filepath.Join(dir, "m.gif")); err == nil {
		t.Error(".gif accepted")
	}
	if err := Write(&report.Matrix{}, filepath.Join(dir, "e.svg")); err == nil {
		t.Error("empty matrix plotted")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		t.Errorf("left files: %v", ents)
	}
}
