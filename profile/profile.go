// Package profile answers "which GGUF file should I run on this device, at
// this context, and how fast will it be?": for each quantization it
// estimates memory (package memory), predicts fit and decode speed on a
// target (packages catalog and predict), measures quality and speed here
// (package measure, results cached beside the models) and assembles the
// matrix with a recommendation (package report).
package profile

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/zqtool/zq/internal/progress"
	"github.com/zqtool/zq/profile/catalog"
	"github.com/zqtool/zq/profile/measure"
	"github.com/zqtool/zq/profile/memory"
	"github.com/zqtool/zq/profile/predict"
	"github.com/zqtool/zq/profile/report"
)

// Options configure a profile run.
type Options struct {
	Inputs    []string // GGUF files, directories of them, or a checkpoint directory
	Types     []string // quantizations to make from a checkpoint
	OutDir    string   // where made files go (default CHECKPOINT/zq-profile)
	Target    *catalog.Device
	Ctxs      []int  // contexts for the memory columns (default 4k, 8k, 32k)
	Ctx       int    // context of the verdict and recommendation (default the largest of Ctxs)
	KVType    string // cache type of the matrix (default f16)
	FlashAttn bool
	UBatch    int
	MinTPS    float64

	Text        string // evaluation text; "" skips quality
	VerifyCtx   int    // verify chunk size
	Chunks      int    // verify chunks (0: all)
	Engine      string // "zq", "llama-bench" or "none"
	Speed       measure.SpeedOptions
	Threads     int
	CacheDir    string // where the cache file lives (default beside the first model)
	Version     string
	Progress    io.Writer // progress bars and log lines (stderr)
	Warn        func(string)
	ThisMachine func(ctx context.Context) (catalog.Device, error) // target when Target is nil

	localDev *catalog.Device
}

func (o *Options) logf(format string, args ...any) {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, "zq profile: "+format+"\n", args...)
	}
}

func (o *Options) warn(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if o.Warn != nil {
		o.Warn(msg)
	} else {
		o.logf("warning: %s", msg)
	}
}

// Run profiles the inputs and returns the matrix.
func Run(ctx context.Context, o Options) (*report.Matrix, error) {
	if len(o.Ctxs) == 0 {
		o.Ctxs = predict.DefaultCtxs
	}
	o.Ctxs = append([]int(nil), o.Ctxs...)
	sort.Ints(o.Ctxs)
	for _, c := range o.Ctxs {
		if c <= 0 {
			return nil, fmt.Errorf("context %d: must be at least 1 token", c)
		}
	}
	if o.Ctx == 0 {
		o.Ctx = o.Ctxs[len(o.Ctxs)-1]
	}
	if o.Ctx < 0 {
		return nil, fmt.Errorf("context %d: must be at least 1 token", o.Ctx)
	}
	if !slices.Contains(o.Ctxs, o.Ctx) {
		o.Ctxs = append(o.Ctxs, o.Ctx)
		sort.Ints(o.Ctxs)
	}
	if o.KVType == "" {
		o.KVType = "f16"
	}
	if _, err := memory.ParseCacheType(o.KVType); err != nil {
		return nil, err
	}
	files, err := collect(ctx, &o)
	if err != nil {
		return nil, err
	}
	models := make([]*memory.Model, len(files))
	for i, f := range files {
		if models[i], err = memory.Open(f); err != nil {
			return nil, err
		}
		if ct := models[i].CtxTrain; ct > 0 && o.Ctx > ct {
			o.warn("%s: context %d is beyond the model's trained length %d; quality degrades past it", f, o.Ctx, ct)
		}
	}
	target, err := resolveTarget(ctx, &o)
	if err != nil {
		return nil, err
	}
	mx := &report.Matrix{Ctxs: o.Ctxs, Ctx: o.Ctx, KVType: o.KVType, FlashAttn: o.FlashAttn || o.KVType != "f16", MinTPS: o.MinTPS}
	cacheDir := o.CacheDir
	if cacheDir == "" {
		cacheDir = filepath.Dir(files[0])
	}
	cache, err := measure.OpenCache(filepath.Join(cacheDir, measure.CacheFile))
	if err != nil {
		return nil, err
	}
	quality, err := o.measureQuality(ctx, cache, models)
	if err != nil {
		return nil, err
	}
	speeds, calib, err := o.measureSpeed(ctx, cache, models, mx)
	if err != nil {
		return nil, err
	}
	if calib != nil && target.ClassName == calib.Class {
		mx.Notes = append(mx.Notes, fmt.Sprintf("decode efficiency %.2f measured here with %s replaces the %s prior", calib.Eta, calib.Engine, calib.Class))
	}
	for i, m := range models {
		row, err := buildRow(m, target, &o, mx.FlashAttn, calib)
		if err != nil {
			return nil, err
		}
		row.Quality = quality[files[i]]
		row.Speed = speeds[files[i]]
		mx.Rows = append(mx.Rows, row)
	}
	uniqueNames(mx.Rows)
	sortRows(mx.Rows)
	eta, src := predict.Eta(target, models[0].FileType, calib)
	mx.Target = report.Target{Name: target.Name, Class: target.ClassName, MemoryBytes: target.MemoryBytes,
		UsableBytes: target.UsableBytes(), BandwidthGBs: target.BandwidthGBs, Eta: eta, EtaSource: src, ThisMachine: o.Target == nil}
	mx.PredictedLabel = "predicted — memory from llama.cpp's allocation rules (checked against its dry runs), decode speed from a bandwidth roofline x " + target.ClassName + " efficiency"
	mx.Recommendation = report.Recommend(mx)
	return mx, nil
}

// uniqueNames names rows by file name where file types repeat (several
// models, or two files of one type).
func uniqueNames(rows []report.Row) {
	n := map[string]int{}
	for _, r := range rows {
		n[r.Name]++
	}
	for i, r := range rows {
		if n[r.Name] > 1 {
			rows[i].Name = strings.TrimSuffix(filepath.Base(r.Path), filepath.Ext(r.Path))
		}
	}
}

// sortRows orders rows by file size, largest first.
func sortRows(rows []report.Row) {
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].SizeBytes > rows[j].SizeBytes })
}

// buildRow predicts one model on the target.
func buildRow(m *memory.Model, d catalog.Device, o *Options, fa bool, calib *predict.Calibration) (report.Row, error) {
	name := m.FileType
	switch {
	case m.MixOf != "":
		name = "mix " + m.MixOf // zq quantize --like/--target-*: not the preset
	case name == "":
		name = filepath.Base(m.Path)
	}
	p, err := predict.Run(m, d, predict.Options{Ctxs: o.Ctxs, KVTypes: []string{o.KVType}, FlashAttn: fa, UBatch: o.UBatch, Calib: calib})
	if err != nil {
		return report.Row{}, fmt.Errorf("%s: %w", m.Path, err)
	}
	r := report.Row{Name: name, Path: m.Path, SizeBytes: m.FileSize, BitsPerWeight: m.BitsPerWeight(), MaxCtx: map[string]int{}}
	for _, kv := range predict.DefaultKVTypes {
		mc, err := m.MaxCtx(memory.Options{UBatch: o.UBatch, FlashAttn: fa || kv != "f16", KType: kv, VType: kv}, d.Budget(), m.CtxLimit())
		if err != nil {
			return r, err
		}
		r.MaxCtx[kv] = mc
	}
	for _, c := range p.Cells {
		r.Memory = append(r.Memory, report.MemAt{Ctx: c.Ctx, NeedBytes: c.NeedBytes, NeedGiB: float64(c.NeedBytes) / memory.GiB,
			Verdict: c.Verdict, GPULayers: c.GPULayers, PredTPS: c.GenTPS})
		if c.Ctx == o.Ctx {
			r.Verdict, r.PredGenTPS, r.PredPromptTPS = c.Verdict, c.GenTPS, c.PromptTPS
		}
	}
	return r, nil
}

// measureQuality runs verify against the base (the F16/BF16/F32 file) when
// a text is given.
func (o *Options) measureQuality(ctx context.Context, c *measure.Cache, models []*memory.Model) (map[string]*measure.Quality, error) {
	if o.Text == "" {
		return nil, nil
	}
	base := ""
	for _, m := range models {
		switch m.FileType {
		case "F16", "BF16", "F32", "ALL_F32", "MOSTLY_F16", "MOSTLY_BF16":
			if base == "" {
				base = m.Path
			}
		}
	}
	if base == "" {
		return nil, fmt.Errorf("--text given but no F16/BF16/F32 base among the models to measure quality against")
	}
	paths := make([]string, len(models))
	for i, m := range models {
		paths[i] = m.Path
	}
	// verify draws its own bar per model (on a terminal only).
	return measure.MeasureQuality(ctx, c, paths, measure.QualityOptions{Base: base, Text: o.Text, Ctx: o.VerifyCtx,
		Chunks: o.Chunks, Threads: o.Threads, Version: o.Version, Progress: o.Progress},
		func(p string) { o.logf("quality of %s measured", filepath.Base(p)) })
}

// measureSpeed measures each model's speed with the chosen engine and
// derives this machine's decode efficiency (see calibrate).
func (o *Options) measureSpeed(ctx context.Context, c *measure.Cache, models []*memory.Model, mx *report.Matrix) (map[string]*measure.Speed, *predict.Calibration, error) {
	var eng measure.Engine
	switch o.Engine {
	case "none":
		return nil, nil, nil
	case "", "zq":
		eng = measure.ZQ{}
	case "llama-bench":
		lb, err := measure.FindLlamaBench()
		if err != nil {
			return nil, nil, err
		}
		eng = lb
	default:
		return nil, nil, fmt.Errorf("unknown engine %q (zq, llama-bench or none)", o.Engine)
	}
	mx.Engine = eng.Name()
	out := map[string]*measure.Speed{}
	bar := progress.New(o.Progress, int64(len(models)), "speed ("+eng.Name()+")")
	defer bar.Finish()
	var biggest *memory.Model
	for _, m := range models {
		s, err := measure.MeasureSpeed(ctx, c, eng, m.Path, o.Version, o.Speed)
		if err != nil {
			return nil, nil, err
		}
		out[m.Path] = s
		bar.Add(1)
		if s.GenTPS > 0 && (biggest == nil || m.StreamedPerToken() > biggest.StreamedPerToken()) {
			biggest = m
		}
	}
	calib, note, err := o.calibrate(ctx, biggest, out, eng.Name())
	if err != nil {
		return nil, nil, err
	}
	if note != "" {
		mx.Notes = append(mx.Notes, note)
	}
	return out, calib, nil
}

// minCalibBytes is the least weight streamed per token for a model to
// calibrate with: below it, fixed per-token costs dominate decode time.
const minCalibBytes = 256 << 20

// calibrate derives this machine's decode efficiency (generation tok/s x
// bytes streamed per token / bandwidth) from the largest measured model.
// Only llama-bench's figure calibrates predictions (they are predictions of
// llama.cpp); zq's own is reported as a note.
func (o *Options) calibrate(ctx context.Context, m *memory.Model, speeds map[string]*measure.Speed, engine string) (*predict.Calibration, string, error) {
	if m == nil {
		return nil, "", nil
	}
	if m.StreamedPerToken() < minCalibBytes {
		return nil, "models too small to calibrate decode efficiency (fixed per-token costs dominate)", nil
	}
	local, err := o.local(ctx)
	if err != nil || local.BandwidthGBs <= 0 {
		return nil, "", err
	}
	eta := speeds[m.Path].GenTPS * float64(m.StreamedPerToken()) / (local.BandwidthGBs * 1e9)
	if engine != "llama-bench" {
		return nil, fmt.Sprintf("zq's forward pass decodes %s at %.0f%% of %s's %.0f GB/s", filepath.Base(m.Path), 100*eta, local.Name, local.BandwidthGBs), nil
	}
	return &predict.Calibration{Class: local.ClassName, Eta: eta, Engine: engine}, "", nil
}

// local is this machine as a device, detected once per run.
func (o *Options) local(ctx context.Context) (catalog.Device, error) {
	if o.localDev != nil {
		return *o.localDev, nil
	}
	find := ThisMachine
	if o.ThisMachine != nil {
		find = o.ThisMachine
	}
	d, err := find(ctx)
	if err == nil {
		o.localDev = &d
	}
	return d, err
}
