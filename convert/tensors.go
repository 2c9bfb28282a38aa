package convert

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/zqtool/zq/safetensors"
)

// sourceDTypes are the safetensors element types the converter reads.
var sourceDTypes = []safetensors.DType{safetensors.BF16, safetensors.F16, safetensors.F32, safetensors.F64}

// planTensors adds one step per checkpoint tensor, in converter order, and
// checks that the checkpoint holds exactly the tensors the config implies.
func (p *Plan) planTensors(tensors []safetensors.TensorInfo) error {
	seen := map[string]string{} // GGUF name → HF name
	for _, t := range tensors {
		where := filepath.Join(p.dir, t.Shard)
		if p.arch.ignored(t.Name) {
			continue
		}
		m, ok := p.arch.mapName(t.Name)
		if !ok {
			return fmt.Errorf("%s: tensor %q is not part of a %s model; nothing in %s explains it", where, t.Name, p.cfg.Architecture, filepath.Base(p.cfg.File))
		}
		if int64(m.Block) >= p.cfg.Layers {
			return fmt.Errorf("%s: tensor %q belongs to block %d, but %s has num_hidden_layers = %d", where, t.Name, m.Block, p.cfg.File, p.cfg.Layers)
		}
		if prev, dup := seen[m.GGUF]; dup {
			return fmt.Errorf("%s: tensors %q and %q both map to %q", where, prev, t.Name, m.GGUF)
		}
		seen[m.GGUF] = t.Name
		want, why := p.expectedShape(m)
		if !slices.Equal(t.Shape, want) {
			return fmt.Errorf("%s: tensor %q has shape %v, but %s implies %v (%s)", where, t.Name, t.Shape, p.cfg.File, want, why)
		}
		if !slices.Contains(sourceDTypes, t.DType) {
			return fmt.Errorf("%s: tensor %q has dtype %s, expected one of BF16, F16, F32, F64", where, t.Name, t.DType)
		}
		ne := make([]uint64, len(t.Shape))
		for i, d := range t.Shape {
			ne[len(ne)-1-i] = uint64(d)
		}
		typ, fallback := tensorType(m.GGUF, ne, p.ftype)
		src := sourceInfo{tensor: t, units: int(t.Shape[0]), unitElems: int(t.NumElements() / t.Shape[0])}
		step := Step{Name: m.GGUF, Dims: ne, Type: typ, Sources: []string{t.Name}, SourceDType: string(t.DType), Fallback: fallback}
		switch m.Rule.Permute {
		case PermuteQHeads:
			step.Permute, src.group = int(p.cfg.Heads), int(p.cfg.HeadDim)
		case PermuteKVHeads:
			step.Permute, src.group = int(p.cfg.KVHeads), int(p.cfg.HeadDim)
		}
		if p.arch.NormShift != 0 && !m.IsBias() && strings.HasSuffix(m.GGUF, "norm.weight") {
			step.Shift, src.shift = p.arch.NormShift, p.arch.NormShift
		}
		p.addStep(step, src)
	}
	return p.checkComplete(seen)
}

// expectedShape is the HF shape the config implies for a mapped tensor, and
// a description of where it comes from.
func (p *Plan) expectedShape(m match) ([]int64, string) {
	dims := m.Rule.Shape
	if m.IsBias() {
		dims = dims[:1]
	}
	shape := make([]int64, len(dims))
	why := make([]string, len(dims))
	for i, d := range dims {
		shape[i] = p.cfg.dim(d)
		why[i] = d.String()
	}
	return shape, strings.Join(why, " × ")
}

// checkComplete reports the first tensor the config requires that the
// checkpoint lacks.
func (p *Plan) checkComplete(seen map[string]string) error {
	missing := func(r TensorRule, gg string) error {
		hf := strings.Replace(r.HF, "{bid}", gg, 1) + ".weight"
		return fmt.Errorf("%s: tensor %q is missing, but %s implies it (num_hidden_layers = %d)", p.dir, hf, p.cfg.File, p.cfg.Layers)
	}
	for _, r := range p.arch.Global {
		if _, ok := seen[r.GGUF+".weight"]; !ok && !r.Optional {
			return missing(r, "")
		}
	}
	for b := int64(0); b < p.cfg.Layers; b++ {
		bid := strconv.FormatInt(b, 10)
		for _, r := range p.arch.Block {
			if _, ok := seen[strings.Replace(r.GGUF, "{bid}", bid, 1)+".weight"]; !ok && !r.Optional {
				return missing(r, bid)
			}
		}
	}
	return nil
}
