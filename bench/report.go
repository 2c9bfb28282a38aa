package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/zqtool/zq/model"
)

// Backend is what zq bench reports in llama-bench's backend column.
const Backend = "CPU (Go)"

// Record is one test as llama-bench's JSON output names its fields, plus
// zq's bandwidth and roofline fields (tg tests only; 0 when not measured).
// The same type reads llama-bench's output.
type Record struct {
	BuildCommit  string    `json:"build_commit"`
	Backends     string    `json:"backends"`
	ModelFile    string    `json:"model_filename"`
	ModelType    string    `json:"model_type"`
	ModelSize    uint64    `json:"model_size"`
	ModelNParams uint64    `json:"model_n_params"`
	NBatch       int       `json:"n_batch"`
	NUBatch      int       `json:"n_ubatch"`
	NThreads     int       `json:"n_threads"`
	TypeK        string    `json:"type_k"`
	TypeV        string    `json:"type_v"`
	NPrompt      int       `json:"n_prompt"`
	NGen         int       `json:"n_gen"`
	NDepth       int       `json:"n_depth"`
	TestTime     string    `json:"test_time"`
	AvgNS        int64     `json:"avg_ns"`
	StddevNS     int64     `json:"stddev_ns"`
	AvgTS        float64   `json:"avg_ts"`
	StddevTS     float64   `json:"stddev_ts"`
	SamplesNS    []int64   `json:"samples_ns"`
	SamplesTS    []float64 `json:"samples_ts"`

	BandwidthGBs  float64 `json:"bandwidth_gbs,omitempty"`
	RooflineTS    float64 `json:"roofline_ts,omitempty"`
	RooflineShare float64 `json:"roofline_share,omitempty"`
}

// Test is llama-bench's test name: "pp512", "tg128" or "pp512+tg128".
func (r Record) Test() string {
	var s string
	switch {
	case r.NPrompt > 0 && r.NGen == 0:
		s = fmt.Sprintf("pp%d", r.NPrompt)
	case r.NGen > 0 && r.NPrompt == 0:
		s = fmt.Sprintf("tg%d", r.NGen)
	default:
		s = fmt.Sprintf("pp%d+tg%d", r.NPrompt, r.NGen)
	}
	if r.NDepth > 0 {
		s += fmt.Sprintf(" @ d%d", r.NDepth)
	}
	return s
}

// Records turns reports into one record per test. bw is the measured
// bandwidth in GB/s (0: none, then no roofline); version is zq's.
func Records(reports []Report, bw float64, version string) []Record {
	var out []Record
	for _, rep := range reports {
		in := rep.Info
		for _, t := range rep.Tests {
			ts := t.TS()
			ns := make([]float64, len(t.SamplesNS))
			for i, v := range t.SamplesNS {
				ns[i] = float64(v)
			}
			avgNS, sdNS := MeanSD(ns)
			avg, sd := MeanSD(ts)
			r := Record{
				BuildCommit: version, Backends: Backend,
				ModelFile: in.Filename, ModelType: in.Type, ModelSize: in.Size, ModelNParams: in.Params,
				NBatch: model.MaxBatch, NUBatch: model.MaxBatch, NThreads: t.Threads,
				TypeK: "f16", TypeV: "f16", NPrompt: t.Prompt, NGen: t.Gen,
				TestTime: t.Time.UTC().Format(time.RFC3339),
				AvgNS:    int64(avgNS), StddevNS: int64(sdNS), AvgTS: avg, StddevTS: sd,
				SamplesNS: t.SamplesNS, SamplesTS: ts,
				BandwidthGBs: bw,
			}
			if bw > 0 && t.Prompt == 0 && t.Gen > 0 {
				r.RooflineTS = in.Roofline(bw, t.Gen)
				if r.RooflineTS > 0 {
					r.RooflineShare = avg / r.RooflineTS
				}
			}
			out = append(out, r)
		}
	}
	return out
}

// ParseRecords reads llama-bench's (or zq bench's) -o json output.
func ParseRecords(b []byte) ([]Record, error) {
	var recs []Record
	if err := json.Unmarshal(b, &recs); err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, errors.New("no test records")
	}
	return recs, nil
}

// Size formats bytes as llama-bench's size column (binary MiB or GiB).
func Size(b uint64) string {
	if b < 1<<30 {
		return fmt.Sprintf("%.2f MiB", float64(b)/(1<<20))
	}
	return fmt.Sprintf("%.2f GiB", float64(b)/(1<<30))
}

// Params formats a parameter count as llama-bench's params column.
func Params(n uint64) string {
	if n < 1e9 {
		return fmt.Sprintf("%.2f M", float64(n)/1e6)
	}
	return fmt.Sprintf("%.2f B", float64(n)/1e9)
}

// mdTable writes a Markdown table padded like llama-bench's: a negative
// width left-aligns the column.
func mdTable(w io.Writer, head []string, widths []int, rows [][]string) error {
	var b strings.Builder
	line := func(cells []string) {
		b.WriteString("|")
		for i, c := range cells {
			fmt.Fprintf(&b, " %*s |", widths[i], c)
		}
		b.WriteString("\n")
	}
	line(head)
	b.WriteString("|")
	for _, wd := range widths {
		end := "-"
		if wd > 0 {
			end = ":"
		}
		fmt.Fprintf(&b, " %s%s |", strings.Repeat("-", max(wd, -wd)-1), end)
	}
	b.WriteString("\n")
	for _, r := range rows {
		line(r)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMarkdown prints records as llama-bench's Markdown table.
func WriteMarkdown(w io.Writer, recs []Record) error {
	head := []string{"model", "size", "params", "backend", "threads", "test", "t/s"}
	widths := []int{-30, 10, 10, -10, 7, 15, 20}
	var rows [][]string
	for _, r := range recs {
		rows = append(rows, []string{r.ModelType, Size(r.ModelSize), Params(r.ModelNParams), r.Backends,
			fmt.Sprint(r.NThreads), r.Test(), fmt.Sprintf("%.2f ± %.2f", r.AvgTS, r.StddevTS)})
	}
	return mdTable(w, head, widths, rows)
}

// WriteRoofline prints the bandwidth and, for each tg test, the roofline
// and the share of it reached.
func WriteRoofline(w io.Writer, recs []Record, bwThreads int) error {
	if len(recs) == 0 || recs[0].BandwidthGBs <= 0 {
		return nil
	}
	if _, err := fmt.Fprintf(w, "\nmemory bandwidth: %.1f GB/s (STREAM triad, %d threads)\n", recs[0].BandwidthGBs, bwThreads); err != nil {
		return err
	}
	for _, r := range recs {
		if r.RooflineTS <= 0 {
			continue
		}
		if _, err := fmt.Fprintf(w, "%s %s, %d threads: roofline %.2f t/s, reached %.1f %%\n",
			filepath.Base(r.ModelFile), r.Test(), r.NThreads, r.RooflineTS, 100*r.RooflineShare); err != nil {
			return err
		}
	}
	return nil
}
