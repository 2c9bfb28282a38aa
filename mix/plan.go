package mix

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/gguf"
	"github.com/zqtool/zq/quantize"
)

// Target is the size a mix must fit: exactly one field is set.
type Target struct {
	Size int64            // the whole file, in bytes
	BPW  float64          // bits per weight, as llama.cpp counts them (all tensor bytes · 8 / all elements)
	Like *quantize.Preset // the size of the file this preset makes of the model (with the importance matrix)
}

// String describes the target as recorded in the file.
func (t Target) String() string {
	switch {
	case t.Like != nil:
		return "like " + t.Like.Name
	case t.BPW > 0:
		return "bpw " + strconv.FormatFloat(t.BPW, 'g', -1, 64)
	}
	return "size " + strconv.FormatInt(t.Size, 10)
}

// Metadata keys a mix records.
const (
	KeyTarget          = "zq.mix.target"
	KeyBudget          = "zq.mix.budget_bytes"
	KeyCalibrationSHA  = "zq.mix.calibration_sha256"
	KeyCalibrationToks = "zq.mix.calibration_tokens"
	KeyPredictedKLD    = "zq.mix.predicted_kld"
)

// PlanTensor is one measured tensor's choice.
type PlanTensor struct {
	Name   string    `json:"name"`
	Type   ggml.Type `json:"-"`
	Bytes  uint64    `json:"size_bytes"`
	Damage float64   `json:"predicted_kld"`
}

// Plan is a mix: every measured tensor's type, the totals and the
// metadata the file records.
type Plan struct {
	Target       string               `json:"target"`
	LikeBytes    int64                `json:"like_file_size_bytes,omitempty"` // the preset's file size (--like)
	LikeKLD      *float64             `json:"like_predicted_kld,omitempty"`   // the preset's own predicted KLD
	Budget       uint64               `json:"budget_bytes"`                   // for the measured tensors
	Preset       quantize.Preset      `json:"-"`                              // gives general.file_type
	Tensors      []PlanTensor         `json:"tensors"`
	TensorBytes  uint64               `json:"tensor_bytes"` // every tensor of the file
	FileSize     int64                `json:"file_size_bytes"`
	Params       uint64               `json:"parameters"`
	BPW          float64              `json:"bits_per_weight"`
	PredictedKLD float64              `json:"predicted_kld"`
	LowerBound   float64              `json:"predicted_kld_lower_bound"` // no mix within the budget predicts less
	Metadata     gguf.Metadata        `json:"-"`
	Types        map[string]ggml.Type `json:"-"`
}

// options returns a measured tensor's choices: each candidate's exact
// size (padded to the file's alignment when align > 1) and predicted
// damage, the tensor's scale times the proxy.
func (ms *Measurements) options(i int, align uint64) ([]Option, error) {
	t := ms.Tensors[i]
	scale := t.Scale
	out := make([]Option, len(t.Types))
	for k, name := range t.Types {
		typ, err := ggml.ParseType(name)
		if err != nil {
			return nil, fmt.Errorf("measurements: tensor %q: %w", t.Name, err)
		}
		rb, err := typ.RowSize(int64(t.Cols))
		if err != nil {
			return nil, fmt.Errorf("measurements: tensor %q: %w", t.Name, err)
		}
		b := uint64(rb) * uint64(t.Rows)
		if align > 1 {
			b = (b + align - 1) / align * align
		}
		out[k] = Option{Type: typ, Bytes: b, Damage: scale * t.Proxy[k]}
	}
	return out, nil
}

// PlanConfig is what NewPlan needs besides the model and measurements.
type PlanConfig struct {
	Target  Target
	Imatrix *quantize.Imatrix // the importance matrix quantizing will use
	// Types, when not empty, are the only types the mix may use (say,
	// the K-quants, whose CPU kernels are the fastest).
	Types []ggml.Type
}

// NewPlan allocates a mix of src's tensors within the target from the
// measurements.
func NewPlan(src quantize.Source, ms *Measurements, cfg PlanConfig) (*Plan, error) {
	md, infos := src.Metadata(), src.Tensors()
	byName := map[string]int{}
	for i, t := range ms.Tensors {
		byName[t.Name] = i
	}
	measured := make([]int, len(infos)) // index into ms.Tensors, or -1
	var params uint64
	for i, t := range infos {
		params += t.NumElements()
		measured[i] = -1
		if !quantize.Quantizable(t.Name, t.Dims, false) {
			continue
		}
		j, ok := byName[t.Name]
		if !ok {
			return nil, fmt.Errorf("tensor %q: not measured (the forward pass does not use it), so a mix cannot choose its type", t.Name)
		}
		if t.Dims[0] != uint64(ms.Tensors[j].Cols) || t.NumElements() != uint64(ms.Tensors[j].Rows*ms.Tensors[j].Cols) {
			return nil, fmt.Errorf("tensor %q: shape %v differs from the measured %d×%d", t.Name, t.Dims, ms.Tensors[j].Rows, ms.Tensors[j].Cols)
		}
		measured[i] = j
	}
	align := uint64(gguf.DefaultAlignment)
	if a, err := md.Uint32("general.alignment"); err == nil {
		align = uint64(a)
	}
	p := &Plan{Target: cfg.Target.String(), Params: params}
	// The metadata, with values of their final sizes (the header's size
	// does not depend on the types chosen).
	placeholder := cfg.Target.Like
	if placeholder == nil {
		q8, _ := quantize.ParsePreset("Q8_0")
		placeholder = &q8
	}
	mdFor := func(pr quantize.Preset, kld float64, budget uint64) gguf.Metadata {
		out := quantize.OutputMetadata(md, pr, cfg.Imatrix)
		for _, kv := range []gguf.KV{
			{Key: KeyTarget, Value: gguf.String(p.Target)},
			{Key: KeyBudget, Value: gguf.Uint64(budget)},
			{Key: KeyCalibrationSHA, Value: gguf.String(ms.TextSHA256)},
			{Key: KeyCalibrationToks, Value: gguf.Uint32(uint32(ms.Tokens))},
			{Key: KeyPredictedKLD, Value: gguf.Float32(float32(kld))},
		} {
			out.Delete(kv.Key)
			out = append(out, kv)
		}
		return out
	}
	fixed, header, err := fixedBytes(mdFor(*placeholder, 0, 0), infos, measured, align, cfg.Target.BPW > 0)
	if err != nil {
		return nil, err
	}
	var limit uint64
	switch {
	case cfg.Target.Like != nil:
		size, err := PresetFileSize(src, *cfg.Target.Like, cfg.Imatrix)
		if err != nil {
			return nil, err
		}
		p.LikeBytes = size
		limit = uint64(size)
	case cfg.Target.BPW > 0:
		limit = uint64(math.Floor(cfg.Target.BPW * float64(params) / 8))
	default:
		limit = uint64(cfg.Target.Size)
	}
	if limit < fixed+header {
		return nil, fmt.Errorf("target %s (%d bytes) is smaller than the tensors that are not quantized and the header (%d bytes)", p.Target, limit, fixed+header)
	}
	p.Budget = limit - fixed - header
	var items [][]Option
	var order []int // items → index into infos
	for i, j := range measured {
		if j < 0 {
			continue
		}
		a := align
		if cfg.Target.BPW > 0 {
			a = 1
		}
		opts, err := ms.options(j, a)
		if err != nil {
			return nil, err
		}
		if len(cfg.Types) > 0 {
			opts = slices.DeleteFunc(opts, func(o Option) bool { return !slices.Contains(cfg.Types, o.Type) })
			if len(opts) == 0 {
				return nil, fmt.Errorf("tensor %q (rows of %d): none of the allowed types %v fits it (candidates: %v)",
					ms.Tensors[j].Name, ms.Tensors[j].Cols, cfg.Types, ms.Tensors[j].Types)
			}
		}
		items = append(items, opts)
		order = append(order, i)
	}
	sol, err := Allocate(items, p.Budget)
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", p.Target, err)
	}
	p.Types = map[string]ggml.Type{}
	for k, i := range order {
		o := items[k][sol.Choice[k]]
		t := ms.Tensors[measured[i]]
		rb, _ := o.Type.RowSize(int64(t.Cols))
		p.Tensors = append(p.Tensors, PlanTensor{Name: t.Name, Type: o.Type, Bytes: uint64(rb) * uint64(t.Rows), Damage: o.Damage})
		p.Types[t.Name] = o.Type
	}
	p.PredictedKLD, p.LowerBound = sol.Damage, sol.LowerBound
	if p.LikeKLD, err = presetDamage(src, ms, cfg, byName); err != nil {
		return nil, err
	}
	if cfg.Target.Like != nil {
		p.Preset = *cfg.Target.Like
	}
	out := make([]gguf.TensorInfo, len(infos))
	for i, t := range infos {
		out[i] = gguf.TensorInfo{Name: t.Name, Dims: t.Dims, Type: t.Type}
		if typ, ok := p.Types[t.Name]; ok {
			out[i].Type = typ
		}
		p.TensorBytes += out[i].Size()
	}
	p.BPW = 8 * float64(p.TensorBytes) / float64(max(1, params))
	if cfg.Target.Like == nil {
		if p.Preset, err = nearestPreset(src, cfg.Imatrix, p.TensorBytes); err != nil {
			return nil, err
		}
	}
	p.Metadata = mdFor(p.Preset, p.PredictedKLD, p.Budget)
	if p.FileSize, err = gguf.FileSize(p.Metadata, out); err != nil {
		return nil, err
	}
	return p, nil
}

// fixedBytes returns the bytes of the tensors a mix does not choose (as
// stored: unquantizable ones are copied) and of the header, padded to the
// alignment unless raw (bits-per-weight targets count tensor bytes only).
func fixedBytes(md gguf.Metadata, infos []gguf.TensorInfo, measured []int, align uint64, raw bool) (fixed, header uint64, err error) {
	var all uint64
	for i, t := range infos {
		n := t.Size()
		if !raw {
			n = (n + align - 1) / align * align
		}
		all += n
		if measured[i] < 0 {
			fixed += n
		}
	}
	if raw {
		return fixed, 0, nil
	}
	size, err := gguf.FileSize(md, infos)
	if err != nil {
		return 0, 0, err
	}
	return fixed, uint64(size) - all, nil
}

// presetPlan is the plan zq quantize (and llama-quantize) would follow for
// preset p with an importance matrix.
func presetPlan(src quantize.Source, p quantize.Preset) (*quantize.Plan, error) {
	return quantize.NewPlan(src.Metadata(), src.Tensors(), quantize.PlanOptions{Preset: p,
		Policy: quantize.PolicyOptions{HasImatrix: true}})
}

// PresetFileSize is the size of the file preset p makes of src with the
// importance matrix im, as zq quantize (and llama-quantize) write it.
func PresetFileSize(src quantize.Source, p quantize.Preset, im *quantize.Imatrix) (int64, error) {
	qp, err := presetPlan(src, p)
	if err != nil {
		return 0, err
	}
	infos := make([]gguf.TensorInfo, len(qp.Tensors))
	for i, t := range qp.Tensors {
		infos[i] = gguf.TensorInfo{Name: t.Name, Dims: t.Dims, Type: t.To}
	}
	return gguf.FileSize(quantize.OutputMetadata(src.Metadata(), p, im), infos)
}

// presetDamage is the damage predicted for the --like preset's own
// choices, when every one of them was measured (nil otherwise).
func presetDamage(src quantize.Source, ms *Measurements, cfg PlanConfig, byName map[string]int) (*float64, error) {
	if cfg.Target.Like == nil {
		return nil, nil
	}
	qp, err := presetPlan(src, *cfg.Target.Like)
	if err != nil {
		return nil, err
	}
	total := 0.0
	for _, t := range qp.Tensors {
		j, ok := byName[t.Name]
		if !ok {
			continue
		}
		opts, err := ms.options(j, 1)
		if err != nil {
			return nil, err
		}
		k := indexOf(ms.Tensors[j].Types, t.To.String())
		if k < 0 {
			return nil, nil
		}
		total += opts[k].Damage
	}
	return &total, nil
}

// nearestPreset is the preset whose file, for this model, has the tensor
// bytes closest to n (the first in llama-quantize's list on ties): a mix is described by it
// in general.file_type, as llama-quantize keeps the preset's file type
// when --tensor-type overrides some tensors.
func nearestPreset(src quantize.Source, im *quantize.Imatrix, n uint64) (quantize.Preset, error) {
	var best quantize.Preset
	bestD := math.Inf(1)
	for _, p := range quantize.Presets() {
		if p.Alias || !p.Quantized() || p.Default == ggml.TypeTQ1_0 || p.Default == ggml.TypeTQ2_0 {
			continue
		}
		qp, err := presetPlan(src, p)
		if err != nil {
			continue
		}
		var size uint64
		for _, t := range qp.Tensors {
			size += gguf.TensorInfo{Name: t.Name, Dims: t.Dims, Type: t.To}.Size()
		}
		d := math.Abs(float64(size) - float64(n))
		if d < bestD {
			best, bestD = p, d
		}
	}
	if best.Name == "" {
		return best, fmt.Errorf("no preset applies to this model")
	}
	return best, nil
}
