package convert

import (
	"math"

	"github.com/zqtool/zq/ggml"
)

// planGenerated adds tensors computed from the config rather than read from
// the checkpoint; llama.cpp writes them before all others. The only one for
// llama is rope_freqs.weight, for llama3-style RoPE scaling.
func (p *Plan) planGenerated() error {
	rp := ropeParams(p.cfg)
	if !isLlama3Rope(rp) {
		return nil
	}
	vals, err := llama3RopeFactors(rp, p.cfg)
	if err != nil {
		return err
	}
	n := uint64(len(vals))
	p.addStep(Step{
		Name: "rope_freqs.weight", Dims: []uint64{n}, Type: ggml.TypeF32, SourceDType: "F32",
		Generated: "llama3 RoPE frequency factors",
	}, sourceInfo{values: vals, units: len(vals), unitElems: 1})
	return nil
}

// llama3RopeFactors computes the per-frequency scaling factors of llama3
// RoPE scaling (LlamaModel.generate_extra_tensors), in float32 like the
// reference. The pow is done in float64 and rounded, so a factor may differ
// from PyTorch's float32 pow in the last bit.
func llama3RopeFactors(rp map[string]any, c *modelConfig) ([]float32, error) {
	num := func(key string, def float64) (float64, error) {
		v, ok := rp[key]
		if !ok || v == nil {
			return def, nil
		}
		return configFloat(c.File, "rope_scaling."+key, v)
	}
	base, err := num("rope_theta", 10000)
	if err != nil {
		return nil, err
	}
	factor, err := num("factor", 8)
	if err != nil {
		return nil, err
	}
	low, err := num("low_freq_factor", 1)
	if err != nil {
		return nil, err
	}
	high, err := num("high_freq_factor", 4)
	if err != nil {
		return nil, err
	}
	oldCtx := 8192.0
	if v, ok := c.HParams["original_max_position_embeddings"]; ok && v != nil {
		if oldCtx, err = configFloat(c.File, "original_max_position_embeddings", v); err != nil {
			return nil, err
		}
	}
	lowWave, highWave := float32(oldCtx/low), float32(oldCtx/high)
	dim := c.HeadDim
	out := make([]float32, 0, dim/2)
	for i := int64(0); i < dim; i += 2 {
		e := float32(i) / float32(dim)
		freq := 1 / float32(math.Pow(float64(float32(base)), float64(e)))
		wave := float32(2*math.Pi) / freq
		switch {
		case wave < highWave:
			out = append(out, 1)
		case wave > lowWave:
			out = append(out, float32(factor))
		default:
			smooth := (float32(oldCtx)/wave - float32(low)) / float32(high-low)
			out = append(out, 1/((1-smooth)/float32(factor)+smooth))
		}
	}
	return out, nil
}
