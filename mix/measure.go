package mix

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/zqtool/zq/codec"
	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/imatrix"
	"github.com/zqtool/zq/imatrix/collect"
	"github.com/zqtool/zq/model"
	"github.com/zqtool/zq/quantize"
	"github.com/zqtool/zq/tokenizer"
)

// Settings are the measurement choices that change the numbers; they are
// part of the cache key.
type Settings struct {
	ImatrixCtx    int    `json:"imatrix_ctx"`    // tokens per importance-matrix chunk
	ImatrixChunks int    `json:"imatrix_chunks"` // at most this many chunks (< 0: all)
	Ctx           int    `json:"ctx"`            // tokens per calibration-pass chunk
	Tokens        int    `json:"tokens"`         // calibration-pass tokens (whole chunks, at least one; 0: AutoTokens)
	Values        int    `json:"values"`         // proxy: values sampled per tensor, in whole rows (0: all)
	Groups        string `json:"groups"`         // calibration groups: "tensor", "block" or "auto"
	Probes        int    `json:"probes"`         // with "block": layers calibrated tensor by tensor
}

// DefaultSettings are zq quantize's defaults for mixes.
var DefaultSettings = Settings{ImatrixCtx: collect.DefaultCtx, ImatrixChunks: -1, Ctx: 512, Tokens: 0, Values: 1 << 18, Groups: "auto", Probes: 3}

// AutoTokens is the calibration-pass length used unless one is given:
// 4096 tokens for models of up to 200M parameters, proportionally fewer
// for larger ones (the passes then cost about the same), at least one
// chunk.
func AutoTokens(m *model.Model) int {
	const full, upTo = 4096, 200e6
	if m.Params <= upTo {
		return full
	}
	return int(full * upTo / float64(m.Params))
}

// maxTensorGroups is the most tensors for which "auto" calibrates every
// tensor on its own; larger models calibrate per block half.
const maxTensorGroups = 64

// Config configures Measure.
type Config struct {
	Settings
	Threads  int    // goroutines (0: GOMAXPROCS)
	CacheDir string // where measurements are kept ("" : no cache)
	// Progress, when set, is told about each stage: its name, the steps
	// done and their total.
	Progress func(stage string, done, total int)
}

// Input is the model and text to measure.
type Input struct {
	Model       *model.Model
	Tok         *tokenizer.Tokenizer
	ModelSHA256 string // identifies the model in the cache
	Text        string // the calibration text
	TextName    string // recorded as the importance matrix's dataset
	TextSHA256  string
}

// Measurements are the per-tensor proxies and per-group calibration of a
// model on a calibration text.
type Measurements struct {
	Version     int             `json:"version"`
	ModelSHA256 string          `json:"model_sha256"`
	TextSHA256  string          `json:"text_sha256"`
	Settings    Settings        `json:"settings"`
	Tokens      int             `json:"calibration_tokens"` // tokens in the calibration passes
	Tensors     []TensorMeasure `json:"tensors"`
	Groups      []GroupMeasure  `json:"groups"`
	// Seconds spent on the importance matrix, the proxies and the passes.
	ImatrixSeconds float64 `json:"imatrix_seconds"`
	ProxySeconds   float64 `json:"proxy_seconds"`
	PassSeconds    float64 `json:"calibration_seconds"`
	Cached         bool    `json:"cached"`
}

// TensorMeasure is one tensor's candidates and their proxy errors.
type TensorMeasure struct {
	Name  string    `json:"name"`
	Rows  int       `json:"rows"`
	Cols  int       `json:"cols"`
	Group int       `json:"group"`
	Types []string  `json:"types"` // ggml names
	Proxy []float64 `json:"proxy"` // per type
	Ref   string    `json:"reference_type"`
	// Scale turns the proxy into a predicted KL divergence (see fitScales).
	Scale float64 `json:"scale"`
}

// GroupMeasure is one calibration pass: the group's tensors quantized to
// their reference types alone, the KL divergence this caused and the
// scale from proxy to KL divergence it implies.
type GroupMeasure struct {
	Name  string  `json:"name"`
	Proxy float64 `json:"proxy"`
	KLD   float64 `json:"kld"`
	Scale float64 `json:"scale"`
}

// measureVersion changes whenever the measurement method does, so that
// older cached measurements are not reused.
const measureVersion = 2

// refBPW is the bits per weight of the calibration passes' type (Q3_K):
// low enough for a clear signal, within the range mixes use.
const refBPW = 3.4375

// Measure measures in's model on its text (or loads the measurements and
// importance matrix cached for them) and returns the measurements and the
// importance matrix that quantizing will use.
func Measure(ctx context.Context, in Input, cfg Config) (*Measurements, *quantize.Imatrix, error) {
	if err := cfg.check(); err != nil {
		return nil, nil, err
	}
	mats := in.Model.Matrices()
	key := cacheKey(in, cfg.Settings, mats)
	if cfg.CacheDir != "" {
		if ms, im, err := loadCache(cfg.CacheDir, key); err == nil {
			im.File = in.TextName
			return ms, im, nil
		}
	}
	progress := cfg.Progress
	if progress == nil {
		progress = func(string, int, int) {}
	}
	ms := &Measurements{Version: measureVersion, ModelSHA256: in.ModelSHA256, TextSHA256: in.TextSHA256, Settings: cfg.Settings}
	toks, err := collect.Tokens(in.Tok, in.Text, cfg.ImatrixCtx, 0, false)
	if err != nil {
		return nil, nil, err
	}

	start := time.Now()
	set := imatrix.NewSet(cfg.ImatrixCtx)
	icfg := collect.Config{Ctx: cfg.ImatrixCtx, Chunks: cfg.ImatrixChunks, ProcessOutput: true, Threads: cfg.Threads,
		OnChunk: func(done, total int, _ float64) { progress("importance matrix", done, total) }}
	if _, err := collect.Run(ctx, in.Model, in.Tok, toks, set, icfg); err != nil {
		return nil, nil, fmt.Errorf("importance matrix: %w", err)
	}
	imf := set.File(in.TextName)
	im := quantize.FromFile(imf)
	ms.ImatrixSeconds = time.Since(start).Seconds()

	start = time.Now()
	srcs, types := sources(in, mats, im, toks)
	progress("proxy errors", 0, 1)
	proxy, err := ProxyErrors(ctx, srcs, types, cfg.Values, cfg.Threads)
	if err != nil {
		return nil, nil, err
	}
	progress("proxy errors", 1, 1)
	groups := groupTensors(in.Model, cfg.Groups, cfg.Probes)
	for i, s := range srcs {
		tm := TensorMeasure{Name: s.Name, Rows: s.Rows, Cols: s.Cols, Group: groups[i], Proxy: proxy[i]}
		for _, t := range types[i] {
			tm.Types = append(tm.Types, t.String())
		}
		tm.Ref = refType(types[i]).String()
		ms.Tensors = append(ms.Tensors, tm)
	}
	ms.ProxySeconds = time.Since(start).Seconds()

	start = time.Now()
	if err := calibrate(ctx, in, cfg, ms, srcs, toks, progress); err != nil {
		return nil, nil, err
	}
	fitScales(ms)
	ms.PassSeconds = time.Since(start).Seconds()
	if cfg.CacheDir != "" {
		if err := saveCache(cfg.CacheDir, key, ms, set, in.TextName); err != nil {
			return nil, nil, err
		}
		// Quantize from the stored matrix, so that a cached run writes the
		// same bytes as this one.
		if _, im, err = loadCache(cfg.CacheDir, key); err != nil {
			return nil, nil, err
		}
	}
	im.File = in.TextName
	return ms, im, nil
}

func (c *Config) check() error {
	s := &c.Settings
	switch {
	case s.ImatrixCtx < 4 || s.Ctx < 4:
		return fmt.Errorf("calibration chunks of %d and %d tokens: at least 4", s.ImatrixCtx, s.Ctx)
	case s.Tokens < 0:
		return fmt.Errorf("%d calibration tokens: expected a positive count or 0 (automatic)", s.Tokens)
	case s.Values < 0:
		return fmt.Errorf("negative proxy sample size %d", s.Values)
	case s.Groups != "auto" && s.Groups != "tensor" && s.Groups != "block":
		return fmt.Errorf("calibration groups %q: expected auto, tensor or block", s.Groups)
	case s.Probes < 0:
		return fmt.Errorf("negative probe layer count %d", s.Probes)
	case c.Threads < 0:
		return fmt.Errorf("negative thread count %d", c.Threads)
	}
	return nil
}

// sources describes each weight for ProxyErrors, with its candidate types:
// the importance vector where the matrix has one, and for the token
// embedding the tokens' frequencies in the text.
func sources(in Input, mats []*model.Weight, im *quantize.Imatrix, toks []int32) ([]Source, [][]ggml.Type) {
	srcs := make([]Source, len(mats))
	types := make([][]ggml.Type, len(mats))
	for i, w := range mats {
		s := Source{Name: w.Name, Rows: w.Rows, Cols: w.Cols, Row: w.DecodeRow}
		if v, ok := im.Entries[w.Name]; ok && len(v) == w.Cols {
			s.Importance = v
		}
		if w == in.Model.TokEmbd {
			s.RowWeight = make([]float64, w.Rows)
			for _, t := range toks {
				s.RowWeight[t]++
			}
		}
		srcs[i] = s
		types[i] = Candidates(w.Cols, s.Importance != nil)
	}
	return srcs, types
}

// refType is the candidate closest to refBPW bits per weight (lower type
// id on ties), ignoring F16.
func refType(types []ggml.Type) ggml.Type {
	best, bestD := ggml.TypeF16, math.Inf(1)
	for _, t := range types {
		if t == ggml.TypeF16 {
			continue
		}
		if d := math.Abs(t.BitsPerWeight() - refBPW); d < bestD {
			best, bestD = t, d
		}
	}
	return best
}

// calibrate runs the calibration passes: the base, then each group
// quantized alone to its reference types.
func calibrate(ctx context.Context, in Input, cfg Config, ms *Measurements, srcs []Source, toks []int32, progress func(string, int, int)) error {
	tokens := cfg.Tokens
	if tokens == 0 {
		tokens = AutoTokens(in.Model)
	}
	nChunks := max(1, min(tokens/cfg.Ctx, len(toks)/cfg.Ctx))
	if len(toks) < cfg.Ctx {
		return fmt.Errorf("the calibration text has %d tokens, fewer than one chunk of %d", len(toks), cfg.Ctx)
	}
	chunks := make([][]int32, nChunks)
	for k := range chunks {
		chunks[k] = append([]int32(nil), toks[k*cfg.Ctx:(k+1)*cfg.Ctx]...)
		if in.Tok.AddBOS() {
			chunks[k][0] = in.Tok.BOS()
		}
	}
	nGroups := 0
	for _, t := range ms.Tensors {
		nGroups = max(nGroups, t.Group+1)
	}
	progress("calibration passes", 0, nGroups+1)
	ev, err := newEvaluator(ctx, in.Model, chunks, cfg.Threads)
	if err != nil {
		return err
	}
	defer ev.close()
	ms.Tokens = nChunks * cfg.Ctx
	progress("calibration passes", 1, nGroups+1)
	ms.Groups = make([]GroupMeasure, nGroups)
	for g := range nGroups {
		if err := passGroup(in.Model, ev, ms, g, srcs, cfg.Threads); err != nil {
			return err
		}
		progress("calibration passes", g+2, nGroups+1)
	}
	return nil
}

// passGroup quantizes group g's tensors to their reference types in
// memory, measures the KL divergence this causes and puts the weights
// back.
func passGroup(m *model.Model, ev *evaluator, ms *Measurements, g int, srcs []Source, threads int) (err error) {
	gm := &ms.Groups[g]
	mats := m.Matrices()
	from := len(m.Layers) // the first layer the group changes
	n := groupSize(ms, g)
	for i, t := range ms.Tensors {
		if t.Group != g {
			continue
		}
		w := mats[i]
		from = min(from, layerOf(m, w))
		if gm.Name == "" {
			gm.Name = w.Name
			if n > 1 {
				gm.Name = blockHalf(w.Name)
			}
		}
		ref, err := ggml.ParseType(t.Ref)
		if err != nil {
			return err
		}
		data, err := quantizeWeight(w, ref, srcs[i].Importance, threads)
		if err != nil {
			return err
		}
		origType, origData := w.Type, w.Data
		if err := w.Replace(ref, data); err != nil {
			return err
		}
		defer func() {
			if rerr := w.Replace(origType, origData); rerr != nil && err == nil {
				err = rerr
			}
		}()
		gm.Proxy += t.Proxy[indexOf(t.Types, t.Ref)]
	}
	if gm.KLD, err = ev.meanKLD(from); err != nil {
		return err
	}
	if gm.Proxy > 0 {
		gm.Scale = gm.KLD / gm.Proxy
	}
	return nil
}

func indexOf(xs []string, s string) int {
	for i, x := range xs {
		if x == s {
			return i
		}
	}
	return -1
}

// quantizeWeight encodes all of w's rows as t, with the importance vector
// the file will use.
func quantizeWeight(w *model.Weight, t ggml.Type, imp []float32, threads int) ([]byte, error) {
	f := make([]float32, w.Rows*w.Cols)
	for r := range w.Rows {
		if err := w.DecodeRow(r, f[r*w.Cols:(r+1)*w.Cols]); err != nil {
			return nil, err
		}
	}
	rb, err := t.RowSize(int64(w.Cols))
	if err != nil {
		return nil, fmt.Errorf("tensor %q: %w", w.Name, err)
	}
	out := make([]byte, int(rb)*w.Rows)
	if !codec.UsesIMatrix(t) {
		imp = nil
	}
	if err := codec.Quantize(t, out, f, w.Cols, imp, threads); err != nil {
		return nil, fmt.Errorf("tensor %q: %w", w.Name, err)
	}
	return out, nil
}
