package model

import (
	"github.com/zqtool/zq/ggml"
	"github.com/zqtool/zq/kernels"
)

// attendGGML is attendGroup for an F32 V cache: llama.cpp's attention
// without flash attention, in its order of operations, so that an F32
// cache gives llama.cpp's bits (with -fa off and an F32 KV cache). For each
// query head: all scores of the cached positions it sees (K·Q as
// ggml_vec_dot_f32 forms it, kernels.DotGGML, for an F32 K cache; the K
// kernel's product for another), the scale or soft-capping, the softmax of
// the whole row as ggml_soft_max_ext computes it (kernels.SoftMaxGGML),
// then the weighted sum of the V rows in the lane order of the matrix
// product llama.cpp uses for it (kernels.WeightedSumGGML: tinyBLAS for a
// batch, ggml_vec_dot_f32 for a single token). Memory per query is one
// score row per head.
func (c *Context) attendGGML(s *workerScratch, il, p, t, kvh, g int, qa []byte, qrb int, single bool) {
	h := c.m.H
	hd, qd := h.HeadDim, h.QDim()
	ks, vs := &c.kv.k, &c.kv.v
	j0 := c.window(il, p)
	cnt := p + 1 - j0
	lanes := kernels.LanesBatch
	if single {
		lanes = kernels.LanesSingle
	}
	if need := g * cnt; cap(s.row) < need {
		s.row = make([]float32, need, max(need, g*c.nCtx))
	}
	if need := lanes * hd; cap(s.lanes) < need {
		s.lanes = make([]float32, need)
	}
	scores := s.row[:g*cnt]
	kl := ks.layers[il][j0*ks.rowBytes+kvh*ks.headBytes:]
	if ks.typ == ggml.TypeF32 {
		// ggml_vec_dot_f32 per score; s.vrow holds one decoded K row.
		k := s.vrow[:hd]
		for r := 0; r < cnt; r++ {
			kernels.BytesToF32Row(k, kl[r*ks.rowBytes:])
			for i := 0; i < g; i++ {
				o := t*qd + (kvh*g+i)*hd
				scores[i*cnt+r] = kernels.DotGGML(k, c.q[o:o+hd])
			}
		}
	} else {
		ks.kern.Mul(hd, kl, ks.rowBytes, cnt, qa, qrb, g, scores, cnt)
	}
	v := vs.layers[il][j0*vs.rowBytes+kvh*vs.headBytes:]
	for i := 0; i < g; i++ {
		row := scores[i*cnt : (i+1)*cnt]
		for r, raw := range row {
			row[r] = c.score(raw)
		}
		kernels.SoftMaxGGML(row, j0)
		o := t*qd + (kvh*g+i)*hd
		kernels.WeightedSumGGML(c.att[o:o+hd], row, j0, v, vs.rowBytes, lanes, s.lanes)
	}
}
